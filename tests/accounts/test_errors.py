import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import path


def _locked(request):
    raise OperationalError("database is locked")


def _bug(request):
    raise ValueError("a bug")


# This module doubles as a URLconf so the real handler500 can be exercised without touching product URLs.
urlpatterns = [path("locked/", _locked), path("bug/", _bug)]
handler500 = "config.views.server_error"


@pytest.fixture
def quiet_client():
    # Like a real server: exceptions become responses instead of being re-raised into the test.
    return Client(raise_request_exception=False)


@pytest.mark.django_db
@pytest.mark.urls("tests.accounts.test_errors")
def test_a_locked_or_lost_database_gives_a_friendly_503_not_a_traceback(quiet_client):
    response = quiet_client.get("/locked/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.content.decode()
    assert "back in a moment" in body
    assert "Traceback" not in body and "database is locked" not in body


@pytest.mark.django_db
@pytest.mark.urls("tests.accounts.test_errors")
def test_any_other_error_is_a_plain_500_page(quiet_client):
    response = quiet_client.get("/bug/")
    assert response.status_code == 500
    assert "went wrong on our side" in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "could not find that page" in response.content.decode()


# --- The CSRF failure page and the 400/429 pages: the site's layout, the visitor's language, a way back ----------
@pytest.mark.django_db
def test_an_expired_form_gets_the_sites_page_with_a_way_back_not_djangos_default():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "a@example.com", "password": "x"},
                           HTTP_REFERER="http://testserver/accounts/login/?next=/dashboard/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Your form expired" in body and "reload the page and send it again" in body
    assert 'href="http://testserver/accounts/login/?next=/dashboard/"' in body  # back to the form
    assert 'class="site-header"' in body and "CSRF verification failed" not in body
    assert "style-src 'self'" in response["Content-Security-Policy"]  # no inline styles needed, unlike Django's
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_the_expired_form_page_never_links_back_off_site():
    client = Client(enforce_csrf_checks=True)
    body = client.post("/accounts/login/", {}, HTTP_REFERER="https://evil.example/phish").content.decode()
    assert "evil.example" not in body and 'href="/"' in body


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["sv", "da"])
def test_the_expired_form_page_speaks_the_visitors_language(language):
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = language
    response = client.post("/accounts/login/", {})
    assert response.status_code == 403
    assert f'<html lang="{language}">' in response.content.decode()


@pytest.mark.django_db
def test_a_request_for_an_unknown_host_gets_the_sites_400_page(quiet_client):
    response = quiet_client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    body = response.content.decode()
    assert "We could not read that request" in body and 'class="site-header"' in body


@pytest.mark.django_db
def test_every_429_says_when_to_come_back(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": "1/m/ip"}
    client.post("/accounts/login/", {"login": "a@example.com", "password": "x"})
    response = client.post("/accounts/login/", {"login": "a@example.com", "password": "x"})
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Too many attempts" in response.content.decode()
