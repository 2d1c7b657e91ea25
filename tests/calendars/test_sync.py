"""Syncing an ICS address against a real local HTTP server: busy periods, conditional requests, errors in plain
words, a day of failures mailed once, and runs that repeat."""

import time
from datetime import UTC, datetime

import pytest
from django.utils import translation
from werkzeug import Response

from calendars.errors import source_error_text
from calendars.models import BusyPeriod, CalendarSource
from calendars.services import source_delete, source_sync
from tests.calendars.conftest import NOW, feed, hours, make_ics_source

pytestmark = pytest.mark.django_db


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def _periods(source):
    return list(BusyPeriod.objects.filter(source=source).order_by("starts_at").values_list("starts_at", "ends_at"))


def test_a_sync_stores_only_the_start_and_end_of_each_busy_time(httpserver, consultant, clock):
    httpserver.expect_request("/basic.ics").respond_with_data(feed("google.ics"), content_type="text/calendar")
    source = make_ics_source(consultant, httpserver.url_for("/basic.ics"))
    result = source_sync(source_id=source.pk)
    assert result.ok and result.changed
    periods = _periods(source)
    assert (utc(2027, 3, 1, 9), utc(2027, 3, 1, 10)) in periods
    assert (utc(2027, 3, 22, 13), utc(2027, 3, 22, 14)) in periods
    assert len(periods) == 5
    assert {f.name for f in BusyPeriod._meta.get_fields()} == {"id", "source", "consultant", "starts_at", "ends_at"}
    source.refresh_from_db()
    assert source.last_synced_at is not None and source.last_error_code == ""


def test_an_unchanged_feed_answers_304_and_the_periods_stay(httpserver, consultant, clock):
    httpserver.expect_ordered_request("/basic.ics").respond_with_data(feed("google.ics"), headers={
        "ETag": '"v1"', "Last-Modified": "Sun, 28 Feb 2027 10:00:00 GMT"})
    httpserver.expect_ordered_request(
        "/basic.ics", headers={"If-None-Match": '"v1"', "If-Modified-Since": "Sun, 28 Feb 2027 10:00:00 GMT"},
    ).respond_with_data("", status=304)
    source = make_ics_source(consultant, httpserver.url_for("/basic.ics"))
    source_sync(source_id=source.pk)
    before = _periods(source)
    result = source_sync(source_id=source.pk)
    assert result.ok and not result.changed
    assert _periods(source) == before and len(before) == 5
    httpserver.check_assertions()


def test_a_second_sync_replaces_the_periods_instead_of_adding_to_them(httpserver, consultant, clock):
    httpserver.expect_request("/basic.ics").respond_with_data(feed("google.ics"))
    source = make_ics_source(consultant, httpserver.url_for("/basic.ics"))
    source_sync(source_id=source.pk)
    source_sync(source_id=source.pk)
    assert BusyPeriod.objects.filter(source=source).count() == 5


def _error_after(httpserver, consultant, handler_or_data, settings=None, **respond):
    httpserver.expect_ordered_request("/cal.ics").respond_with_data(feed("google.ics"))
    if callable(handler_or_data):
        httpserver.expect_ordered_request("/cal.ics").respond_with_handler(handler_or_data)
    else:
        httpserver.expect_ordered_request("/cal.ics").respond_with_data(handler_or_data, **respond)
    source = make_ics_source(consultant, httpserver.url_for("/cal.ics"))
    assert source_sync(source_id=source.pk).ok
    good = _periods(source)
    result = source_sync(source_id=source.pk)
    source.refresh_from_db()
    assert not result.ok
    assert _periods(source) == good and len(good) == 5  # the last good busy times are kept
    with translation.override("en"):
        return source_error_text(source)


def test_a_404_keeps_the_last_good_busy_times_and_says_so(httpserver, consultant, clock):
    assert _error_after(httpserver, consultant, "gone", status=404) == "The address answered 404."


def test_a_500_is_reported(httpserver, consultant, clock):
    assert _error_after(httpserver, consultant, "oops", status=500) == "The address answered 500."


def test_html_instead_of_a_calendar_is_reported(httpserver, consultant, clock):
    text = _error_after(httpserver, consultant, "<!doctype html><title>Sign in</title>", content_type="text/html")
    assert text == "That is not a calendar file."


def test_broken_icalendar_is_reported(httpserver, consultant, clock):
    text = _error_after(httpserver, consultant, "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2027\nEND:VCALENDAR\n")
    assert text == "That is not a calendar file."


def test_a_slow_server_is_reported_as_a_timeout(httpserver, consultant, clock, settings):
    settings.CALENDAR_FETCH_TIMEOUT = 1

    def slow(request):
        time.sleep(2)
        return Response(feed("google.ics"))

    assert _error_after(httpserver, consultant, slow) == "Timed out after 1 s."


