"""The .ics invite of one booking: identity (UID, SEQUENCE), METHOD, times, who is named and where it happens.

Every invite is read by two independent parsers (icalendar, and vobject, which reads zones through dateutil),
and by recurring-ical-events as a calendar client would, with several versions of one booking in one file.
"""

import datetime as dt
import zoneinfo
from urllib.parse import parse_qs, urlsplit

import pytest
import recurring_ical_events
import vobject
from icalendar import Calendar

from booking.invites import booking_calendar, consultant_feed, google_calendar_url, outlook_calendar_url
from tests.factories import BookingFactory, ConsultantFactory, MembershipFactory, SlotFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
ROOM_BASE = "https://meet.example.org/"

PLACES = {
    "video_link": {"place_kind": "video_link", "place_video_url": "https://zoom.example.com/j/123456789"},
    "video_room": {"place_kind": "video_room"},
    "phone_i_call": {"place_kind": "phone_i_call"},
    "phone_they_call": {"place_kind": "phone_they_call", "place_phone": "+46701234567"},
    "in_person": {"place_kind": "in_person", "place_street": "Drottninggatan 5", "place_postcode": "111 51",
                  "place_city": "Stockholm", "place_country": "SE", "place_directions": "Ring the bell marked CX."},
}


@pytest.fixture(autouse=True)
def _video_rooms(settings):
    settings.VIDEO_ROOM_BASE_URL = ROOM_BASE


def _booking(place=None, start=dt.datetime(2030, 3, 4, 8, 0, tzinfo=UTC), consultant=None, **kw):
    consultant = consultant or ConsultantFactory(display_name="Anna Lindqvist", time_zone="Europe/Stockholm",
                                                 **(place or {}))
    slot = SlotFactory(consultant=consultant, status="booked", starts_at=start, ends_at=start + dt.timedelta(hours=1))
    booking = BookingFactory(slot=slot, **kw)
    for name, value in (place or {}).items():  # the booking's own copy, when it has one
        if hasattr(booking, name):
            setattr(booking, name, value)
    return booking


def _parse(ics: bytes):
    cal = Calendar.from_ical(ics)
    assert len(cal.events) == 1
    return cal, cal.events[0]


def _vobject(ics: bytes):
    return vobject.readOne(ics.decode())


def _both_start_and_end(ics: bytes):
    """(start, end) in UTC as icalendar and as vobject read them: the two must agree."""
    event = _parse(ics)[1]
    vevent = _vobject(ics).vevent
    ours = (event.start.astimezone(UTC), event.end.astimezone(UTC))
    theirs = (vevent.dtstart.value.astimezone(UTC), vevent.dtend.value.astimezone(UTC))
    assert ours == theirs
    return ours


def test_a_request_invite_parses_back_in_both_parsers_with_uid_sequence_method_and_the_slot_times():
    booking = _booking()
    ics = booking_calendar(booking, method="REQUEST")
    cal, event = _parse(ics)
    vcal = _vobject(ics)

    assert cal["METHOD"] == "REQUEST" and vcal.method.value == "REQUEST"
    assert str(event["UID"]) == booking.invite_uid == vcal.vevent.uid.value
    assert event["SEQUENCE"] == 0 and vcal.vevent.sequence.value == "0"
    assert event["STATUS"] == "CONFIRMED"
    assert _both_start_and_end(ics) == (booking.slot.starts_at, booking.slot.ends_at)


def test_times_are_written_in_utc_with_no_zone_to_misread():
    ics = booking_calendar(_booking(), method="REQUEST")
    cal, _ = _parse(ics)

    assert b"DTSTART:20300304T080000Z" in ics
    assert b"TZID" not in ics and cal.timezones == []


