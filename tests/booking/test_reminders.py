"""Reminders 24 h and 2 h before a session, with a frozen clock: sent once, never after a cancellation,
moved along with a rescheduled booking, and right across the change to summer time."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from booking.models import BookingNotice, PipelineEvent
from booking.services import booking_cancel, booking_reschedule
from booking.tasks import reminders_send_due
from tests.factories import BookingFactory, ConsultantFactory, SlotFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
START = dt.datetime(2030, 1, 7, 8, 0, tzinfo=UTC)  # Monday 09:00 in Stockholm


def _slot(consultant, start):
    return SlotFactory(consultant=consultant, status="published", starts_at=start,
                       ends_at=start + dt.timedelta(hours=1))


def _book(start=START, *, booked_at=None):
    """A confirmed booking made three days ahead (so every reminder is due later)."""
    consultant = ConsultantFactory(display_name="Anna Lindqvist", time_zone="Europe/Stockholm")
    slot = _slot(consultant, start)
    slot.status = "booked"
    slot.save()
    with time_machine.travel(booked_at or start - dt.timedelta(days=3), tick=False):
        return BookingFactory(slot=slot, company__name="Kaffebaren AB")


def _run_at(moment):
    with time_machine.travel(moment, tick=False):
        return reminders_send_due()


def test_nothing_is_sent_before_the_24_hour_mark(mailoutbox):
    _book()
    assert _run_at(START - dt.timedelta(hours=24, minutes=1)) == 0
    assert mailoutbox == []


def test_the_24_hour_reminder_reaches_both_sides_once_even_when_the_task_runs_twice(mailoutbox):
    booking = _book()
    moment = START - dt.timedelta(hours=23, minutes=58)
    assert _run_at(moment) == 2
    assert _run_at(moment) == 0
    assert _run_at(moment + dt.timedelta(minutes=5)) == 0

    assert sorted(m.to[0] for m in mailoutbox) == sorted([booking.booked_by.email, booking.consultant.user.email])
    company_mail = next(m for m in mailoutbox if m.to == [booking.booked_by.email])
    assert "Your session is in about 24 hours." in company_mail.body
    assert "Monday 7 January 2030, 09:00–10:00" in company_mail.body
    assert PipelineEvent.objects.filter(booking=booking, kind="reminder_sent").count() == 1
    assert BookingNotice.objects.filter(booking=booking, kind="reminder_24h", sent_at__isnull=False).count() == 2


def test_the_2_hour_reminder_follows_and_is_also_sent_once(mailoutbox):
    booking = _book()
    _run_at(START - dt.timedelta(hours=23))
    mailoutbox.clear()

    assert _run_at(START - dt.timedelta(hours=2, minutes=1)) == 0
    assert _run_at(START - dt.timedelta(hours=1, minutes=59)) == 2
    assert _run_at(START - dt.timedelta(hours=1, minutes=30)) == 0
    assert all("about two hours" in m.body for m in mailoutbox)
    assert PipelineEvent.objects.filter(booking=booking, kind="reminder_sent").count() == 2


def test_a_session_booked_after_the_24_hour_mark_gets_only_the_2_hour_reminder(mailoutbox):
    _book(booked_at=START - dt.timedelta(hours=10))
    assert _run_at(START - dt.timedelta(hours=9)) == 0
    assert _run_at(START - dt.timedelta(minutes=110)) == 2
    assert all("about two hours" in m.body for m in mailoutbox)


def test_a_cancelled_booking_gets_no_reminder(mailoutbox):
    booking = _book()
    with time_machine.travel(START - dt.timedelta(days=2), tick=False):
        booking_cancel(booking=booking, by=booking.booked_by, reason="Plans changed")
    assert _run_at(START - dt.timedelta(hours=23)) == 0
    assert _run_at(START - dt.timedelta(hours=1)) == 0
    assert mailoutbox == []


def test_a_moved_booking_is_reminded_of_its_new_time_and_never_of_the_old_one(mailoutbox):
    booking = _book()
    assert _run_at(START - dt.timedelta(hours=20)) == 2  # the 24 h reminder for the first time went out
    new_start = START + dt.timedelta(days=3, hours=4)
    new_slot = _slot(booking.consultant, new_start)
    with time_machine.travel(START - dt.timedelta(hours=19), tick=False):
        booking_reschedule(booking=booking, new_slot=new_slot, by=booking.booked_by)
    mailoutbox.clear()

    assert _run_at(START - dt.timedelta(hours=1)) == 0  # the old time's 2 h reminder is gone
    assert _run_at(new_start - dt.timedelta(hours=23)) == 2
    assert all("Thursday 10 January 2030, 13:00–14:00" in m.body for m in mailoutbox)
    assert _run_at(new_start - dt.timedelta(hours=1)) == 2
    assert _run_at(new_start - dt.timedelta(minutes=30)) == 0


def test_reminders_keep_to_the_hour_across_the_change_to_summer_time_in_stockholm(mailoutbox):
    # Sunday 29 March 2026: clocks go from 02:00 CET to 03:00 CEST. A 10:00 session that Sunday is 08:00 UTC,
    # so "24 hours before" is Saturday 08:00 UTC — 09:00 on Saturday's (winter) clock.
    start = dt.datetime(2026, 3, 29, 10, 0, tzinfo=STOCKHOLM)
    assert start.astimezone(UTC) == dt.datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    booking = _book(start)

    assert _run_at(dt.datetime(2026, 3, 28, 8, 59, tzinfo=STOCKHOLM)) == 0
    assert _run_at(dt.datetime(2026, 3, 28, 9, 0, tzinfo=STOCKHOLM)) == 2
    company_mail = next(m for m in mailoutbox if m.to == [booking.booked_by.email])
    assert "Sunday 29 March 2026, 10:00–11:00 (Europe/Stockholm)" in company_mail.body

    # Two hours before is 08:00 summer time, the first hours after the change.
    assert _run_at(dt.datetime(2026, 3, 29, 7, 59, tzinfo=STOCKHOLM)) == 0
    assert _run_at(dt.datetime(2026, 3, 29, 8, 0, tzinfo=STOCKHOLM)) == 2


def test_the_reminder_run_reads_a_constant_number_of_queries_for_its_list(django_assert_max_num_queries):
    for i in range(5):
        _book(START + dt.timedelta(minutes=i))
    from booking.reminders import reminders_due

    with django_assert_max_num_queries(1), time_machine.travel(START - dt.timedelta(hours=25), tick=False):
        assert list(reminders_due(now=START - dt.timedelta(hours=23))) != []


def test_reminders_keep_to_the_hour_across_the_change_back_to_winter_time_in_stockholm(mailoutbox):
    # Sunday 25 October 2026: clocks go back from 03:00 CEST to 02:00 CET. A 10:00 session that Sunday is
    # 09:00 UTC, so "24 hours before" is Saturday 09:00 UTC — 11:00 on Saturday's (summer) clock.
    start = dt.datetime(2026, 10, 25, 10, 0, tzinfo=STOCKHOLM)
    booking = _book(start)

    assert _run_at(dt.datetime(2026, 10, 24, 10, 59, tzinfo=STOCKHOLM)) == 0
    assert _run_at(dt.datetime(2026, 10, 24, 11, 0, tzinfo=STOCKHOLM)) == 2
    company_mail = next(m for m in mailoutbox if m.to == [booking.booked_by.email])
    assert "Sunday 25 October 2026, 10:00–11:00 (Europe/Stockholm)" in company_mail.body
    assert _run_at(dt.datetime(2026, 10, 25, 7, 59, tzinfo=STOCKHOLM)) == 0
    assert _run_at(dt.datetime(2026, 10, 25, 8, 0, tzinfo=STOCKHOLM)) == 2
