"""The .ics invite of one booking: identity (UID, SEQUENCE), METHOD, times and who is named."""

import datetime as dt
import zoneinfo

import pytest
from icalendar import Calendar

from booking.invites import booking_calendar
from tests.factories import BookingFactory, ConsultantFactory, MembershipFactory, SlotFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def _booking(**kw):
    consultant = ConsultantFactory(display_name="Anna Lindqvist", time_zone="Europe/Stockholm")
    slot = SlotFactory(consultant=consultant, status="booked",
                       starts_at=dt.datetime(2030, 3, 4, 8, 0, tzinfo=UTC),
                       ends_at=dt.datetime(2030, 3, 4, 9, 0, tzinfo=UTC))
    return BookingFactory(slot=slot, **kw)


def _parse(ics: bytes):
    cal = Calendar.from_ical(ics)
    assert len(cal.events) == 1
    return cal, cal.events[0]


def test_a_request_invite_parses_back_with_uid_sequence_method_and_the_slot_times():
    booking = _booking()
    cal, event = _parse(booking_calendar(booking, method="REQUEST"))

    assert cal["METHOD"] == "REQUEST"
    assert str(event["UID"]) == booking.invite_uid
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event.start.astimezone(UTC) == booking.slot.starts_at
    assert event.end.astimezone(UTC) == booking.slot.ends_at


def test_times_are_written_in_the_consultants_zone_with_a_small_vtimezone():
    booking = _booking()
    ics = booking_calendar(booking, method="REQUEST")
    cal, event = _parse(ics)

    assert b"DTSTART;TZID=Europe/Stockholm:20300304T090000" in ics
    assert [tz["TZID"] for tz in cal.timezones] == ["Europe/Stockholm"]
    # Bounded to the days around the session: no decades of DST transitions.
    assert ics.count(b"BEGIN:DAYLIGHT") + ics.count(b"BEGIN:STANDARD") <= 3


def test_a_session_in_summer_time_keeps_its_wall_clock_hour():
    consultant = ConsultantFactory(time_zone="Europe/Stockholm")
    start = dt.datetime(2030, 4, 1, 9, 0, tzinfo=STOCKHOLM)  # after the March change: UTC+2
    slot = SlotFactory(consultant=consultant, status="booked", starts_at=start, ends_at=start + dt.timedelta(hours=1))
    ics = booking_calendar(BookingFactory(slot=slot), method="REQUEST")

    _, event = _parse(ics)
    assert b"DTSTART;TZID=Europe/Stockholm:20300401T090000" in ics
    assert event.start.astimezone(UTC) == dt.datetime(2030, 4, 1, 7, 0, tzinfo=UTC)


def test_a_cancel_invite_has_method_cancel_status_cancelled_the_same_uid_and_sequence_plus_one():
    booking = _booking()
    booking.invite_sequence = 2  # moved twice before it was cancelled
    cal, event = _parse(booking_calendar(booking, method="CANCEL"))

    assert cal["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 3
    assert str(event["UID"]) == booking.invite_uid


def test_a_moved_booking_keeps_its_uid_with_a_higher_sequence_and_new_times():
    booking = _booking()
    first = _parse(booking_calendar(booking, method="REQUEST"))[1]
    new_slot = SlotFactory(consultant=booking.consultant, status="booked",
                           starts_at=dt.datetime(2030, 3, 11, 13, 0, tzinfo=UTC),
                           ends_at=dt.datetime(2030, 3, 11, 14, 0, tzinfo=UTC))
    booking.slot, booking.invite_sequence = new_slot, 1
    second = _parse(booking_calendar(booking, method="REQUEST"))[1]

    assert str(second["UID"]) == str(first["UID"])
    assert second["SEQUENCE"] == first["SEQUENCE"] + 1
    assert second.start.astimezone(UTC) == new_slot.starts_at


def test_the_invite_names_only_the_organizer_and_the_company_recipient():
    booking = _booking()
    colleague = MembershipFactory(company=booking.company).user
    ics = booking_calendar(booking, method="REQUEST")
    _, event = _parse(ics)

    assert str(event["ORGANIZER"]).lower() == f"mailto:{booking.consultant.user.email}"
    attendees = event.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a).lower() for a in attendees] == [f"mailto:{booking.booked_by.email}"]
    assert colleague.email.encode() not in ics


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError):
        booking_calendar(_booking(), method="REFRESH")
