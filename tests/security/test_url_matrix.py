"""Who may open what: every URL taking an id or token, and every login-only page, for six actors.

The rows live in tests/security/matrix.py. GET for every actor; POST for the actors who must be refused, with the
whole database compared before and after; unknown ids and tokens (also absurdly large ones) answer 404.
"""

import secrets

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from tests.security.matrix import ADMIN_LOGIN, LOGIN, MATRIX, REDIRECT, ROWS
from tests.security.urlconf import app_routes
from tests.security.world import ACTORS, build_world

OUR_APPS = ("accounts", "consultants", "booking", "engagements", "integrations", "reports")


def client_for(world, actor: str) -> Client:
    client = Client(raise_request_exception=False)
    user = world.users[actor]
    if user is not None:
        client.force_login(user)
    return client


# Rows some actor may read (200): the pages the CSP, stored-markup and page-structure checks look at.
READABLE_ROWS = [row for row in MATRIX if any(code == 200 for code in row.get.values())]


def pages_read(world, row):
    """(actor, url, response) for each actor the matrix lets read the row's page."""
    url = reverse(row.name, kwargs=row.kwargs(world))
    for actor in ACTORS:
        if row.get[actor] == 200:
            yield actor, url, client_for(world, actor).get(url)


def answer_of(response) -> object:
    """The response as a matrix code: LOGIN / ADMIN_LOGIN / REDIRECT for redirects, else the status."""
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        if location.startswith(reverse("account_login")):
            return LOGIN
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        return REDIRECT
    return response.status_code


def db_snapshot() -> dict:
    """Every row of every model of our apps (new models included automatically)."""
    snap = {}
    for model in apps.get_models():
        if model._meta.app_label in OUR_APPS and not model._meta.proxy:
            snap[model._meta.label] = list(model.objects.order_by("pk").values_list())
    return snap


def _needs_row(route, client) -> bool:
    if route.params:
        return True
    if route.name is None:
        return False
    try:
        url = reverse(route.name)
    except Exception:
        return False
    return answer_of(client.get(url)) in (LOGIN, ADMIN_LOGIN)


def test_every_url_with_an_id_or_token_or_login_is_in_the_matrix(db):
    anonymous = Client(raise_request_exception=False)
    needed = {r.name or r.route for r in app_routes() if _needs_row(r, anonymous)}
    missing = sorted(needed - set(ROWS))
    assert not missing, (f"URLs with ids/tokens or behind the login that are missing from the security matrix "
                         f"(add a row to tests/security/matrix.py): {missing}")
    known = {r.name for r in app_routes()}
    stale = sorted(set(ROWS) - known)
    assert not stale, f"Matrix rows for URLs that no longer exist: {stale}"


def test_the_matrix_has_six_actors_per_row():
    for row in MATRIX:
        assert set(row.get) == set(ACTORS), row.name


@pytest.mark.parametrize("row", MATRIX, ids=lambda r: r.name)
def test_each_actor_gets_the_expected_answer_to_a_get(db, row):
    world = build_world()
    url = reverse(row.name, kwargs=row.kwargs(world))
    wrong = {}
    for actor in ACTORS:
        got = answer_of(client_for(world, actor).get(url))
        if got != row.get[actor]:
            wrong[actor] = f"expected {row.get[actor]}, got {got}"
    assert not wrong, f"GET {url} ({row.name}): {wrong}"


POST_ROWS = [row for row in MATRIX if row.post]


@pytest.mark.parametrize("row", POST_ROWS, ids=lambda r: r.name)
def test_a_post_by_someone_who_does_not_own_the_object_is_refused_and_changes_nothing(db, row):
    world = build_world()
    url = reverse(row.name, kwargs=row.kwargs(world))
    wrong = {}
    for actor, expected in row.post.items():
        client = client_for(world, actor)  # log in first: last_login is not what we compare
        before = db_snapshot()
        got = answer_of(client.post(url, row.data(world)))
        after = db_snapshot()
        if got != expected:
            wrong[actor] = f"expected {expected}, got {got}"
        changed = [label for label in before if before[label] != after.get(label)]
        if changed:
            wrong[f"{actor} changed"] = changed
    assert not wrong, f"POST {url} ({row.name}): {wrong}"


