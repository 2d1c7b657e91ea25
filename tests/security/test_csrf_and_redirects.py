"""CSRF protects every state change (only the Stripe webhook, which checks a signature, is exempt), and no
`next` parameter can send anyone to another site."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.fuzz.hostile import db_snapshot, diff
from tests.security.matrix import MATRIX
from tests.security.urlconf import app_routes
from tests.security.world import ACTORS, build_world

CSRF_EXEMPT_ALLOWED = {"engagements:stripe_webhook": "Stripe signs its webhook; the signature is the check"}
# The JSON API checks CSRF itself, for calls that use the session (integrations/api/auth.py SessionAuth; tested in
# tests/integrations/test_api_tokens.py); a call with an API token carries no cookie to ride on.
API_PREFIX = "integrations:api"
EVIL = ["https://evil.example/", "//evil.example/", "/\\evil.example/", "https:evil.example", "\\\\evil.example"]


def test_only_the_stripe_webhook_is_exempt_from_csrf():
    exempt = {r.name for r in app_routes() if getattr(r.callback, "csrf_exempt", False)
              and not (r.name or "").startswith(API_PREFIX)}
    assert exempt == set(CSRF_EXEMPT_ALLOWED)


def _owner(row) -> str | None:
    return next((a for a in ACTORS if a != "anonymous" and a not in row.post), None)


POST_ROWS = [row for row in MATRIX if row.post and _owner(row)]


@pytest.mark.parametrize("row", POST_ROWS, ids=lambda r: r.name)
def test_a_post_without_the_csrf_token_is_refused_even_for_the_owner(db, row):
    world = build_world()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[_owner(row)])
    before = db_snapshot()
    response = client.post(reverse(row.name, kwargs=row.kwargs(world)), row.data(world))
    assert response.status_code == 403
    assert diff(before, db_snapshot()) == []


@pytest.mark.parametrize("target", EVIL)
def test_the_language_switch_never_redirects_off_site(client, db, target):
    response = client.post("/i18n/setlang/", {"language": "sv", "next": target})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize("target", EVIL)
def test_slot_actions_never_redirect_off_site(db, target):
    world = build_world()
    client = Client()
    client.force_login(world.users["consultant"])
    response = client.post(reverse("consultants:slot_block", kwargs={"pk": world.free_slot.pk}), {"next": target})
    assert response.status_code == 302 and response["Location"].startswith("/me/"), response["Location"]


@pytest.mark.parametrize("target", EVIL)
def test_logging_in_never_redirects_off_site(client, db, target):
    world = build_world()
    response = client.post(f"/accounts/login/?next={target}", {"login": world.users["member"].email,
                                                               "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"], response["Location"]
