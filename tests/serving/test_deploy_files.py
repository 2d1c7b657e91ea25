"""The systemd units stop what they started: KillMode=mixed, and more time to stop than a task may run."""

import configparser
from pathlib import Path

import pytest
from django.conf import settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _unit(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str
    parser.read(DEPLOY / name)
    return parser


@pytest.mark.parametrize("name", ["probono-web.service", "probono-worker.service"])
def test_units_kill_mixed_and_wait_longer_than_a_task_may_run(name):
    service = _unit(name)["Service"]
    assert service["KillMode"] == "mixed"
    assert int(service["TimeoutStopSec"]) > settings.Q_CLUSTER["timeout"]
    assert "LOG_FORMAT=json" in service["Environment"]


def test_the_web_unit_runs_gunicorn_with_our_config_and_the_worker_a_cluster():
    assert "-c python:config.gunicorn" in _unit("probono-web.service")["Service"]["ExecStart"]
    assert _unit("probono-worker.service")["Service"]["ExecStart"].endswith("manage.py qcluster")


def test_nginx_passes_the_scheme_the_client_address_and_a_request_id():
    conf = (DEPLOY / "nginx-probono.conf").read_text()
    for header in ("X-Forwarded-Proto $scheme", "X-Forwarded-For $proxy_add_x_forwarded_for",
                   "X-Request-ID $request_id"):
        assert f"proxy_set_header {header};" in conf
