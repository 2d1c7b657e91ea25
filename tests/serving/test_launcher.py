"""`make run` and `make serve` stop every process they started, within 10 s of one SIGTERM to their process group
(what systemd and a closing terminal send) or one Ctrl-C, every time.

Before config/launcher.py, `make run`'s shell trap left the qcluster master running without a parent on 3 tries
of 3. Each cycle here waits until /healthz is 200 (the web server answers and the cluster's heartbeat is there,
so every cluster process exists), signals the group, and counts every process that carries this run's tag in its
environment — wherever it went — for 10 s: zero, each time.
"""

import os
import signal
import sys

import pytest

from tests.serving.procs import MAKE, Site, free_port, start, stop_group_and_count, wait_for_health

pytestmark = pytest.mark.processes
CYCLES = int(os.environ.get("LAUNCHER_CYCLES", "10"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("launcher"), "launcher")
    site.prepare()
    yield site
    site.drop()


def _cycle(site: Site, argv: list[str], env: dict, port: int, signum: int, log) -> tuple[float, list[str]]:
    proc = start(argv, env, log)
    try:
        wait_for_health(port, proc, log)
    except BaseException:
        stop_group_and_count(proc, site.tag)
        raise
    return stop_group_and_count(proc, site.tag, signum)


@pytest.mark.parametrize("mode", ["run", "serve"])
def test_ten_starts_and_sigterms_to_the_process_group_leave_no_process_behind(site, mode, tmp_path):
    log = tmp_path / f"{mode}.log"
    env = {**site.env, "DEBUG": "true" if mode == "run" else "false", "LOG_FORMAT": "json"}
    results = []
    for _ in range(CYCLES):
        port = free_port()
        took, left = _cycle(site, [sys.executable, "-m", "config.launcher", mode, "--port", str(port)], env, port,
                            signal.SIGTERM, log)
        results.append((round(took, 1), left))
    assert [left for _, left in results] == [[]] * CYCLES, log.read_text()[-3000:]
    assert max(took for took, _ in results) < 10, results


@pytest.mark.parametrize("mode", ["run", "serve"])
def test_make_itself_stops_with_everything_it_started_on_sigterm_and_on_ctrl_c(site, mode, tmp_path):
    """The real Makefile recipe (its preparation steps included), signalled as a terminal would: SIGTERM to the
    group, then Ctrl-C (SIGINT to the whole foreground group: make, the launcher and nothing else)."""
    log = tmp_path / f"make-{mode}.log"
    for signum in (signal.SIGTERM, signal.SIGINT):
        port = free_port()
        took, left = _cycle(site, [*MAKE, mode, f"PORT={port}"], site.env, port, signum, log)
        assert left == [], log.read_text()[-3000:]
        assert took < 10


def test_a_child_that_dies_stops_the_others_and_the_launcher_fails(site, tmp_path):
    log = tmp_path / "crash.log"
    port = free_port()
    proc = start([sys.executable, "-m", "config.launcher", "serve", "--port", str(port)],
                 {**site.env, "DEBUG": "false"}, log)
    wait_for_health(port, proc, log)
    # The web server's master disappears (an OOM kill, say): the launcher must not keep a half-running site.
    gunicorn = next(line for line in _children(proc.pid) if "gunicorn" in line)
    os.kill(int(gunicorn.split()[0]), signal.SIGKILL)
    assert proc.wait(timeout=10) == 1
    took, left = stop_group_and_count(proc, site.tag)
    assert left == []
    assert "web exited" in log.read_text()


def _children(pid: int) -> list[str]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                if ppid == pid:
                    with open(f"/proc/{entry}/cmdline", "rb") as f:
                        cmdline = f.read().replace(b"\0", b" ").decode()
                    out.append(f"{entry} {cmdline}")
            except (FileNotFoundError, ProcessLookupError):
                continue
    return out
