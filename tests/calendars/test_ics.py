"""Fixture feeds shaped like Google's, Outlook's and Apple's become the right busy intervals (UTC)."""

import zoneinfo
from datetime import UTC, datetime
from pathlib import Path

import pytest

from calendars.ics import NotACalendar, busy_intervals

FEEDS = Path(__file__).parent / "feeds"
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
START = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)
END = datetime(2027, 6, 1, tzinfo=UTC)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def periods(name, **kwargs):
    options = {"zone": STOCKHOLM, "start": START, "end": END, **kwargs}
    return busy_intervals((FEEDS / name).read_bytes(), **options)


def test_google_weekly_event_keeps_its_local_time_across_dst_thanks_to_x_wr_timezone():
    got = periods("google.ics")
    # 10:00 Stockholm every Monday: 09:00 UTC in winter, 08:00 UTC after the change on 28 March.
    assert (utc(2027, 3, 1, 9), utc(2027, 3, 1, 10)) in got
    assert (utc(2027, 3, 29, 8), utc(2027, 3, 29, 9)) in got
    assert (utc(2027, 4, 5, 8), utc(2027, 4, 5, 9)) in got


def test_google_exdate_removes_an_occurrence_and_recurrence_id_moves_one():
    got = periods("google.ics")
    assert not any(s.date() == datetime(2027, 3, 15).date() for s, _ in got)  # EXDATE
    assert (utc(2027, 3, 22, 13), utc(2027, 3, 22, 14)) in got  # moved to the afternoon …
    assert (utc(2027, 3, 22, 9), utc(2027, 3, 22, 10)) not in got  # … and no longer in the morning
    assert len([p for p in got if p[0].weekday() == 0]) == 5  # COUNT=6 minus the EXDATE


def test_transparent_and_cancelled_events_are_free():
    got = periods("google.ics")
    assert not any(s.date() in {datetime(2027, 3, 2).date(), datetime(2027, 3, 3).date()} for s, _ in got)


def test_outlook_windows_zone_names_are_understood():
    got = periods("outlook.ics")
    # "W. Europe Standard Time" is Central European (summer) time on 5 April: 10:00 local = 08:00 UTC.
    assert (utc(2027, 4, 5, 8), utc(2027, 4, 5, 9, 30)) in got


def test_a_declined_invitation_is_free_for_the_consultant_who_declined_it():
    declined = (utc(2027, 4, 6, 8), utc(2027, 4, 6, 9))
    assert declined in periods("outlook.ics")  # someone else's view of the feed: busy
    assert declined not in periods("outlook.ics", addresses={"Consultant@Example.com"})


def test_all_day_events_block_the_consultants_local_day_unless_switched_off():
    got = periods("outlook.ics")
    assert (utc(2027, 4, 6, 22), utc(2027, 4, 7, 22)) in got  # 7 April 00:00–24:00 in Stockholm (summer time)
    got = periods("outlook.ics", all_day_blocks=False)
    assert not any(s.date() == datetime(2027, 4, 7).date() for s, _ in got)


def test_apple_feed_rdate_floating_time_and_birthday():
    got = periods("apple.ics")
    assert (utc(2027, 3, 8, 13), utc(2027, 3, 8, 14)) in got  # TZID Europe/Stockholm, winter
    assert (utc(2027, 3, 10, 13), utc(2027, 3, 10, 14)) in got  # the RDATE
    assert (utc(2027, 3, 9, 10), utc(2027, 3, 9, 11)) in got  # floating 11:00 read in the consultant's zone
    assert (utc(2027, 3, 11, 23), utc(2027, 3, 12, 23)) in got  # the birthday blocks 12 March …
    assert not any(s.date() == datetime(2027, 3, 12).date() and s.hour == 23
                   for s, _ in periods("apple.ics", all_day_blocks=False))  # … unless switched off


def test_floating_times_follow_the_consultants_zone():
    got = periods("apple.ics", zone=zoneinfo.ZoneInfo("Europe/London"))
    assert (utc(2027, 3, 9, 11), utc(2027, 3, 9, 12)) in got


def test_events_probono_published_itself_are_ignored():
    got = periods("apple.ics")
    assert not any(s == utc(2027, 3, 11, 9) for s, _ in got)


def test_only_the_window_is_kept_and_overlaps_are_merged():
    data = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:x
BEGIN:VEVENT
UID:a
DTSTART:20270301T090000Z
DTEND:20270301T110000Z
END:VEVENT
BEGIN:VEVENT
UID:b
DTSTART:20270301T100000Z
DTEND:20270301T120000Z
END:VEVENT
BEGIN:VEVENT
UID:c
DTSTART:20270201T100000Z
DTEND:20270201T120000Z
END:VEVENT
END:VCALENDAR
"""
    assert busy_intervals(data, zone=STOCKHOLM, start=START, end=END) == [(utc(2027, 3, 1, 9), utc(2027, 3, 1, 12))]


@pytest.mark.parametrize("data", [
    b"<!DOCTYPE html><html><body>Sign in to Google</body></html>",
    b"",
    b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:notadate\r\nEND:VCALENDAR\r\n",
    b"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:x\nDTSTART:20270301T090000Z\n",
])
def test_html_and_broken_data_are_not_a_calendar(data):
    with pytest.raises(NotACalendar):
        busy_intervals(data, zone=STOCKHOLM, start=START, end=END)
