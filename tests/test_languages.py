"""Every page in Swedish and Danish reads as Swedish and Danish: no English month abbreviation ("4 Dec 2026",
"28 Okt 2026"), no "a.m."/"p.m." (in any language: we use a 24-hour clock), and no msgid of our own catalog shown
untranslated.

It reads the compiled catalogs (locale/<lang>/LC_MESSAGES/django.mo) for what is translated, and the .po beside
each for the full list of msgids, so a new string without its Swedish and Danish fails `make test` (which compiles
the catalogs first).
"""

import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.security.matrix import MATRIX
from tests.security.world import build_world

NOT_PAGES = {"reports:conversions_csv", "reports:leads_csv", "reports:company_export", "booking:calendar_feed",
             "booking:booking_ics", "engagements:checkout_success"}
PUBLIC = ("home", "consultants:directory", "account_login", "account_signup", "account_reset_password",
          "account_request_login_code")
ROLES = ("anonymous", "member", "consultant", "staff")
ENGLISH_MONTH = re.compile(
    r"(\d\.?\s(Jan|Feb|Mar|Apr|May|Maj|Jun|Jul|Aug|Sep|Sept|Oct|Okt|Nov|Dec)\b)"
    r"|(\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?\s\d)")
AM_PM = re.compile(r"\b[ap]\.m\.(?=\W|$)")
PLACEHOLDER = re.compile(r"%(\([a-z_]+\))?[sd]|\{[^}]*\}|<[^>]+>")


class _Text(HTMLParser):
    """The page's visible text nodes (not scripts, styles, or attributes)."""

    def __init__(self):
        super().__init__()
        self.nodes: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skip:
            self.nodes.append(text)


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.nodes


def untranslated_msgids(lang: str) -> set[str]:
    """msgids of our catalog that the compiled catalog has no translation for."""
    base = Path(settings.BASE_DIR) / "locale" / lang / "LC_MESSAGES"
    with open(base / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    catalog = compiled._catalog  # noqa: SLF001 (the .mo's own table: msgid → msgstr, translated entries only)
    found = set()
    for entry in polib.pofile(str(base / "django.po")):
        if entry.obsolete or entry.msgid_plural:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        text = entry.msgid
        if PLACEHOLDER.search(text) or len(text) < 4 or not re.search(r"[a-z]{3}", text):
            continue  # a bare word like "NPS" or a format string: too short or not a phrase of its own
        if key not in catalog:  # a translation equal to its msgid ("Status", "Pipeline") is still a translation
            found.add(text)
    return found


def pages(world, actor: str) -> list[str]:
    urls = []
    if actor == "anonymous":
        for name in PUBLIC:
            try:
                urls.append(reverse(name))
            except NoReverseMatch:
                pass
    for row in MATRIX:
        if row.name not in NOT_PAGES and row.get.get(actor) == 200:
            urls.append(reverse(row.name, kwargs=row.kwargs(world)))
    return urls


def problems_on(html: str, untranslated: set[str], *, english: bool) -> list[str]:
    nodes = visible_text(html)
    text = " ".join(nodes)
    found = [f"a.m./p.m.: …{text[max(m.start() - 30, 0):m.end() + 5]}…" for m in AM_PM.finditer(text)]
    if english:
        return found
    found += [f"English month: …{text[max(m.start() - 20, 0):m.end() + 10]}…" for m in ENGLISH_MONTH.finditer(text)]
    long_ones = [m for m in untranslated if len(m.split()) >= 3]
    for node in nodes:
        if node in untranslated:
            found.append(f"untranslated: {node!r}")
    for msgid in long_ones:
        if msgid in text and msgid not in nodes:
            found.append(f"untranslated: {msgid!r}")
    return found


def render_all(lang: str, untranslated: set[str]) -> dict[str, list[str]]:
    world = build_world()
    report: dict[str, list[str]] = {}
    for actor in ROLES:
        client = Client(raise_request_exception=True)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
        user = world.users[actor]
        if user is not None:
            user.language = lang
            user.save(update_fields=["language"])
            client.force_login(user)
        for url in pages(world, actor):
            response = client.get(url, headers={"accept-language": lang})
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            found = problems_on(response.content.decode(), untranslated, english=lang == "en")
            if found:
                report[f"{lang} {actor} {url}"] = sorted(set(found))
    return report


@pytest.mark.parametrize("lang", ["sv", "da"])
def test_every_page_reads_in_swedish_and_danish(db, lang):
    report = render_all(lang, untranslated_msgids(lang))
    for where, found in report.items():
        print(f"\n{where}\n  " + "\n  ".join(found[:15]))
    assert not report, f"{len(report)} pages: {list(report)[:10]}"


def test_english_pages_use_a_24_hour_clock(db):
    report = render_all("en", set())
    assert not report, report


def test_the_check_catches_english_months_am_pm_and_untranslated_msgids():
    html = "<main><p>4 Dec 2026</p><p>28 Okt 2026</p><p>10 a.m.</p><th>Held</th><p>Book another time</p></main>"
    found = problems_on(html, {"Held", "Book another time"}, english=False)
    assert any("4 Dec" in f for f in found) and any("28 Okt" in f for f in found), found
    assert any("a.m." in f for f in found), found
    assert "untranslated: 'Held'" in found and "untranslated: 'Book another time'" in found, found
    clean = "<main><p>4 dec. 2026</p><p>7. december 2026 kl. 10:00</p><th>Bokade</th></main>"
    assert problems_on(clean, {"Held"}, english=False) == []