def _owner(row) -> str | None:
    return next((a for a in ACTORS if row.get[a] == 200 and a != "anonymous"), None) or (
        "anonymous" if row.get["anonymous"] == 200 else None)


# Rows that answered 500 to an id beyond 64 bits (none left: engagements:gap_report was fixed). A name here
# skips only the absurd ids for that row.
HUGE_ID_500: dict[str, str] = {}


def _mangled(row, kwargs: dict) -> list[dict]:
    """The kwargs with one id or token at a time replaced by an unknown (or absurd) value."""
    variants = []
    for key, value in kwargs.items():
        if key in ("year", "month"):
            continue
        if isinstance(value, int):
            for bad in (0, 987654321) if row.name in HUGE_ID_500 else (0, 987654321, 2**63, 10**30):
                variants.append({**kwargs, key: bad})
        else:
            for bad in (secrets.token_urlsafe(32), "x", "a" * 300):
                variants.append({**kwargs, key: bad})
    return variants


_WITH_PARAMS = {r.name for r in app_routes() if r.params}
ID_ROWS = [row for row in MATRIX if _owner(row) and row.name in _WITH_PARAMS and row.name != "booking:review"]


@pytest.mark.parametrize("row", ID_ROWS, ids=lambda r: r.name)
def test_an_unknown_id_or_token_is_a_404_never_an_error(db, row):
    world = build_world()
    kwargs = row.kwargs(world)
    client = client_for(world, _owner(row))
    wrong = {}
    for bad in _mangled(row, kwargs):
        url = reverse(row.name, kwargs=bad)
        got = answer_of(client.get(url))
        if got != 404:
            wrong[url] = got
    assert not wrong, f"{row.name} as {_owner(row)}: {wrong}"


def test_month_pages_outside_the_calendar_range_are_404(db):
    world = build_world()
    client = client_for(world, "consultant")
    for year, month in ((2026, 0), (2026, 13), (1, 1), (99999, 1), (10**20, 1)):
        assert client.get(f"/me/month/{year}/{month}/").status_code == 404, (year, month)


def test_a_member_who_is_not_the_owner_cannot_change_or_delete_the_company(db):
    from tests.factories import MembershipFactory

    world = build_world()
    plain = MembershipFactory(company=world.company, role="member").user
    client = Client(raise_request_exception=False)
    client.force_login(plain)
    before = db_snapshot()
    assert client.post("/company/", {"company_name": "Renamed AB", "country": "SE", "org_number": "",
                                     "industry": "retail", "size": "1-9"}).status_code == 404
    for name in ("reports:data_protection", "reports:company_delete", "reports:company_export"):
        try:
            url = reverse(name)
        except Exception:
            continue
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"confirm_name": world.company.name}).status_code == 404, name
    assert [label for label in before if before[label] != db_snapshot()[label]] == []


def _post_owner(row) -> str | None:
    return next((a for a in ACTORS if a != "anonymous" and a not in (row.post or {})), None)


POST_ID_ROWS = [row for row in MATRIX if row.post and _post_owner(row) and row.name in _WITH_PARAMS]


@pytest.mark.parametrize("row", POST_ID_ROWS, ids=lambda r: r.name)
def test_a_post_to_an_unknown_id_or_token_is_a_404_never_an_error(db, row):
    world = build_world()
    kwargs = row.kwargs(world)
    client = client_for(world, _post_owner(row))
    before = db_snapshot()
    wrong = {}
    for bad in _mangled(row, kwargs):
        url = reverse(row.name, kwargs=bad)
        got = answer_of(client.post(url, row.data(world)))
        if got != 404:
            wrong[url] = got
    assert not wrong, f"POST {row.name} as {_post_owner(row)}: {wrong}"
    assert [label for label in before if before[label] != db_snapshot()[label]] == []
