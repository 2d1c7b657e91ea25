import pytest
from django.utils import timezone

from tests.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize("code,login_label", [("sv", "Logga in"), ("da", "Log ind"), ("en", "Log in")])
def test_the_language_switcher_renders_the_site_in_that_language(client, code, login_label):
    response = client.post("/i18n/setlang/", {"language": code, "next": "/"})
    assert response.status_code == 302
    response = client.get("/")
    assert response["Content-Language"] == code
    body = response.content.decode()
    assert f'<html lang="{code}">' in body
    assert login_label in body
    english_heading = "Give first. Then build something together."
    assert (english_heading in body) is (code == "en")  # our own catalog, not only Django's


@pytest.mark.django_db
def test_a_signed_in_persons_language_choice_is_saved_on_their_profile(client):
    user = UserFactory(language="en")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "da", "next": "/"})
    user.refresh_from_db()
    assert user.language == "da"
    assert client.get("/")["Content-Language"] == "da"


@pytest.mark.django_db
def test_the_switcher_ignores_unknown_languages_and_foreign_redirects(client):
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert client.get("/")["Content-Language"] == "en"


@pytest.mark.django_db
def test_visitors_see_times_in_their_browser_zone_and_members_in_their_profile_zone(client):
    client.cookies["tz"] = "Europe/Copenhagen"
    assert "Europe/Copenhagen" in client.get("/").content.decode()
    client.cookies["tz"] = "Not/AZone"
    assert "Europe/Stockholm" in client.get("/").content.decode()
    client.cookies["tz"] = "America%2FNew_York"  # as static/js/probono.js writes it (encodeURIComponent)
    assert "America/New_York" in client.get("/").content.decode()
    client.cookies["tz"] = "..%2F..%2Fetc%2Fpasswd"
    assert "Europe/Stockholm" in client.get("/").content.decode()
    client.force_login(UserFactory(time_zone="America/New_York"))
    assert "America/New_York" in client.get("/").content.decode()
    assert timezone.get_current_timezone_name() == "UTC"  # nothing leaks out of the request


@pytest.mark.django_db
def test_every_page_sends_a_content_security_policy_without_unsafe_inline(client):
    csp = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
