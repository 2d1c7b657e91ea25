"""The interactive API docs: Swagger UI served from our static files, under the site's own CSP."""

from tests.security.test_csp import check_page


def test_the_docs_page_loads_swagger_from_our_static_files_and_needs_no_inline_code(db, client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "/static/js/api-docs.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert check_page(page) == []
    assert "script-src 'self'" in page["Content-Security-Policy"]
