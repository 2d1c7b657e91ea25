"""Settings come from the environment through strict helpers; production settings pass check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("raw,expected", [("true", True), ("1", True), ("YES", True), ("on", True),
                                          ("false", False), ("0", False), ("No", False), ("off", False)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", not expected) is expected


@pytest.mark.parametrize("raw", ["ture", "2", "enabled", "yes please"])
def test_env_bool_rejects_anything_else(monkeypatch, raw):
    monkeypatch.setenv("X_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)


def test_env_bool_uses_the_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("X_FLAG", raising=False)
    assert env_bool("X_FLAG", True) is True
    monkeypatch.setenv("X_FLAG", "")
    assert env_bool("X_FLAG", False) is False


def test_env_int_rejects_words(monkeypatch):
    monkeypatch.setenv("X_NUM", "sixty")
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "60")
    assert env_int("X_NUM", 1) == 60


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("X_HOSTS", " a.example , b.example,, ")
    assert env_list("X_HOSTS", []) == ["a.example", "b.example"]


def _manage(*args, **env):
    test_only = {"DEBUG", "SECRET_KEY", "PROBONO_TESTING", "Q_SYNC", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in test_only}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=120)


def test_secret_key_is_required_when_debug_is_off():
    result = _manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_bad_debug_value_stops_the_process():
    result = _manage("check", DEBUG="ture", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="false", SECRET_KEY="k3y-" + "9f8e7d6c5b4a" * 6, ALLOWED_HOSTS="probono.example.com",
        CSRF_TRUSTED_ORIGINS="https://probono.example.com", SITE_URL="https://probono.example.com",
        CALENDAR_ENCRYPTION_KEY="r2Jq0c7hWJ8u0n1o3T3cX6pGZ0uVZ7c8o3xv5Jb9QyE=",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_offline_commands_run_without_a_secret_key_but_serving_ones_do_not():
    assert _manage("makemigrations", "--check", "--dry-run", DEBUG="false").returncode == 0
    assert _manage("check", DEBUG="false").returncode != 0


def test_sqlite_connections_use_wal_and_a_64_mb_page_cache(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite pragmas; PostgreSQL has its own shared buffers")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == -64000


def test_make_run_on_another_port_makes_links_in_mails_point_at_that_port():
    base = Path(__file__).resolve().parent.parent
    out = subprocess.run(["make", "-n", "run", "PORT=8011"], cwd=base, capture_output=True, text=True,
                         check=True).stdout
    demo = next(line for line in out.splitlines() if "demo_data" in line)
    server = next(line for line in out.splitlines() if "config.launcher run" in line)
    assert "SITE_URL=http://127.0.0.1:8011" in demo and "SITE_URL=http://127.0.0.1:8011" in server


def test_q_broker_orm_keeps_the_queue_in_the_database_while_redis_serves_the_cache():
    probe = "from django.conf import settings as s; print(sorted(k for k in ('orm', 'redis') if k in s.Q_CLUSTER))"
    redis = "redis://127.0.0.1:6379/9"
    assert _last_line(_manage("shell", "-c", probe, DEBUG="true", REDIS_URL=redis)) == "['redis']"
    assert _last_line(_manage("shell", "-c", probe, DEBUG="true", REDIS_URL=redis, Q_BROKER="orm")) == "['orm']"
    refused = _manage("check", DEBUG="true", Q_BROKER="redis", REDIS_URL="")
    assert refused.returncode != 0 and "Q_BROKER" in refused.stderr


def _last_line(result) -> str:
    return result.stdout.strip().splitlines()[-1]
