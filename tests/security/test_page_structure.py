"""Server-side accessibility checks on every page of the security matrix, as every actor who may see it (cheap
enough for `make test`; the browser pass with axe-core is tests/e2e/test_accessibility.py):
a language, a title, one <main>, exactly one <h1>, a label for every control, and every group of radio buttons
or checkboxes inside a <fieldset> with a <legend> (or a labelled role="group"), so the question is read out."""

from collections import defaultdict
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.security.test_url_matrix import READABLE_ROWS, pages_read
from tests.security.world import build_world

UNLABELLED_OK = {"hidden", "submit", "button", "reset", "image"}


class Structure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang = None
        self.title = ""
        self.in_title = False
        self.mains = 0
        self.h1 = 0
        self.label_for = set()
        self.label_depth = 0
        self.controls = []  # (tag, attrs, inside a label)
        self.group_stack = []  # open fieldsets / role=group elements: [tag, has legend or aria label]
        self.groups = defaultdict(list)  # name -> [grouped?]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "title":
            self.in_title = True
        elif tag == "main":
            self.mains += 1
        elif tag == "h1":
            self.h1 += 1
        elif tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag == "fieldset" or a.get("role") in ("group", "radiogroup"):
            self.group_stack.append([tag, bool(a.get("aria-label") or a.get("aria-labelledby"))])
        elif tag == "legend" and self.group_stack:
            self.group_stack[-1][1] = True
        if tag in ("input", "select", "textarea"):
            self.controls.append((tag, a, self.label_depth > 0))
            if tag == "input" and a.get("type") in ("radio", "checkbox") and a.get("name"):
                grouped = any(labelled for _t, labelled in self.group_stack)
                self.groups[a["name"]].append(grouped)

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag == "label":
            self.label_depth = max(0, self.label_depth - 1)
        elif self.group_stack and tag == self.group_stack[-1][0]:
            self.group_stack.pop()

    def handle_data(self, data):
        if self.in_title:
            self.title += data

    def problems(self) -> list[str]:
        found = []
        if not self.lang:
            found.append("no lang on <html>")
        if not self.title.strip():
            found.append("empty <title>")
        if self.mains != 1:
            found.append(f"{self.mains} <main> elements")
        if self.h1 != 1:
            found.append(f"{self.h1} <h1> elements")
        for tag, a, in_label in self.controls:
            if tag == "input" and a.get("type", "text") in UNLABELLED_OK:
                continue
            labelled = in_label or a.get("id") in self.label_for or a.get("aria-label") or a.get("aria-labelledby") \
                or a.get("title")
            if not labelled:
                found.append(f"<{tag} name={a.get('name')!r}> has no label")
        for name, grouped in self.groups.items():
            if len(grouped) > 1 and not all(grouped):
                found.append(f"the {len(grouped)} choices of {name!r} are not in a fieldset with a legend")
        return found


def structure_problems(html: str) -> list[str]:
    parser = Structure()
    parser.feed(html)
    return parser.problems()


def test_the_checker_finds_what_it_should():
    bad = ('<html><head><title> </title></head><body><main><h1>a</h1><h1>b</h1><input name="q">'
           '<label>Size?</label><input type="radio" name="s" id="s0"><label for="s0">S</label>'
           '<input type="radio" name="s" id="s1"><label for="s1">L</label></main></body></html>')
    assert len(structure_problems(bad)) == 5, structure_problems(bad)
    good = ('<html lang="en"><head><title>T</title></head><body><main><h1>a</h1><label for="q">Q</label>'
            '<input id="q" name="q"><fieldset><legend>Size?</legend><label><input type="radio" name="s"> S</label>'
            '<label><input type="radio" name="s"> L</label></fieldset></main></body></html>')
    assert structure_problems(good) == []


HTML_ROWS = [row for row in READABLE_ROWS
             if not row.name.endswith((".csv", "_csv", "calendar_feed", "booking_ics", "company_export"))]


@pytest.mark.parametrize("row", HTML_ROWS, ids=lambda r: r.name)
def test_every_page_has_landmarks_headings_and_labelled_controls(db, row):
    found = {}
    url = ""
    for actor, url, response in pages_read(build_world(), row):
        if not response["Content-Type"].startswith("text/html"):
            continue
        problems = structure_problems(response.content.decode())
        if problems:
            found[actor] = problems
    assert not found, f"{url}: {found}"


@pytest.mark.parametrize("name", ["home", "consultants:directory", "account_login", "account_signup"])
def test_public_pages_have_landmarks_headings_and_labelled_controls(client, db, name):
    response = client.get(reverse(name))
    assert structure_problems(response.content.decode()) == []
