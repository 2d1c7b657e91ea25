"""Brute force meets a friendly 429: the login (allauth's limits, the real values from config/settings.py), and the
Django admin's login, which goes through allauth's login page and so through the same limits."""

import ast
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.factories import UserFactory


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


def test_wrong_passwords_for_one_account_lock_it_even_against_the_right_password(client, db, limits_on):
    user = UserFactory(email="target@example.com")
    for _ in range(5):  # "5/5m/key"
        response = client.post("/accounts/login/", {"login": user.email, "password": "wrong-password"})
        assert "_auth_user_id" not in client.session
    response = client.post("/accounts/login/", {"login": user.email, "password": "correct-horse-battery"})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


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
