"""The consultant's private ICS feed and the .ics download of one booking."""

import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from consultants.services import consultant_rotate_feed_token
from tests.factories import (
    PASSWORD,
    BookingFactory,
    ConsultantFactory,
    MembershipFactory,
    SlotFactory,
)

pytestmark = pytest.mark.django_db
UTC = dt.UTC
START = dt.datetime(2030, 1, 7, 8, 0, tzinfo=UTC)


def _booking(consultant, start, status="confirmed"):
    slot = SlotFactory(consultant=consultant, starts_at=start, ends_at=start + dt.timedelta(hours=1),
                       status="booked" if status in ("confirmed", "requested") else "published")
    return BookingFactory(slot=slot, status=status)


def _feed(client, token):
    return client.get(reverse("booking:calendar_feed", args=[token]))


def test_a_consultant_without_bookings_gets_a_valid_empty_feed(client):
    consultant = ConsultantFactory()
    token = consultant_rotate_feed_token(consultant=consultant)
    response = _feed(client, token)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    assert cal.name == "VCALENDAR" and cal.events == []


def test_the_feed_lists_every_booked_session_with_stable_uids_and_the_right_times(client):
    consultant = ConsultantFactory(time_zone="Europe/Stockholm")
    confirmed = _booking(consultant, START)
    held = _booking(consultant, START - dt.timedelta(days=30), status="held")
    cancelled = _booking(consultant, START + dt.timedelta(days=1), status="cancelled")
    cancelled.confirmed_at = START - dt.timedelta(days=10)  # confirmed, then cancelled
    cancelled.save()
    _booking(consultant, START + dt.timedelta(days=2), status="declined")
    _booking(consultant, START + dt.timedelta(days=3), status="requested")
    withdrawn = _booking(consultant, START + dt.timedelta(days=5), status="cancelled")
    withdrawn.confirmed_at = None  # a request withdrawn before the consultant answered
    withdrawn.save()
    _booking(ConsultantFactory(), START + dt.timedelta(days=4))  # another consultant's
    token = consultant_rotate_feed_token(consultant=consultant)

    response = _feed(client, token)
    cal = Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in cal.events}

    assert set(events) == {confirmed.invite_uid, held.invite_uid, cancelled.invite_uid}
    assert events[confirmed.invite_uid].start.astimezone(UTC) == START
    assert events[confirmed.invite_uid].end.astimezone(UTC) == START + dt.timedelta(hours=1)
    assert events[confirmed.invite_uid]["STATUS"] == "CONFIRMED"
    assert events[cancelled.invite_uid]["STATUS"] == "CANCELLED"
    assert events[cancelled.invite_uid]["SEQUENCE"] == cancelled.invite_sequence + 1
    # UTC times, no zone to misread (booking/invites.py says why).
    assert cal.timezones == []
    assert b"DTSTART:20300107T080000Z" in response.content
    # Fetching it again gives the same identities (calendar apps update, never duplicate).
    again = Calendar.from_ical(_feed(client, token).content)
    assert {str(e["UID"]) for e in again.events} == set(events)


def test_a_rotated_token_stops_working(client):
    consultant = ConsultantFactory()
    old = consultant_rotate_feed_token(consultant=consultant)
    new = consultant_rotate_feed_token(consultant=consultant)

    assert _feed(client, old).status_code == 404
    assert _feed(client, new).status_code == 200


@pytest.mark.parametrize("token", ["nope", "x" * 300])
def test_an_unknown_token_is_not_found(client, token):
    ConsultantFactory()  # has no token at all: an empty hash must never match
    assert _feed(client, token).status_code == 404


@pytest.mark.parametrize("bookings", [1, 30])
def test_the_feed_reads_a_constant_number_of_queries(client, django_assert_max_num_queries, bookings):
    consultant = ConsultantFactory()
    for i in range(bookings):
        _booking(consultant, START + dt.timedelta(days=i))
    token = consultant_rotate_feed_token(consultant=consultant)
    with django_assert_max_num_queries(3):  # the consultant, their user (feed language), the bookings
        assert _feed(client, token).status_code == 200


# --- one booking's .ics -------------------------------------------------------------------------------


def _login(client, user):
    assert client.login(email=user.email, password=PASSWORD)


def test_a_company_member_and_the_consultant_can_download_the_booking_ics(client):
    booking = _booking(ConsultantFactory(), START)
    colleague = MembershipFactory(company=booking.company).user
    for user in (booking.booked_by, colleague, booking.consultant.user):
        _login(client, user)
        response = client.get(reverse("booking:booking_ics", args=[booking.pk]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        [event] = Calendar.from_ical(response.content).events
        assert str(event["UID"]) == booking.invite_uid
        assert event.start.astimezone(UTC) == START


def test_a_cancelled_booking_downloads_as_cancelled(client):
    booking = _booking(ConsultantFactory(), START, status="cancelled")
    _login(client, booking.booked_by)
    [event] = Calendar.from_ical(client.get(reverse("booking:booking_ics", args=[booking.pk])).content).events
    assert event["STATUS"] == "CANCELLED"


def test_outsiders_cannot_download_a_booking_ics(client):
    booking = _booking(ConsultantFactory(), START)
    url = reverse("booking:booking_ics", args=[booking.pk])
    assert client.get(url).status_code == 302  # to the login page
    for outsider in (MembershipFactory().user, ConsultantFactory().user):
        _login(client, outsider)
        assert client.get(url).status_code == 404


def test_sessions_older_than_a_year_drop_out_of_the_feed(client):
    import time_machine

    consultant = ConsultantFactory()
    old = _booking(consultant, START - dt.timedelta(days=400), status="held")
    recent = _booking(consultant, START - dt.timedelta(days=300), status="held")
    token = consultant_rotate_feed_token(consultant=consultant)
    with time_machine.travel(START, tick=False):
        uids = {str(e["UID"]) for e in Calendar.from_ical(_feed(client, token).content).events}
    assert uids == {recent.invite_uid}
    assert old.invite_uid not in uids
