"""One JSON line per request (method, route template, status, duration, request id), and Sentry only with a DSN."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.logs import JsonFormatter

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def request_lines(settings, caplog):
    caplog.set_level(logging.INFO, logger="probono.request")
    return lambda: [r for r in caplog.records if r.name == "probono.request"]


@pytest.mark.django_db
def test_each_request_logs_one_line_with_the_route_template_never_the_raw_path(client, request_lines):
    # A secret link carries its token in the path: the log must show the route, not the token.
    token = "s3cr3t-token-that-must-not-be-logged"
    response = client.get(f"/manage/{token}/")
    lines = request_lines()
    assert len(lines) == 1
    line = lines[0]
    assert line.method == "GET" and line.status == response.status_code
    assert token not in line.path and "<" in line.path, line.path
    assert line.duration_ms >= 0
    formatted = json.loads(JsonFormatter().format(line))
    assert formatted["path"] == line.path and formatted["status"] == response.status_code


@pytest.mark.django_db
def test_the_request_id_comes_from_the_proxy_when_it_looks_like_one_and_is_new_otherwise(client, request_lines):
    response = client.get("/", HTTP_X_REQUEST_ID="0123456789abcdef0123456789abcdef")
    assert response["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
    forged = client.get("/", HTTP_X_REQUEST_ID='x" injected\nlevel=ERROR')
    assert forged["X-Request-ID"] != 'x" injected\nlevel=ERROR'
    assert len(forged["X-Request-ID"]) == 32 and forged["X-Request-ID"].isalnum()
    assert client.get("/")["X-Request-ID"] != client.get("/")["X-Request-ID"]


@pytest.mark.django_db
def test_log_lines_written_during_a_request_carry_its_id(client, caplog, settings):
    from config import logs

    seen = []

    class Capture(logging.Handler):
        def emit(self, record):
            seen.append(json.loads(JsonFormatter().format(record)))

    handler = Capture()
    logs.request_logger.addHandler(handler)
    caplog.set_level(logging.INFO, logger="probono.request")
    try:
        response = client.get("/consultants/")
    finally:
        logs.request_logger.removeHandler(handler)
    assert seen and seen[-1]["request_id"] == response["X-Request-ID"]
    assert seen[-1]["path"] == "/consultants/" and seen[-1]["status"] == 200 and seen[-1]["method"] == "GET"


def test_the_json_formatter_writes_one_line_with_the_traceback_and_the_extra_fields():
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        record = logging.getLogger("x").makeRecord("x", logging.ERROR, __file__, 1, "failed %s", ("here",),
                                                   sys.exc_info(), extra={"booking": 42})
    text = JsonFormatter().format(record)
    assert "\n" not in text
    line = json.loads(text)
    assert line["message"] == "failed here" and line["level"] == "ERROR" and line["booking"] == 42
    assert "ValueError: boom" in line["exc"] and line["time"].endswith("+00:00")


def _unzip(body: bytes) -> bytes:
    import gzip

    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body


def _python(code: str, **env) -> subprocess.CompletedProcess:
    test_only = {"PROBONO_TESTING", "Q_SYNC", "SENTRY_DSN", "DEBUG"}
    base = {k: v for k, v in os.environ.items() if k not in test_only}
    env = {**base, "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "k" * 50, **env}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


SENTRY_PROBE = """
import django, sentry_sdk
django.setup()
client = sentry_sdk.get_client()
print("active" if client.is_active() else "inactive")
if client.is_active():
    print("pii" if client.options["send_default_pii"] else "no-pii")
    try:
        raise RuntimeError("probe")
    except RuntimeError:
        sentry_sdk.capture_exception()
    sentry_sdk.flush(10)
"""


def test_without_sentry_dsn_nothing_is_set_up():
    result = _python(SENTRY_PROBE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["inactive"]


def test_with_sentry_dsn_errors_are_sent_there_without_personal_data(httpserver):
    httpserver.expect_request("/api/1/envelope/", method="POST").respond_with_data("{}")
    dsn = f"http://publickey@127.0.0.1:{httpserver.port}/1"
    result = _python(SENTRY_PROBE, SENTRY_DSN=dsn)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["active", "no-pii"]
    bodies = [_unzip(request.get_data()) for request, _ in httpserver.log]
    assert bodies and any(b"RuntimeError" in body and b"probe" in body for body in bodies)
