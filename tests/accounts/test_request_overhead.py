"""What every request pays for (issue 19): the CSP header is built once per process, not per response, and it is
still exactly django-csp's policy; a request that asks for a nonce still gets it into the header."""

import pytest
from csp.constants import HEADER, NONCE
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.middleware import StaticCSPMiddleware


@pytest.mark.django_db
def test_every_page_carries_the_policy_django_csp_builds_from_the_settings(client):
    expected = build_policy()
    assert "default-src 'self'" in expected
    assert client.get("/")[HEADER] == expected
    assert client.get("/consultants/")[HEADER] == expected


@pytest.mark.django_db
def test_a_changed_policy_setting_shows_in_the_next_response(client, settings):
    client.get("/")  # the header of the old settings is built and kept
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get("/")[HEADER] == "default-src 'none'"


def _middleware(view):
    return StaticCSPMiddleware(view)


def test_a_view_that_uses_a_nonce_gets_it_in_its_header(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}

    def view(request):
        return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")

    request = RequestFactory().get("/")
    response = _middleware(view)(request)
    assert f"script-src 'self' 'nonce-{request._csp_nonce}'" in response[HEADER]
    # ... and the next response, which used none, has none.
    assert "nonce-" not in _middleware(lambda r: HttpResponse("x"))(RequestFactory().get("/"))[HEADER]


def test_a_view_with_its_own_policy_keeps_it():
    def view(request):
        response = HttpResponse("x")
        response._csp_replace = {"img-src": ["https://example.com"]}
        return response

    response = _middleware(view)(RequestFactory().get("/"))
    assert "img-src https://example.com" in response[HEADER]
    assert "img-src 'self' data:" not in response[HEADER]


def test_a_header_set_by_the_view_is_not_overwritten():
    def view(request):
        response = HttpResponse("x")
        response[HEADER] = "default-src 'none'"
        return response

    assert _middleware(view)(RequestFactory().get("/"))[HEADER] == "default-src 'none'"


@pytest.mark.django_db
def test_a_visitor_costs_no_query_even_with_language_and_zone_cookies(client, django_assert_num_queries):
    client.cookies["django_language"] = "da"
    client.cookies["tz"] = "America%2FNew_York"
    with django_assert_num_queries(0):
        response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert response["Content-Language"] == "da"
    assert "Accept-Language" in response["Vary"]


@pytest.mark.django_db
def test_a_visitors_browser_language_is_used_when_there_is_no_cookie(client):
    response = client.get("/accounts/login/", headers={"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.5"})
    assert response["Content-Language"] == "sv"
    assert "Logga in" in response.content.decode()


@pytest.mark.django_db
def test_a_signed_in_persons_profile_language_wins_over_cookie_and_browser(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(language="da"))
    client.cookies["django_language"] = "sv"
    response = client.get("/me/profile/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response["Content-Language"] == "da"
