"""Hostile form data for the fuzz tests, and the one check every POST must pass.

Each field of a form is kept valid, left out, replaced by a hostile value, or sent twice (or more) with hostile
values. Hostile values: very long strings, control characters (NUL included), emoji, right-to-left marks,
negative/huge/not-a-number numbers, impossible dates and times, markup and injection strings.

Runs are derandomized (the same examples every run, so CI is stable); FUZZ_RANDOM=1 explores new examples and
FUZZ_EXAMPLES=200 runs more of them.
"""

import os

from django.apps import apps
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=os.environ.get("FUZZ_RANDOM") != "1",
    database=None,
    print_blob=True,
)

OUR_APPS = ("accounts", "consultants", "booking", "engagements", "reports")
KEEP = object()
MISSING = object()

_printable = st.characters(blacklist_categories=("Cs",))  # lone surrogates cannot be sent as UTF-8 at all
NUMBERS = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(["-1", "0", "-0", "1e309", "-1e309", "NaN", "nan", "Infinity", "-inf", "9" * 60, "1.5",
                     "0.001", "1,5", "0x10", "1_000", "１２", "٣", "+5", " 7 ", "1e-400"]),
)
DATES = st.sampled_from([
    "2026-02-30", "2026-02-29", "2025-13-01", "0000-00-00", "0001-01-01", "9999-12-31", "10000-01-01",
    "-2026-01-01", "2026-1-1", "31/12/2026", "2026-12-31T25:00", "today", "24:00", "25:61", "12:60", "-1:00",
    "23:59:60", "99:99", "2026-03-29 02:30",
])
STRINGS = st.one_of(
    st.text(_printable, max_size=40),
    st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=10),  # control characters, NUL included
    st.sampled_from([
        "", " ", "\x00", "a\x00b", "\r\n\r\n", "\t", "😀" * 300, "👩‍👩‍👧‍👦🇸🇪", "\u202e\u200b\ufeff",
        "x" * 5000, "y" * 100_000, "<script>alert(1)</script>", "\" onmouseover=\"alert(1)", "' OR 1=1 --",
        "{{ 7*7 }}{% debug %}", "../../../../etc/passwd", "%00%0d%0a", "null", "None", "true", "[]", "{}",
        "Robert'); DROP TABLE booking_booking;--", "é" * 200, "ǅ" * 301,
    ]),
)
HOSTILE = st.one_of(STRINGS, NUMBERS, DATES)


def field_values(baseline: dict, *, fixed: tuple = ()):
    """A strategy of POST data: every field of `baseline` kept, dropped, made hostile or duplicated."""
    choice = st.one_of(st.just(KEEP), st.just(MISSING), HOSTILE, st.lists(HOSTILE, min_size=2, max_size=3))
    fields = {name: (st.just(KEEP) if name in fixed else choice) for name in baseline}
    extra = st.dictionaries(st.sampled_from(["id", "pk", "company", "consultant", "status", "is_staff", "user",
                                             "amount_minor", "slot", "csrfmiddlewaretoken"]), HOSTILE, max_size=2)
    return st.builds(lambda chosen, more: _assemble(baseline, chosen, more), st.fixed_dictionaries(fields), extra)


def _assemble(baseline: dict, chosen: dict, extra: dict) -> dict:
    data = {}
    for name, value in chosen.items():
        if value is KEEP:
            data[name] = baseline[name]
        elif value is not MISSING:
            data[name] = value
    for name, value in extra.items():
        data.setdefault(name, value)
    return data


def db_snapshot() -> dict:
    snap = {}
    for model in apps.get_models():
        if model._meta.app_label in OUR_APPS and not model._meta.proxy:
            snap[model._meta.label] = list(model.objects.order_by("pk").values_list())
    return snap


def diff(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after.get(label)]


ERROR_MARKERS = ('class="error"', "errorlist", 'role="alert"', 'class="message error"', "has-error")


def shows_an_error(response) -> bool:
    html = response.content.decode(errors="replace")
    return any(marker in html for marker in ERROR_MARKERS)


def check_post(client, url: str, data: dict, *, error_shown: bool = True, multipart: bool = True):
    """POST `data`; never a 5xx; a refused form (not a redirect) changes nothing and says what is wrong."""
    before = db_snapshot()
    if multipart:
        response = client.post(url, data)
    else:
        from urllib.parse import urlencode

        response = client.post(url, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500, f"{response.status_code} for POST {url} {_short(data)}"
    if response.status_code in (301, 302, 303):
        return response
    changed = diff(before, db_snapshot())
    assert not changed, f"refused POST {url} ({response.status_code}) still changed {changed}: {_short(data)}"
    # An entirely empty POST is what no browser sends (a form always submits its fields); views that bind with
    # `request.POST or None` then show the blank form again, which is fine as long as nothing changed.
    if error_shown and data and response.status_code in (200, 400):
        assert shows_an_error(response), f"no error shown for POST {url} ({response.status_code}) {_short(data)}"
    return response


def _short(data: dict) -> dict:
    def cut(v):
        if isinstance(v, list):
            return [cut(x) for x in v]
        return v if len(v) < 60 else f"{v[:30]!r}…({len(v)} chars)"

    return {k: cut(v) for k, v in data.items()}
