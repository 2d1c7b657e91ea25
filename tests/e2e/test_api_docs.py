"""The API docs page in a real browser: Swagger UI shows every operation, loads nothing from elsewhere, and the
site's CSP blocks nothing on it."""

import pytest


@pytest.mark.e2e
def test_swagger_ui_renders_every_operation_without_a_csp_violation(live_server, page, transactional_db):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url)
            and not r.url.startswith("data:") else None)
    page.goto(live_server.url + "/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".opblock").count() >= 19
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert external == []