def test_sessions_on_both_sides_of_both_dst_changes_land_at_nine_stockholm_time_in_every_reader():
    consultant = ConsultantFactory(time_zone="Europe/Stockholm")
    days = [dt.date(2030, 3, 25), dt.date(2030, 4, 1), dt.date(2030, 10, 21), dt.date(2030, 10, 28)]
    for day in days:  # the clocks change on 31 March and 27 October 2030
        start = dt.datetime.combine(day, dt.time(9), tzinfo=STOCKHOLM)
        _booking(consultant=consultant, start=start.astimezone(UTC))
    ics = consultant_feed(consultant)

    by_icalendar = sorted(e.start.astimezone(STOCKHOLM) for e in Calendar.from_ical(ics).events)
    by_vobject = sorted(e.dtstart.value.astimezone(STOCKHOLM) for e in _vobject(ics).vevent_list)
    by_client = sorted(e.start.astimezone(STOCKHOLM) for e in
                       recurring_ical_events.of(Calendar.from_ical(ics)).between(dt.date(2030, 1, 1),
                                                                                 dt.date(2031, 1, 1)))
    for starts in (by_icalendar, by_vobject, by_client):
        assert [(s.date(), s.hour, s.minute) for s in starts] == [(d, 9, 0) for d in days]
    # Two of them are in summer time (UTC+2), two in winter time (UTC+1).
    assert sorted({s.utcoffset() for s in by_icalendar}) == [dt.timedelta(hours=1), dt.timedelta(hours=2)]


def test_a_cancel_invite_has_method_cancel_status_cancelled_the_same_uid_and_sequence_plus_one():
    booking = _booking()
    booking.invite_sequence = 2  # moved twice before it was cancelled
    ics = booking_calendar(booking, method="CANCEL")
    cal, event = _parse(ics)

    assert cal["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED" and _vobject(ics).vevent.status.value == "CANCELLED"
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


def test_a_calendar_holding_every_invite_of_one_booking_shows_it_once_at_its_latest_time():
    booking = _booking(PLACES["video_link"])
    files = [booking_calendar(booking, method="REQUEST")]
    moved = SlotFactory(consultant=booking.consultant, status="booked",
                        starts_at=dt.datetime(2030, 4, 1, 7, 0, tzinfo=UTC),
                        ends_at=dt.datetime(2030, 4, 1, 8, 0, tzinfo=UTC))
    booking.slot, booking.invite_sequence = moved, 1
    files.append(booking_calendar(booking, method="REQUEST"))
    files.append(booking_calendar(booking, method="PUBLISH", audience="consultant"))
    merged = Calendar.new(prodid="-//test//EN", subcomponents=[e for f in files for e in Calendar.from_ical(f).events])

    seen = recurring_ical_events.of(Calendar.from_ical(merged.to_ical())).between(dt.date(2030, 1, 1),
                                                                                  dt.date(2031, 1, 1))
    assert [(str(e["UID"]), e.start.astimezone(UTC), e["SEQUENCE"]) for e in seen] == [
        (booking.invite_uid, moved.starts_at, 1)]

    files.append(booking_calendar(booking, method="CANCEL"))
    merged = Calendar.new(prodid="-//test//EN", subcomponents=[e for f in files for e in Calendar.from_ical(f).events])
    seen = recurring_ical_events.of(merged).between(dt.date(2030, 1, 1), dt.date(2031, 1, 1))
    assert [(e["STATUS"], e["SEQUENCE"]) for e in seen] == [("CANCELLED", 2)]


def test_the_company_invite_names_the_consultant_as_organizer_and_only_the_company_contact_as_attendee():
    booking = _booking()
    colleague = MembershipFactory(company=booking.company).user
    ics = booking_calendar(booking, method="REQUEST")
    _, event = _parse(ics)
    vevent = _vobject(ics).vevent

    assert str(event["ORGANIZER"]).lower() == f"mailto:{booking.consultant.user.email}"
    assert vevent.organizer.value.lower() == f"mailto:{booking.consultant.user.email}"
    attendees = event.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a).lower() for a in attendees] == [f"mailto:{booking.booked_by.email}"]
    assert attendees[0].params["ROLE"] == "REQ-PARTICIPANT"
    assert [a.value.lower() for a in vevent.attendee_list] == [f"mailto:{booking.booked_by.email}"]
    assert colleague.email.encode() not in ics


