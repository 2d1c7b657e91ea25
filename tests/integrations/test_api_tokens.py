"""Personal API tokens: made and revoked on the profile page, shown once, stored hashed, scoped, last use recorded;
each caller rate-limited (429 with Retry-After); the site's session needs CSRF for changes."""

import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.api_tokens import api_token_create
from accounts.models import ApiToken
from tests.factories import MembershipFactory, UserFactory

BOOKINGS = "/api/v1/bookings"


def _bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_token_made_on_the_profile_page_is_shown_once_and_stored_only_as_its_hash(db, client):
    member = MembershipFactory().user
    client.force_login(member)
    response = client.post(reverse("accounts:api_token_new"), {"name": "CRM sync", "scope": "read"}, follow=True)
    assert response.status_code == 200
    shown = re.search(r'<code class="new-token">(pb_[\w-]+)</code>', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=member)
    assert token.token_hash == hashlib.sha256(shown.encode()).hexdigest()
    assert shown not in str(ApiToken.objects.filter(pk=token.pk).values().get())  # only the hash is stored
    assert token.prefix == shown[:10] and token.name == "CRM sync" and token.scope == "read"
    again = client.get(reverse("accounts:profile")).content.decode()
    assert shown not in again and "CRM sync" in again  # listed, but never shown again
    assert client.get(BOOKINGS, **_bearer(shown)).status_code == 200


def test_an_invalid_token_form_re_renders_with_errors(db, client):
    client.force_login(UserFactory())
    response = client.post(reverse("accounts:api_token_new"), {"name": "", "scope": "admin"})
    assert response.status_code == 400
    assert ApiToken.objects.count() == 0


def test_a_revoked_token_stops_working_and_only_its_owner_can_revoke_it(db, client):
    member = MembershipFactory().user
    token, plain = api_token_create(user=member, name="ci", scope="read")
    outsider = Client()
    outsider.force_login(UserFactory())
    assert outsider.post(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 404
    assert client.get(BOOKINGS, **_bearer(plain)).status_code == 200

    client.force_login(member)
    assert client.post(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    response = client.get(BOOKINGS, **_bearer(plain))
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"


def test_unknown_and_malformed_tokens_are_a_json_401(db, client):
    for header in ("Bearer pb_nope", "Bearer ", "Basic abc", "Bearer " + "x" * 5000):
        response = client.get(BOOKINGS, HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert response.json()["code"] in ("invalid_token", "not_authenticated")
    response = client.get(BOOKINGS)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_a_read_token_cannot_change_anything(db, client):
    member = MembershipFactory().user
    _t, plain = api_token_create(user=member, name="read", scope="read")
    response = client.post(BOOKINGS, {"slot_id": 1, "answers": {}}, content_type="application/json",
                           **_bearer(plain))
    assert response.status_code == 403 and response.json()["code"] == "read_only_token"
    _t, rw = api_token_create(user=member, name="rw", scope="read_write")
    response = client.post(BOOKINGS, {"slot_id": 1, "answers": {}}, content_type="application/json", **_bearer(rw))
    assert response.status_code == 404  # allowed to try: there is no such slot


def test_last_used_is_recorded_at_most_once_a_minute(db, client):
    member = MembershipFactory().user
    token, plain = api_token_create(user=member, name="ci", scope="read")
    assert token.last_used_at is None
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(BOOKINGS, **_bearer(plain))
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        client.get(BOOKINGS, **_bearer(plain))
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=90), tick=False):
        client.get(BOOKINGS, **_bearer(plain))
    token.refresh_from_db()
    assert token.last_used_at == start + dt.timedelta(seconds=90)
    client.force_login(member)
    assert "never" not in client.get(reverse("accounts:profile")).content.decode().split("api-tokens")[1]


def test_each_token_is_rate_limited_with_retry_after_until_the_window_ends(db, client, settings):
    settings.API_RATE_LIMIT, settings.API_RATE_WINDOW = 3, 60
    member = MembershipFactory().user
    _t, plain = api_token_create(user=member, name="busy", scope="read")
    _t, other = api_token_create(user=member, name="other", scope="read")
    start = dt.datetime(2031, 5, 5, 10, 0, 15, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        assert [client.get(BOOKINGS, **_bearer(plain)).status_code for _ in range(3)] == [200] * 3
        refused = client.get(BOOKINGS, **_bearer(plain))
        assert refused.status_code == 429
        assert refused.json()["code"] == "rate_limited"
        assert refused["Retry-After"] == "45"  # the window ends at 10:01:00
        assert client.get(BOOKINGS, **_bearer(other)).status_code == 200  # per token
    with time_machine.travel(start + dt.timedelta(seconds=46), tick=False):
        assert client.get(BOOKINGS, **_bearer(plain)).status_code == 200


def test_anonymous_calls_are_limited_per_address(db, client, settings):
    settings.API_RATE_LIMIT = 2
    with time_machine.travel(dt.datetime(2031, 5, 5, 10, 0, 0, tzinfo=dt.UTC), tick=False):
        codes = [client.get("/api/v1/consultants").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert Client(REMOTE_ADDR="10.0.0.9").get("/api/v1/consultants").status_code == 200


@pytest.mark.django_db
def test_the_session_works_for_reads_but_changes_need_the_csrf_token():
    member = MembershipFactory().user
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.get(BOOKINGS).status_code == 200
    response = client.post(BOOKINGS, {"slot_id": 1, "answers": {}}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    client.get(reverse("accounts:profile"))  # sets the CSRF cookie, as any page does
    csrf = client.cookies["csrftoken"].value
    response = client.post(BOOKINGS, {"slot_id": 1, "answers": {}}, content_type="application/json",
                           HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 404  # past the CSRF check: there is no such slot


def test_behind_a_proxy_anonymous_calls_are_counted_per_forwarded_address(db, settings):
    settings.API_RATE_LIMIT, settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1, 1
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    with time_machine.travel(dt.datetime(2031, 5, 5, 10, 0, 0, tzinfo=dt.UTC), tick=False):
        assert proxy.get("/api/v1/consultants", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 200
        assert proxy.get("/api/v1/consultants", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
        assert proxy.get("/api/v1/consultants", HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200
        assert proxy.get("/api/v1/consultants", HTTP_X_FORWARDED_FOR="").status_code == 200  # the proxy itself
