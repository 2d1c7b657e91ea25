"""A short two-of-everything run (bench/scaleout.py): two gunicorns on two ports and two task clusters against one
PostgreSQL and Redis, booking, cancelling and rebooking, cancellations that make waitlist offers, every periodic
task due, and one cluster SIGKILLed mid-run.

Runs only under `make test-postgres` (it needs a PostgreSQL server to create its own database and starts real
processes); the longer run is `make bench-scaleout`.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.concurrency,
    pytest.mark.skipif(not (DATABASE_URL.startswith(("postgres://", "postgresql://")) and REDIS_URL),
                       reason="NOT RUN: two of everything needs PostgreSQL and Redis (make test-postgres)"),
]


def test_two_web_servers_and_two_clusters_one_killed_send_every_mail_once_and_never_double_book():
    name = f"scaleout-short-{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    run = subprocess.run(
        [sys.executable, "-m", "bench.scaleout", "--seconds", "20", "--clients", "8", "--slots", "3", "--waitlist",
         "3", "--kill-after", "8", "--database-url", DATABASE_URL, "--redis-url", REDIS_URL, "--name", name],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    result_file = ROOT / "bench" / "results" / f"{name}.json"
    assert result_file.exists(), run.stdout[-4000:] + run.stderr[-4000:]
    result = json.loads(result_file.read_text())
    result_file.unlink()
    # Every check holds, the waitlist's included: an offer whose mail task died with the killed cluster is mailed by
    # the periodic sweep for unmailed offers (the run calls it as it would run within 5 minutes).
    assert all(result["checks"].values()), (result["checks"], run.stdout[-3000:])
    assert result["bookings_made"] > 0 and result["waitlist_offers"] == 3
    assert result["five_xx_or_no_answer"] == 0 and result["slots_with_two_active_bookings"] == []