def test_the_consultants_copy_is_published_with_the_consultant_as_organizer_and_no_attendee():
    booking = _booking(PLACES["phone_i_call"])
    ics = booking_calendar(booking, method="PUBLISH", audience="consultant")
    cal, event = _parse(ics)

    assert cal["METHOD"] == "PUBLISH"
    assert str(event["ORGANIZER"]).lower() == f"mailto:{booking.consultant.user.email}"
    assert "ATTENDEE" not in event  # RFC 5546: a PUBLISH names no attendees
    assert booking.company.name in str(event["DESCRIPTION"])
    assert str(event["URL"]).endswith("/me/sessions/")
    assert str(event["UID"]) == booking.invite_uid


@pytest.mark.parametrize("kind", PLACES)
def test_every_kind_of_place_is_in_location_description_and_both_parsers(kind):
    booking = _booking(PLACES[kind])
    booking.company_phone = "+4532123456"
    booking.video_room = "probono-" + "ab" * 20
    ics = booking_calendar(booking, method="REQUEST", manage_token="secret-token")
    _, event = _parse(ics)
    vevent = _vobject(ics).vevent
    expected = {
        "video_link": "https://zoom.example.com/j/123456789",
        "video_room": ROOM_BASE + "probono-" + "ab" * 20,
        "phone_i_call": "+45 32 12 34 56",
        "phone_they_call": "+46 70 123 45 67",
        "in_person": "Drottninggatan 5, 111 51 Stockholm, Sweden",
    }[kind]

    assert str(event["LOCATION"]) == expected == vevent.location.value
    description = str(event["DESCRIPTION"])
    assert expected in description and description == vevent.description.value
    assert "/manage/secret-token/" in description
    assert str(event["URL"]).endswith("/manage/secret-token/") and vevent.url.value == str(event["URL"])
    if kind.startswith("video"):
        conference = event["CONFERENCE"]
        assert str(conference) == expected
        assert conference.params["FEATURE"] == "VIDEO" and conference.params["LABEL"]
        assert vevent.conference.value == expected and vevent.conference.params["FEATURE"] == ["VIDEO"]
    else:
        assert "CONFERENCE" not in event
    if kind == "in_person":
        assert "Ring the bell marked CX." in description


def test_a_place_not_chosen_yet_leaves_location_out_and_says_so():
    ics = booking_calendar(_booking(), method="REQUEST")
    _, event = _parse(ics)

    assert "LOCATION" not in event and "CONFERENCE" not in event
    assert "Anna Lindqvist will tell you how you meet." in str(event["DESCRIPTION"])


def test_google_and_outlook_links_carry_the_times_in_utc_the_place_and_the_manage_link():
    booking = _booking(PLACES["video_link"])
    google = urlsplit(google_calendar_url(booking, manage_token="tok"))
    outlook = urlsplit(outlook_calendar_url(booking, manage_token="tok"))
    g, o = parse_qs(google.query), parse_qs(outlook.query)

    assert (google.scheme, google.netloc, google.path) == ("https", "calendar.google.com", "/calendar/render")
    assert g["action"] == ["TEMPLATE"] and g["dates"] == ["20300304T080000Z/20300304T090000Z"]
    assert g["location"] == ["https://zoom.example.com/j/123456789"] and "/manage/tok/" in g["details"][0]
    assert (outlook.netloc, outlook.path) == ("outlook.office.com", "/calendar/0/deeplink/compose")
    assert o["startdt"] == ["2030-03-04T08:00:00Z"] and o["enddt"] == ["2030-03-04T09:00:00Z"]
    assert o["location"] == ["https://zoom.example.com/j/123456789"] and o["rru"] == ["addevent"]
    assert "Anna Lindqvist" in o["subject"][0]


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError):
        booking_calendar(_booking(), method="REFRESH")
