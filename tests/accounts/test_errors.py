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
