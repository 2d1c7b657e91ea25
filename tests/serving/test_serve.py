"""`make serve`: migrate, collectstatic, gunicorn + a task cluster with DEBUG off, JSON lines on stdout, one line per
request. Runs on SQLite under `make test-processes`' first pass and on PostgreSQL + Redis under its second."""

import json
import signal

import pytest

from tests.serving.procs import (
    MAKE,
    Site,
    free_port,
    processes_with_tag,
    start,
    stop_group_and_count,
    wait_for_health,
)

pytestmark = pytest.mark.processes
BEHIND_NGINX = {"X-Forwarded-Proto": "https"}


def _get(port, path, headers=None):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", **BEHIND_NGINX, **(headers or {})})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_make_serve_serves_with_debug_off_logs_json_lines_and_stops_cleanly(tmp_path):
    site = Site(tmp_path, "serve")
    try:
        port = free_port()
        log = tmp_path / "serve.log"
        # From an empty database: make serve migrates and collects the static files itself.
        proc = start([*MAKE, "serve", f"PORT={port}", "WEB_CONCURRENCY=3", f"STATIC_ROOT={tmp_path / 'static'}"],
                     site.env, log)
        try:
            health_headers = wait_for_health(port, proc, log, seconds=120)
            status, headers, body = _get(port, "/consultants/", {"X-Request-ID": "nginx-0123456789abcdef"})
            assert status == 200
            assert headers["X-Request-ID"] == "nginx-0123456789abcdef"
            css = next(part.split('"')[0] for part in body.split('href="')[1:] if part.startswith("/static/css/"))
            assert css != "/static/css/probono.css", "DEBUG off serves the hashed, collected files"
            assert _get(port, css)[0] == 200
            status, _, body = _get(port, "/no/such/page/")
            assert status == 404 and "could not find that page" in body and "Traceback" not in body
            workers = _gunicorn_workers(site.tag)
        finally:
            took, left = stop_group_and_count(proc, site.tag, signal.SIGTERM)
        assert left == [] and took < 10
        assert workers == 3
        lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
        requests = [line for line in lines if line["logger"] == "probono.request"]
        page = next(r for r in requests if r["path"] == "/consultants/")
        assert page["status"] == 200 and page["method"] == "GET" and page["duration_ms"] > 0
        assert page["request_id"] == "nginx-0123456789abcdef"
        assert {r["path"] for r in requests if r["status"] == 404} == {"(unmatched)"}
        assert any(r["path"] == "/healthz" and r["request_id"] == health_headers["X-Request-ID"] for r in requests)
        assert any(line["logger"] == "django-q" for line in lines), "the cluster logs JSON lines too"
        assert any(line["logger"].startswith("gunicorn") for line in lines), "and gunicorn"
    finally:
        site.drop()


def _gunicorn_workers(tag: str) -> int:
    return sum("gunicorn" in line for line in processes_with_tag(tag)) - 1  # minus the master