def test_a_huge_answer_is_reported(httpserver, consultant, clock, settings):
    settings.CALENDAR_FETCH_MAX_BYTES = 1024 * 1024
    text = _error_after(httpserver, consultant, b"BEGIN:VCALENDAR\n" + b"X" * (2 * 1024 * 1024))
    assert text == "The calendar is larger than 1 MB."


def test_too_many_redirects_are_reported(httpserver, consultant, clock, settings):
    settings.CALENDAR_FETCH_MAX_REDIRECTS = 2
    httpserver.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    text = _error_after(httpserver, consultant, "", status=302, headers={"Location": "/loop"})
    assert text == "The address redirected too many times."


def test_a_redirect_within_the_limit_is_followed(httpserver, consultant, clock):
    httpserver.expect_request("/old.ics").respond_with_data("", status=301, headers={"Location": "/new.ics"})
    httpserver.expect_request("/new.ics").respond_with_data(feed("outlook.ics"))
    source = make_ics_source(consultant, httpserver.url_for("/old.ics"))
    assert source_sync(source_id=source.pk).ok
    assert (utc(2027, 4, 5, 8), utc(2027, 4, 5, 9, 30)) in _periods(source)


def test_the_consultants_declined_invitations_are_free(httpserver, consultant, clock):
    httpserver.expect_request("/o.ics").respond_with_data(feed("outlook.ics"))
    source = make_ics_source(consultant, httpserver.url_for("/o.ics"))
    source_sync(source_id=source.pk)
    assert (utc(2027, 4, 6, 8), utc(2027, 4, 6, 9)) not in _periods(source)  # consultant@example.com declined


def test_all_day_events_can_be_switched_off_per_source(httpserver, consultant, clock):
    httpserver.expect_request("/a.ics").respond_with_data(feed("apple.ics"))
    blocking = make_ics_source(consultant, httpserver.url_for("/a.ics"))
    relaxed = make_ics_source(consultant, httpserver.url_for("/a.ics"), all_day_blocks=False)
    source_sync(source_id=blocking.pk)
    source_sync(source_id=relaxed.pk)
    birthday = (utc(2027, 3, 11, 23), utc(2027, 3, 12, 23))
    assert birthday in _periods(blocking) and birthday not in _periods(relaxed)


def test_a_source_failing_for_more_than_a_day_mails_the_consultant_once(httpserver, consultant, mailoutbox,
                                                                     django_capture_on_commit_callbacks):
    httpserver.expect_request("/cal.ics").respond_with_data("gone", status=404)
    source = make_ics_source(consultant, httpserver.url_for("/cal.ics"))
    import time_machine

    for offset in (0, 12, 23.9, 24.1, 30, 48):
        with time_machine.travel(NOW + hours(offset), tick=False), \
                django_capture_on_commit_callbacks(execute=True):
            source_sync(source_id=source.pk)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["consultant@example.com"]
    assert "The address answered 404." in mailoutbox[0].body
    assert httpserver.url_for("/cal.ics") not in mailoutbox[0].body
    source.refresh_from_db()
    assert source.failing_since == NOW


def test_a_success_resets_the_failure_clock(httpserver, consultant, mailoutbox, django_capture_on_commit_callbacks):
    import time_machine

    httpserver.expect_ordered_request("/cal.ics").respond_with_data("gone", status=404)
    httpserver.expect_ordered_request("/cal.ics").respond_with_data(feed("google.ics"))
    httpserver.expect_ordered_request("/cal.ics").respond_with_data("gone", status=404)
    source = make_ics_source(consultant, httpserver.url_for("/cal.ics"))
    for offset in (0, 20, 30):
        with time_machine.travel(NOW + hours(offset), tick=False), \
                django_capture_on_commit_callbacks(execute=True):
            source_sync(source_id=source.pk)
    source.refresh_from_db()
    assert source.failing_since == NOW + hours(30) and mailoutbox == []


def test_removing_a_source_removes_its_busy_times(httpserver, consultant, clock):
    httpserver.expect_request("/basic.ics").respond_with_data(feed("google.ics"))
    source = make_ics_source(consultant, httpserver.url_for("/basic.ics"))
    source_sync(source_id=source.pk)
    source_delete(source=source)
    assert not BusyPeriod.objects.exists() and not CalendarSource.objects.exists()


def test_a_private_address_is_refused_in_production_settings(httpserver, consultant, clock, settings):
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = False
    httpserver.expect_request("/basic.ics").respond_with_data(feed("google.ics"))
    source = make_ics_source(consultant, httpserver.url_for("/basic.ics"))
    assert source_sync(source_id=source.pk).error == "address_not_allowed"
    assert httpserver.log == []
