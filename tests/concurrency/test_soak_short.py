"""Five seconds of the booking load test (bench/load.py) against a live gunicorn on PostgreSQL.

Runs only under `make test-postgres`: it needs a PostgreSQL server to create its own database (probono_soak_<pid>,
next to the test database) and starts real processes. Under `make test` (SQLite) it is skipped, and says so;
the 60-second version on both databases is `make bench-load`.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")

pytestmark = [
    pytest.mark.concurrency,
    pytest.mark.skipif(not DATABASE_URL.startswith(("postgres://", "postgresql://")),
                       reason="NOT RUN: the booking soak needs PostgreSQL (make test-postgres); "
                              "SQLite is covered by make bench-load"),
]


def test_five_seconds_of_booking_cancelling_and_rebooking_give_no_5xx_no_double_booking_and_every_mail_task():
    # Names of its own per run: two test-postgres runs on one server must not drop each other's database.
    name = f"soak-postgresql-{os.getpid()}"
    soak_url = urlparse(DATABASE_URL)._replace(path=f"/probono_soak_{os.getpid()}").geturl()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    try:
        run = subprocess.run(
            [sys.executable, "-m", "bench.load", "--seconds", "5", "--clients", "20", "--slots", "4", "--scale",
             "0.02", "--database-url", soak_url, "--name", name],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )
    finally:
        _drop_database(soak_url)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    result_file = ROOT / "bench" / "results" / f"{name}.json"
    result = json.loads(result_file.read_text())
    result_file.unlink()
    assert result["bookings_made"] > 0 and result["bookings_cancelled"] > 0
    assert result["five_xx_or_no_answer"] == 0
    assert result["database_is_locked"] == 0
    assert result["slots_with_two_active_bookings"] == []
    assert result["missing_confirmation_task_count"] == 0
    assert all(result["checks"].values()), result["checks"]


def _drop_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
