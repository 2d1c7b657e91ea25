"""Start and stop the app server (gunicorn) and the task cluster for the bench scripts, on 127.0.0.1 only."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOG_DIR = BASE_DIR / "var" / "bench" / "logs"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def python(module: str, *args: str, env: dict, stdin: str | None = None, timeout: float = 900) -> str:
    """Run `python -m module args` in a child process with `env`; return its stdout (raise on failure)."""
    result = subprocess.run([sys.executable, "-m", module, *args], input=stdin, capture_output=True, text=True,
                            env=env, cwd=BASE_DIR, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{module} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result.stdout


def collectstatic(env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env=env, cwd=BASE_DIR,
                   check=True, timeout=300)


def load(spec: dict, env: dict) -> dict:
    """One load run from its own process (so the generator's threads never share the server's CPU time slice)."""
    return json.loads(python("bench.loadgen", env=env, stdin=json.dumps(spec),
                             timeout=spec.get("seconds", 8) + spec.get("timeout", 60) + 60))


class Gunicorn:
    def __init__(self, env: dict, *, workers: int = 2, name: str = "bench", threads: int = 1, timeout: int = 60,
                 app: str = "config.wsgi:application"):
        self.env, self.workers, self.threads, self.timeout, self.app = env, workers, threads, timeout, app
        self.port = free_port()
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / f"gunicorn-{name}.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self) -> None:
        # DEBUG is off, so pages need the collected, hashed static files: without them every rendered page
        # is a 500 (a fresh clone has none). Cheap when already collected.
        if self.app == "config.wsgi:application":
            collectstatic(self.env)
        cmd = [str(BIN / "gunicorn"), self.app, "--workers", str(self.workers),
               "--threads", str(self.threads), "--bind", f"127.0.0.1:{self.port}", "--no-control-socket",
               "--timeout", str(self.timeout), "--graceful-timeout", "5", "--log-level", "warning"]
        self.log = open(self.log_path, "w")  # noqa: SIM115 -- closed in stop()
        self.proc = subprocess.Popen(cmd, env=self.env, cwd=BASE_DIR, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_path.read_text()[-3000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/bench/baseline/")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        if getattr(self, "log", None):
            self.log.close()

    def worker_pids(self) -> list[int]:
        """The master's children (the sync workers), from /proc (Linux)."""
        if not self.proc:
            return []
        try:
            text = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return []
        return sorted(int(pid) for pid in text.split())

    def worker_rss(self) -> dict[int, float]:
        """{worker pid: resident set size in MB}."""
        sizes = {}
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes[pid] = round(int(line.split()[1]) / 1024, 1)
            except OSError:
                continue
        return sizes

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class QCluster:
    """`manage.py qcluster` in its own process group, so SIGKILL takes its workers down with it."""

    def __init__(self, env: dict, name: str = "bench"):
        self.env = env
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / f"qcluster-{name}.log"
        self.proc: subprocess.Popen | None = None
        self.runs = 0

    def start(self) -> None:
        self.runs += 1
        self.log = open(self.log_path, "a")  # noqa: SIM115 -- closed in stop()/kill()
        self.proc = subprocess.Popen([sys.executable, "manage.py", "qcluster"], env=self.env, cwd=BASE_DIR,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self) -> None:
        """SIGKILL the whole cluster (sentinel, pusher, workers) at once: no cleanup, like a crashed machine."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.log.close()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        if getattr(self, "log", None) and not self.log.closed:
            self.log.close()
