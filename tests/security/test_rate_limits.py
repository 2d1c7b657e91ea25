"""Brute force meets a friendly 429: the login (allauth's limits, the real values from config/settings.py), and the
Django admin's login, which goes through allauth's login page and so through the same limits."""

import ast
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.factories import UserFactory
from tests.security.world import build_world


def production_rate_limits() -> dict:
    """ACCOUNT_RATE_LIMITS as config/settings.py sets it outside tests (tests switch it off)."""
    tree = ast.parse((Path(django_settings.BASE_DIR) / "config" / "settings.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "ACCOUNT_RATE_LIMITS" for t in node.targets):
            value = ast.literal_eval(node.value)
            if value:
                return value
    raise AssertionError("ACCOUNT_RATE_LIMITS not found in config/settings.py")


@pytest.fixture
def limits_on(settings):
    settings.ACCOUNT_RATE_LIMITS = production_rate_limits()
    from django.core.cache import cache

    cache.clear()


def test_production_limits_cover_login_failures_signup_and_codes():
    limits = production_rate_limits()
    for action in ("login", "login_failed", "signup", "reset_password", "request_login_code"):
        assert limits.get(action), action


ATTACKER, OWNER = "198.51.100.7", "203.0.113.9"


def _login(client, email, password, address):
    return client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=address)


def _assert_throttled_with_a_code_offer(response, longest: int):
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= longest
    body = response.content.decode()
    assert "Too many failed logins" in body and "/accounts/login/code/" in body


def test_an_attackers_wrong_passwords_lock_out_the_attacker_but_not_the_owner(client, db, limits_on):
    user = UserFactory(email="target@example.com")
    for _ in range(5):  # "login_failed": "…,5/5m/key" — per address + account
        assert _login(client, user.email, "wrong-password", ATTACKER).status_code == 200
    # The attacker is now refused, even with the right password: 429, for at most the 5-minute window.
    _assert_throttled_with_a_code_offer(_login(client, user.email, "correct-horse-battery", ATTACKER), 300)
    assert "_auth_user_id" not in client.session
    # The owner, at their own address, logs in as usual (allauth alone locked the account for everyone).
    owner = Client()
    response = _login(owner, user.email, "correct-horse-battery", OWNER)
    assert response.status_code == 302, response.content.decode()[:500]
    assert owner.session["_auth_user_id"] == str(user.pk)


def test_one_address_guessing_many_accounts_is_stopped_per_address(client, db, limits_on):
    for i in range(20):  # "login_failed": "20/5m/ip,…"
        assert _login(client, f"guess{i}@example.com", "x", ATTACKER).status_code == 200
    _assert_throttled_with_a_code_offer(_login(client, "guess-next@example.com", "x", ATTACKER), 300)
    assert _login(Client(), "guess-next@example.com", "x", OWNER).status_code == 200  # another address is not


def test_guessing_spread_over_many_addresses_hits_the_slower_account_limit_and_the_owner_gets_a_code(
    client, db, limits_on
):
    user = UserFactory(email="target@example.com")
    for i in range(100):  # "login_failed_account": "100/h/key"
        assert _login(client, user.email, "wrong", f"10.0.{i // 250}.{i % 250 + 1}").status_code == 200
    owner = Client()
    response = _login(owner, user.email, "correct-horse-battery", OWNER)
    _assert_throttled_with_a_code_offer(response, 3600)
    assert "_auth_user_id" not in owner.session
    # The page's way in: a login code by e-mail, which the password limits do not touch.
    response = owner.post("/accounts/login/code/", {"email": user.email}, REMOTE_ADDR=OWNER)
    assert response.status_code == 302 and "/accounts/login/code/confirm/" in response["Location"]


def test_a_successful_login_does_not_count_as_a_failure(client, db, limits_on):
    user = UserFactory(email="target@example.com")
    for _ in range(8):
        assert _login(Client(), user.email, "correct-horse-battery", ATTACKER).status_code == 302
    assert _login(client, user.email, "wrong", ATTACKER).status_code == 200


def test_many_logins_from_one_address_get_the_friendly_429_page(client, db, limits_on):
    statuses = []
    for i in range(32):  # "login": "30/m/ip", whatever the accounts tried
        response = client.post("/accounts/login/", {"login": f"guess{i}@example.com", "password": "x"})
        statuses.append(response.status_code)
    assert statuses[-1] == 429, statuses
    assert "Too many attempts" in response.content.decode()
    assert response["Content-Security-Policy"]


def test_the_admin_sends_visitors_to_the_allauth_login(client, db):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain, "no redirect"
    final = response.redirect_chain[-1][0]
    assert final.startswith("/accounts/login/"), response.redirect_chain
    assert client.get("/admin/login/")["Location"].startswith("/accounts/login/")


def test_the_admin_login_form_cannot_be_used_to_guess_passwords(client, db, limits_on):
    staff = UserFactory(email="boss@example.com", is_staff=True, is_superuser=True)
    response = client.post("/admin/login/", {"username": staff.email, "password": "correct-horse-battery"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session  # the admin's own form never logs anyone in


# --- Our own limits (accounts/ratelimits.py): booking, waitlist, survey, and guessing secret links ---------------
def _amount(action: str) -> int:
    """The first (per-minute) amount of the production rate for `action`, e.g. 30 for "30/m/ip,300/h/ip"."""
    return int(production_rate_limits()[action].split(",")[0].split("/")[0])


def _is_429(response) -> bool:
    return response.status_code == 429 and "Too many attempts" in response.content.decode()


def test_production_limits_cover_booking_waitlist_survey_and_link_guessing():
    limits = production_rate_limits()
    for action in ("booking", "waitlist", "survey", "link_miss"):
        assert limits.get(action), action
        assert limits[action].split(",")[0].endswith("/m/ip"), limits[action]


def test_booking_posts_from_one_address_are_limited_and_nothing_is_booked_past_the_limit(client, db, limits_on):
    from booking.models import Booking
    from tests.booking.helpers import post_data_for

    world = build_world()
    slot = world.free_slot
    client.force_login(world.users["other_member"])  # the owning company has used its free sessions
    data = post_data_for(slot.consultant)
    assert client.post(f"/book/{slot.pk}/", data).status_code == 302  # a valid draft waits in the session
    for _ in range(_amount("booking") - 1):
        assert client.post(f"/book/{slot.pk}/", {}).status_code == 200  # field errors, still counted
    before = Booking.objects.count()
    response = client.post(f"/book/{slot.pk}/review/")
    assert _is_429(response)
    assert Booking.objects.count() == before
    assert client.get(f"/book/{slot.pk}/review/").status_code == 200  # reading is never limited
    # Another address is not affected: the same person books from there.
    assert client.post(f"/book/{slot.pk}/review/", REMOTE_ADDR="10.1.2.3").status_code == 302
    assert Booking.objects.count() == before + 1


def test_waitlist_posts_are_limited(client, db, limits_on):
    world = build_world()
    client.force_login(world.users["other_member"])
    url = "/consultants/otto/waitlist/"
    statuses = [client.post(url).status_code for _ in range(_amount("waitlist"))]
    assert 429 not in statuses, statuses
    assert _is_429(client.post(url))


def test_survey_answers_are_limited_and_the_refused_one_is_not_saved(client, db, limits_on):
    world = build_world()
    url = f"/feedback/{world.tokens['survey']}/"
    for _ in range(_amount("survey")):
        assert client.post(url, {"score": "oops"}).status_code == 400
    refused = client.post(url, {"score": "10", "comment": "Great"})
    assert _is_429(refused) and "was not saved" in refused.content.decode()
    world.survey.refresh_from_db()
    assert world.survey.score is None and world.survey.answered_at is None


@pytest.mark.parametrize("path", ["/manage/{}/", "/feedback/{}/", "/waitlist/claim/{}/", "/calendar/{}.ics",
                                  "/accounts/invitation/{uid}/{}/"])
def test_guessing_secret_links_from_one_address_is_stopped(client, db, limits_on, path):
    world = build_world()
    uid = world.tokens["invitation_uidb64"]
    for i in range(_amount("link_miss")):
        assert client.get(path.format(f"guess-{i}", uid=uid)).status_code == 404
    # Now every secret link from this address waits, even a right one (the guesser may have found it) …
    refused = client.get(f"/manage/{world.tokens['manage']}/")
    assert _is_429(refused) and "Open the link again in a minute" in refused.content.decode()
    assert _is_429(client.get(f"/feedback/{world.tokens['survey']}/"))
    # … while the same link from another address still works.
    assert client.get(f"/manage/{world.tokens['manage']}/", REMOTE_ADDR="10.9.8.7").status_code == 200


def test_opening_a_real_link_often_is_never_counted(client, db, limits_on):
    world = build_world()
    for _ in range(_amount("link_miss") * 2):
        assert client.get(f"/manage/{world.tokens['manage']}/").status_code == 200
        assert client.get(f"/calendar/{world.tokens['feed']}.ics").status_code == 200


def test_the_client_address_behind_a_proxy_comes_from_x_forwarded_for(client, db, limits_on, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    build_world()
    for i in range(_amount("link_miss")):
        client.get(f"/manage/guess-{i}/", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert _is_429(client.get("/manage/guess/", HTTP_X_FORWARDED_FOR="203.0.113.5"))
    # Same proxy (REMOTE_ADDR), another client: not limited.
    assert client.get("/manage/guess/", HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 404
