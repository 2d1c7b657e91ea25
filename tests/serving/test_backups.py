"""Backups restore into a fresh database that the app then serves: SQLite through `manage.py backup_sqlite` (the
online backup API, taken while another process keeps writing), PostgreSQL through pg_dump -Fc / pg_restore."""

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.serving.procs import ON_POSTGRES, ROOT, Site, _create_database, _drop_database

pytestmark = pytest.mark.processes  # migrations and several processes per test: make test-processes

SEED = """
import django, sys
django.setup()
from tests.factories import BookingFactory, ConsultantFactory
consultant = ConsultantFactory(display_name="Backup Consultant Åsa", slug="backup-asa")
for _ in range(3):
    BookingFactory(slot__consultant=consultant)
print(consultant.slug)
"""

WRITER = """
import django, time, uuid
django.setup()
from tests.factories import UserFactory
while True:  # keeps writing while the backup is taken; killed by the test
    UserFactory(email=f"writer-{uuid.uuid4().hex}@example.com")
    time.sleep(0.01)
"""

SERVE = """
import django
django.setup()
from django.test import Client
from accounts.models import User
from booking.models import Booking
response = Client().get("/consultants/backup-asa/", HTTP_HOST="127.0.0.1", secure=True)
body = response.content.decode()
print(response.status_code, "Backup Consultant Åsa" in body, Booking.objects.count(), User.objects.count())
"""


def _python(code: str, env: dict) -> str:
    env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    # The script's answer is its last line: django-q logs each task it enqueues (the roll-up refresh) to stdout.
    return result.stdout.strip().splitlines()[-1]


def _sqlite_site(tmp_path: Path) -> Site:
    site = Site.__new__(Site)
    site.tmp, site.tag, site.database_url = tmp_path, "backup", ""
    site.env = {k: v for k, v in Site(tmp_path, "unused").env.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    site.env["SQLITE_PATH"] = str(tmp_path / "live.sqlite3")
    return site


def test_an_sqlite_backup_taken_while_the_site_writes_restores_into_a_fresh_file_the_app_serves(tmp_path):
    site = _sqlite_site(tmp_path)
    site.manage("migrate", "--noinput", DEBUG="false")
    site.manage("collectstatic", "--noinput", "-v", "0", DEBUG="false")
    assert _python(SEED, site.env) == "backup-asa"
    writer = subprocess.Popen([sys.executable, "-c", WRITER], cwd=ROOT, stdout=subprocess.DEVNULL,
                              env={**site.env, "DJANGO_SETTINGS_MODULE": "config.settings"}, stderr=subprocess.PIPE)
    try:
        backup = tmp_path / "backups" / "probono.sqlite3"
        out = site.manage("backup_sqlite", str(backup), DEBUG="false").stdout
        assert writer.poll() is None, writer.stderr.read().decode()[-2000:]  # the writer was never blocked out
    finally:
        writer.kill()
        writer.wait()
    assert "Backed up" in out and backup.exists()
    assert not list(backup.parent.glob(".*partial*"))

    restored = tmp_path / "fresh" / "probono.sqlite3"
    restored.parent.mkdir()
    shutil.copy(backup, restored)  # the documented restore: a plain copy of the one file
    status, named, bookings, users = _python(SERVE, {**site.env, "SQLITE_PATH": str(restored)}).split()
    assert (status, named, bookings) == ("200", "True", "3")
    assert int(users) >= 4  # the consultant and three bookers, plus whatever the writer had committed


def test_backup_sqlite_refuses_to_overwrite_the_database_itself(tmp_path):
    site = _sqlite_site(tmp_path)
    site.manage("migrate", "--noinput", DEBUG="false")
    result = subprocess.run([sys.executable, "manage.py", "backup_sqlite", site.env["SQLITE_PATH"]], cwd=ROOT,
                            env={**site.env, "DEBUG": "false"}, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "PATH is the database itself" in result.stderr


@pytest.mark.skipif(not ON_POSTGRES, reason="NOT RUN: pg_dump/pg_restore need PostgreSQL (make test-postgres)")
def test_a_pg_dump_restores_with_pg_restore_into_a_fresh_database_the_app_serves(tmp_path):
    site = Site(tmp_path, "backup_src")
    fresh_url = urlparse(site.database_url)._replace(path=f"{urlparse(site.database_url).path}_restored").geturl()
    try:
        site.manage("migrate", "--noinput", DEBUG="false")
        site.manage("collectstatic", "--noinput", "-v", "0", DEBUG="false")
        assert _python(SEED, site.env) == "backup-asa"
        dump = tmp_path / "probono.dump"
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", site.database_url], check=True,
                       timeout=300)
        _create_database(fresh_url)
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={fresh_url}", str(dump)],
                       check=True, timeout=300)
        status, named, bookings, users = _python(SERVE, {**site.env, "DATABASE_URL": fresh_url}).split()
        assert (status, named, bookings, users) == ("200", "True", "3", "4")
    finally:
        _drop_database(fresh_url)
        site.drop()
