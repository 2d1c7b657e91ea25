"""Start Probono's processes together and stop every one of them together: `make run` and `make serve`.

    python -m config.launcher run   --port 8000    # runserver + a django-q2 cluster (development)
    python -m config.launcher serve --port 8000    # gunicorn (WEB_CONCURRENCY workers) + a django-q2 cluster

Why a launcher of our own: a shell `trap` in the Makefile left the qcluster master running without a parent when
SIGTERM reached the process group (what systemd and a closing terminal send), and django-q2's own signal handler
does work that is not signal-safe, so a second signal while it is stopping can hang it. Here:

- each child runs in a process group of its own, so a Ctrl-C or a SIGTERM to our group reaches only the launcher,
  which forwards SIGTERM to each child's whole group exactly once (no child ever sees two signals);
- a second Ctrl-C, or the grace period (LAUNCHER_GRACE, default 8 s) running out, sends SIGKILL to those groups:
  tasks are idempotent and at-least-once, so a killed worker loses nothing;
- when one child exits on its own, the others are stopped the same way and the launcher exits non-zero;
- before exiting, SIGKILL goes to every child's group once more, which takes any grandchild whose parent went
  first (a qcluster worker, a runserver reloader child) — nothing is left behind;
- on Linux each child also gets SIGTERM if the launcher itself is killed (PR_SET_PDEATHSIG).

Standard library only: it must work before Django is importable and must not depend on the code it supervises.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _say(message: str) -> None:
    print(f"launcher: {message}", file=sys.stderr, flush=True)


class Child:
    def __init__(self, name: str, argv: list[str]):
        self.name, self.argv = name, argv
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - our own argv
            self.argv, cwd=BASE_DIR, stdin=subprocess.DEVNULL, process_group=0, preexec_fn=_die_with_parent
        )

    @property
    def exited(self) -> bool:
        return self.proc is None or self.proc.poll() is not None

    def signal_group(self, signum: int) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signum)  # the group's id is the child's pid (process_group=0)
        except (ProcessLookupError, PermissionError):
            pass


def commands(mode: str, *, host: str, port: int) -> list[Child]:
    python = sys.executable
    cluster = Child("tasks", [python, "manage.py", "qcluster"])
    if mode == "run":
        web = Child("web", [python, "manage.py", "runserver", f"{host}:{port}"])
    else:
        web = Child("web", [python, "-m", "gunicorn", "config.wsgi", "--config", "python:config.gunicorn",
                            "--bind", f"{host}:{port}", "--no-control-socket"])
    return [web, cluster]


def supervise(children: list[Child], *, grace: float) -> int:
    requested: list[int] = []

    def on_signal(signum, frame):  # only records it: the loop below does the work, outside the handler
        requested.append(signum)

    for signum in STOP_SIGNALS:
        signal.signal(signum, on_signal)

    exit_code = 0
    stop_at = kill_at = None
    try:
        for child in children:
            child.start()
        while not all(child.exited for child in children):
            now = time.monotonic()
            if stop_at is None:
                gone = [c for c in children if c.exited]
                if requested or gone:
                    if gone and not requested:
                        exit_code = 1
                        _say(f"{gone[0].name} exited with code {gone[0].proc.returncode}; stopping the others")
                    else:
                        _say(f"stopping (signal {signal.Signals(requested[0]).name}; {grace:g} s before SIGKILL)")
                    stop_at, kill_at = now, now + grace
                    for child in children:
                        if not child.exited:
                            child.proc.send_signal(signal.SIGTERM)
            elif kill_at is not None and (now >= kill_at or len(requested) > 1):
                _say("grace period over: SIGKILL" if now >= kill_at else "second signal: SIGKILL")
                for child in children:
                    child.signal_group(signal.SIGKILL)
                kill_at = None
            time.sleep(0.05)
    finally:
        # Grandchildren whose parent went first are still in that parent's group: take them too.
        for child in children:
            child.signal_group(signal.SIGKILL)
        for child in children:
            if child.proc is not None:
                try:
                    child.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
    return exit_code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["run", "serve"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--grace", type=float, default=float(os.environ.get("LAUNCHER_GRACE", "8")))
    args = parser.parse_args(argv)
    return supervise(commands(args.mode, host=args.host, port=args.port), grace=args.grace)


if __name__ == "__main__":
    sys.exit(main())
