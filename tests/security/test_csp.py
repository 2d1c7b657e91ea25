"""Every page carries the Content-Security-Policy (and the anti-framing, no-sniff and referrer headers), and
nothing on it needs 'unsafe-inline': no <script> without src (or a nonce), no style="" attribute, no <style>
block without a nonce, no on*="" event handler attribute.

Every GET page of the security matrix is rendered as every actor who may see it, plus the public pages.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.security.test_url_matrix import READABLE_ROWS, pages_read
from tests.security.world import build_world

PUBLIC_PAGES = ["home", "consultants:directory", "account_login", "account_signup", "account_reset_password",
                "account_request_login_code"]


class InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        where = self.getpos()[0]
        if tag == "script" and not a.get("src") and not a.get("nonce"):
            self.problems.append(f"line {where}: inline <script> without src or nonce")
        if tag == "style" and not a.get("nonce"):
            self.problems.append(f"line {where}: <style> block without nonce")
        if "style" in a:
            self.problems.append(f"line {where}: <{tag} style=\"{a['style']}\">")
        for name in a:
            if name.startswith("on"):
                self.problems.append(f"line {where}: <{tag} {name}=…> event handler attribute")
        if a.get("href", "") and a["href"].strip().lower().startswith("javascript:"):
            self.problems.append(f"line {where}: javascript: link")
        for name, value in a.items():  # htmx attributes that evaluate code (base.html also sets allowEval false)
            if name.startswith(("hx-on", "data-hx-on")) or (
                    name in ("hx-vals", "hx-vars", "data-hx-vals") and (value or "").strip().startswith("js:")):
                self.problems.append(f"line {where}: <{tag} {name}=…> evaluates code")


def inline_problems(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.problems


def check_page(response) -> list[str]:
    problems = []
    policy = response.headers.get("Content-Security-Policy", "")
    if not policy:
        problems.append("no Content-Security-Policy header")
    directives = {d.strip().split(" ")[0]: d for d in policy.split(";") if d.strip()}
    for name in ("script-src", "style-src"):
        if "'unsafe-inline'" in directives.get(name, "") or "'unsafe-eval'" in directives.get(name, ""):
            problems.append(f"{name} allows unsafe code: {directives[name]}")
    for header, value in (("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff"),
                          ("Referrer-Policy", "same-origin")):
        if response.headers.get(header) != value:
            problems.append(f"{header} is {response.headers.get(header)!r}, not {value!r}")
    if "frame-ancestors 'none'" not in policy:
        problems.append("CSP lacks frame-ancestors 'none'")
    if response["Content-Type"].startswith("text/html"):
        problems += inline_problems(response.content.decode())
    return problems


def test_the_finder_catches_what_csp_would_block():
    html = ('<script>alert(1)</script><script src="/static/x.js"></script><p style="color:red">'
            '<button onclick="x()">x</button><style>p{}</style><a href="javascript:void(0)">x</a>'
            '<div hx-on:click="x()"></div><div hx-vals="js:{a: x()}"></div>')
    problems = inline_problems(html)
    assert len(problems) == 7, problems
    assert inline_problems('<script nonce="abc">x</script><style nonce="abc"></style>') == []


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_need_no_inline_code(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert check_page(response) == []


@pytest.mark.parametrize("row", READABLE_ROWS, ids=lambda r: r.name)
def test_every_page_of_the_matrix_needs_no_inline_code(db, row):
    found = {}
    for actor, url, response in pages_read(build_world(), row):
        assert response.status_code == 200, (actor, url)
        problems = check_page(response)
        if problems:
            found[actor] = problems
    assert not found, f"{url}: {found}"


def test_htmx_may_not_evaluate_code(client, db):
    html = client.get(reverse("home")).content.decode()
    assert '"allowEval": false' in html



def test_error_pages_need_no_inline_code(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert check_page(response) == []
