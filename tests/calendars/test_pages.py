"""The consultant's "My other calendars" page: add, choose, refresh, change, remove; nothing secret shown back."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calendars.models import BusyPeriod, CalendarSource
from tests.calendars.conftest import feed, make_ics_source
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
SECRET_PATH = "/calendar/ical/anna%40example.com/private-8f3a9c2e77d1b4e0/basic.ics"
PAGE = "/me/calendars/"


@pytest.fixture
def signed_in(clock, client, consultant):
    client.force_login(consultant.user)
    return client


def test_only_consultants_have_the_page(client, consultant):
    client.force_login(MembershipFactory().user)
    assert client.get(PAGE).status_code == 404
    client.force_login(consultant.user)
    assert client.get(PAGE).status_code == 200


def test_adding_a_webcal_address_syncs_it_and_never_shows_the_address_again(
        signed_in, httpserver, clock, django_capture_on_commit_callbacks):
    httpserver.expect_request(SECRET_PATH.replace("%40", "@")).respond_with_data(feed("google.ics"))
    webcal = httpserver.url_for(SECRET_PATH).replace("http://", "webcal://")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(reverse("calendars:add_ics"), {"ics-name": "Work (Google)", "ics-url": webcal,
                                                                 "ics-all_day_blocks": "on"})
    # webcal:// is read as https:// — which this plain-http test server cannot answer, so the sync failed …
    assert response.status_code == 302
    source = CalendarSource.objects.get()
    assert source.get_secret()["url"].startswith("https://")
    html = signed_in.get(PAGE).content.decode()
    assert "private-8f3a9c2e77d1b4e0" not in html and "anna" not in html
    assert "Work (Google)" in html and "https://localhost/…" in html
    # … and an http address (allowed in tests) works:
    CalendarSource.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(reverse("calendars:add_ics"), {"ics-name": "Work", "ics-url": httpserver.url_for(SECRET_PATH)})
    html = signed_in.get(PAGE).content.decode()
    assert BusyPeriod.objects.count() == 5
    assert '<dd class="busy-count">5</dd>' in html
    assert "private-8f3a9c2e77d1b4e0" not in html


@pytest.mark.parametrize("url", ["ftp://example.com/cal.ics", "calendar", "https://user:pw@example.com/x.ics"])
def test_a_bad_address_is_refused_with_a_message(signed_in, url):
    response = signed_in.post(reverse("calendars:add_ics"), {"ics-name": "Work", "ics-url": url})
    assert response.status_code == 400
    assert "That is not a valid web address." in response.content.decode()
    assert not CalendarSource.objects.exists()


def test_plain_http_is_refused_where_not_allowed(signed_in, settings):
    settings.CALENDAR_FETCH_ALLOW_HTTP = False
    response = signed_in.post(reverse("calendars:add_ics"), {"ics-name": "Work", "ics-url": "http://example.com/a"})
    assert response.status_code == 400
    assert "Only https addresses can be used." in response.content.decode()


def test_the_last_error_is_shown_in_plain_words_and_refresh_now_tries_again(
        signed_in, consultant, httpserver, clock, django_capture_on_commit_callbacks):
    httpserver.expect_ordered_request("/cal.ics").respond_with_data("nope", status=404)
    httpserver.expect_ordered_request("/cal.ics").respond_with_data(feed("google.ics"))
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(reverse("calendars:add_ics"), {"ics-name": "Work", "ics-url": httpserver.url_for("/cal.ics")})
    source = CalendarSource.objects.get()
    assert "The address answered 404." in signed_in.get(PAGE).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert signed_in.post(reverse("calendars:refresh", args=[source.pk])).status_code == 302
    html = signed_in.get(PAGE).content.decode()
    assert "The address answered 404." not in html and '<dd class="busy-count">5</dd>' in html


def test_changing_and_removing_a_source(signed_in, consultant, django_capture_on_commit_callbacks):
    source = make_ics_source(consultant, "https://calendar.example/x.ics")
    with django_capture_on_commit_callbacks(execute=False):
        signed_in.post(reverse("calendars:edit", args=[source.pk]), {f"e{source.pk}-name": "Renamed"})
    source.refresh_from_db()
    assert (source.name, source.all_day_blocks) == ("Renamed", False)
    signed_in.post(reverse("calendars:delete", args=[source.pk]))
    assert not CalendarSource.objects.exists()


def test_another_consultants_source_is_a_404(client, consultant):
    from tests.factories import ConsultantFactory

    source = make_ics_source(consultant, "https://calendar.example/x.ics")
    client.force_login(ConsultantFactory().user)
    for name in ("refresh", "delete", "edit", "choose"):
        assert client.post(reverse(f"calendars:{name}", args=[source.pk])).status_code == 404
    assert CalendarSource.objects.filter(pk=source.pk, name="Work").exists()


def test_the_page_makes_the_same_number_of_queries_for_one_or_many_sources(signed_in, consultant):
    make_ics_source(consultant, "https://calendar.example/1.ics")
    with CaptureQueriesContext(connection) as one:
        assert signed_in.get(PAGE).status_code == 200
    for i in range(5):
        make_ics_source(consultant, f"https://calendar.example/{i}.ics", name=f"Cal {i}")
    with CaptureQueriesContext(connection) as six:
        signed_in.get(PAGE)
    assert len(six) == len(one)


def test_the_settings_page_leads_to_my_other_calendars(signed_in):
    assert PAGE in signed_in.get(reverse("consultants:settings")).content.decode()
