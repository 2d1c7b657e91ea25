import re

import pytest

from tests.factories import PASSWORD, UserFactory


@pytest.mark.django_db
def test_login_with_email_and_password(client):
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/me/profile/").status_code == 200


@pytest.mark.django_db
def test_login_by_code_sent_by_email(client, mailoutbox, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/login/code/", {"email": user.email})
    assert response.status_code == 302
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mailoutbox[0].body, re.M).group(1)
    response = client.post("/accounts/login/code/confirm/", {"code": code})
    assert response.status_code == 302
    assert client.get("/me/profile/").status_code == 200


@pytest.mark.django_db
def test_unknown_email_gets_the_same_answer_as_a_known_one(client, mailoutbox):
    # No account enumeration: the password reset page answers the same way for both.
    known = UserFactory()
    a = client.post("/accounts/password/reset/", {"email": known.email})
    b = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert a.status_code == b.status_code == 302
    assert a["Location"] == b["Location"]


@pytest.mark.django_db
def test_failed_logins_are_rate_limited(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    user = UserFactory()
    responses = [client.post("/accounts/login/", {"login": user.email, "password": "wrong"}) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert "Too many failed logins" in responses[-1].content.decode()
    # Even the right password is refused while the limit holds.
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 429 and int(response["Retry-After"]) <= 60
    assert client.get("/me/profile/").status_code == 302


@pytest.mark.django_db
def test_too_many_login_requests_get_a_friendly_429(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": "3/m/ip"}
    statuses = [client.post("/accounts/login/", {"login": "a@example.com", "password": "x"}).status_code
                for _ in range(5)]
    assert statuses[-1] == 429


@pytest.mark.django_db
def test_profile_sets_name_time_zone_and_language(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/me/profile/", {"name": "Anna", "time_zone": "Europe/Copenhagen", "language": "da"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.name, user.time_zone, user.language) == ("Anna", "Europe/Copenhagen", "da")


@pytest.mark.django_db
def test_profile_rejects_an_unknown_time_zone(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/me/profile/", {"name": "Anna", "time_zone": "Mars/Olympus", "language": "sv"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.time_zone == "Europe/Stockholm"


@pytest.mark.django_db
def test_the_signed_in_message_is_in_the_persons_language(client):
    user = UserFactory(email="karin@example.se", language="sv")
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}, follow=True,
                           headers={"accept-language": "en"})
    page = response.content.decode()
    assert "Successfully signed in" not in page
    assert "Du har loggat in som" in page
