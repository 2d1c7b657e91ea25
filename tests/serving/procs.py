"""Real processes for the serving tests: a database of their own, free ports, start, wait, stop, count leftovers."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))
# What pytest sets for the test process only; the served app must run as in production.
TEST_ONLY = {"DEBUG", "PROBONO_TESTING", "Q_SYNC", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "SQLITE_PATH",
             "SECRET_KEY", "ALLOWED_HOSTS", "LOG_FORMAT", "LOG_REQUESTS", "SENTRY_DSN", "PORT",
             "DJANGO_SETTINGS_MODULE"}
# `make` would rebuild the shared virtualenv when requirements.lock is newer than its stamp: treat both as done.
MAKE = ["make", "--no-print-directory", "-o", ".venv/.run-installed", "-o", "messages"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    """A database made for one test module (a SQLite file, or a PostgreSQL database next to the test database
    under make test-postgres, with its Redis), migrated once, and the environment to serve it."""

    def __init__(self, tmp: Path, name: str):
        self.tmp = tmp
        self.tag = uuid.uuid4().hex
        env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
        env.update(SECRET_KEY="serving-test-" + "k3y9" * 12, ALLOWED_HOSTS="127.0.0.1",
                   STATIC_ROOT=str(tmp / "static"), MEDIA_ROOT=str(tmp / "media"), LAUNCHER_TEST_TAG=self.tag,
                   EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", Q_HEARTBEAT_MAX_AGE="60")
        if ON_POSTGRES:
            self.database_url = urlparse(DATABASE_URL)._replace(path=f"/probono_{name}_{os.getpid()}").geturl()
            _create_database(self.database_url)
            env["DATABASE_URL"] = self.database_url
            env["CONN_MAX_AGE"] = "0"
        else:
            self.database_url = ""
            env["SQLITE_PATH"] = str(tmp / "probono.sqlite3")
        self.env = env

    def manage(self, *args: str, **extra) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**self.env, **extra},
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return result

    def prepare(self) -> None:
        self.manage("migrate", "--noinput", DEBUG="false")
        self.manage("collectstatic", "--noinput", "-v", "0", DEBUG="false")

    def drop(self) -> None:
        if self.database_url:
            _drop_database(self.database_url)


def start(argv: list[str], env: dict, log: Path) -> subprocess.Popen:
    """A session of its own, like a terminal's or a systemd unit's: its process group is what gets the signal."""
    with open(log, "ab") as out:
        return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def get(port: int, path: str, timeout: float = 5) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def wait_for_health(port: int, proc: subprocess.Popen, log: Path, seconds: float = 60) -> dict:
    """Until /healthz is 200: the database answers and the task cluster's heartbeat is there."""
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"exited with {proc.returncode} before serving:\n{log.read_text()[-4000:]}")
        try:
            status, headers, body = get(port, "/healthz", timeout=2)
            last = (status, body[:300])
            if status == 200:
                return headers
        except OSError as e:
            last = e
        time.sleep(0.25)
    raise AssertionError(f"/healthz never answered 200 on {port}: {last}\n{log.read_text()[-4000:]}")


def processes_with_tag(tag: str) -> list[str]:
    """Every process on the machine whose environment carries the tag: whatever it was started as, whichever
    session or group it moved to, a process we started (or one started by it) is found here."""
    found = []
    needle = f"LAUNCHER_TEST_TAG={tag}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
                found.append(f"{entry.name} {cmdline}")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found


def stop_group_and_count(proc: subprocess.Popen, tag: str, signum: int = signal.SIGTERM,
                         within: float = 10) -> tuple[float, list[str]]:
    """Send `signum` to the process group (as systemd or a closing terminal does) and wait up to `within`
    seconds for every tagged process to be gone. Returns the seconds it took and what is left."""
    started = time.monotonic()
    try:
        os.killpg(proc.pid, signum)
    except ProcessLookupError:  # the group's leader and every member are gone already
        pass
    try:
        proc.wait(timeout=within)
    except subprocess.TimeoutExpired:
        pass
    left = processes_with_tag(tag)
    while left and time.monotonic() - started < within:
        time.sleep(0.1)
        left = processes_with_tag(tag)
    took = time.monotonic() - started
    for line in left:  # never leave them running for the next test, whatever the assertion says
        try:
            os.kill(int(line.split()[0]), signal.SIGKILL)
        except ProcessLookupError:
            pass
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    return took, left


def _create_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
