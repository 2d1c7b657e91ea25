"""What a sync does to the offer: covered times leave every list and are refused; booked sessions are flagged
and mailed once, never cancelled."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from booking.services import BookingError, booking_create
from calendars.mails import mail_busy_conflicts
from calendars.models import BusyConflict
from calendars.services import source_delete, source_sync
from consultants.models import Slot
from consultants.selectors import consultant_directory
from tests.booking.helpers import answers_for
from tests.calendars.conftest import feed, make_ics_source
from tests.factories import AvailabilityRuleFactory, BookingFactory, MembershipFactory, SlotFactory

pytestmark = pytest.mark.django_db


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def _slot(consultant, start, minutes=60, **kwargs):
    return SlotFactory(consultant=consultant, starts_at=start, ends_at=start + timedelta(minutes=minutes), **kwargs)


@pytest.fixture
def synced(httpserver, consultant, clock):
    """The consultant's Google feed: busy 09:00–10:00 UTC on Monday 1 March 2027 (among others)."""
    httpserver.expect_request("/basic.ics").respond_with_data(feed("google.ics"))
    rule = AvailabilityRuleFactory(consultant=consultant, buffer_minutes=15)
    slots = {
        "covered": _slot(consultant, utc(2027, 3, 1, 9), rule=rule),
        "in_break": _slot(consultant, utc(2027, 3, 1, 10), rule=rule),  # starts as the busy time ends
        "free": _slot(consultant, utc(2027, 3, 1, 10, 15), rule=rule),  # after the 15-minute break
        "later": _slot(consultant, utc(2027, 3, 1, 12), rule=rule),
    }
    source = make_ics_source(consultant, httpserver.url_for("/basic.ics"))

    def run():
        result = source_sync(source_id=source.pk)
        for s in slots.values():
            s.refresh_from_db()
        return result

    return source, slots, run


def test_slots_covered_by_busy_time_and_the_break_are_marked_busy(synced):
    _source, slots, run = synced
    run()
    assert {name for name, s in slots.items() if s.busy} == {"covered", "in_break"}


def test_the_mark_is_cleared_when_the_busy_time_goes(synced):
    source, slots, run = synced
    run()
    source_delete(source=source)
    assert not Slot.objects.filter(busy=True).exists()


def test_busy_times_leave_the_profile_and_the_directory(synced, client):
    _source, slots, run = synced
    profile = reverse("consultants:profile", args=[slots["covered"].consultant.slug])
    assert reverse("booking:book", args=[slots["covered"].pk]) in client.get(profile).content.decode()
    assert consultant_directory().get().next_free == slots["covered"].starts_at
    run()
    html = client.get(profile).content.decode()
    assert reverse("booking:book", args=[slots["covered"].pk]) not in html
    assert reverse("booking:book", args=[slots["in_break"].pk]) not in html
    assert reverse("booking:book", args=[slots["free"].pk]) in html
    assert consultant_directory().get().next_free == slots["free"].starts_at


def test_a_booking_step_for_a_busy_time_is_refused_with_a_friendly_page(synced, client):
    _source, slots, run = synced
    run()
    member = MembershipFactory().user
    client.force_login(member)
    for method in (client.get, client.post):
        response = method(reverse("booking:book", args=[slots["covered"].pk]))
        assert response.status_code == 409
        assert "The consultant no longer offers this time." in response.content.decode()


def test_booking_create_refuses_a_busy_time(synced):
    _source, slots, run = synced
    run()
    membership = MembershipFactory()
    with pytest.raises(BookingError):
        booking_create(slot=slots["covered"], company=membership.company, user=membership.user,
                       answers=answers_for(slots["covered"].consultant))
    assert not slots["covered"].bookings.exists()


def test_a_booked_session_under_new_busy_time_is_kept_flagged_and_mailed_once(
        synced, mailoutbox, django_capture_on_commit_callbacks):
    _source, slots, run = synced
    booking = BookingFactory(slot=slots["covered"], consultant=slots["covered"].consultant, status="confirmed")
    Slot.objects.filter(pk=slots["covered"].pk).update(status=Slot.Status.BOOKED)
    with django_capture_on_commit_callbacks(execute=True):
        assert run().new_conflicts == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert run().new_conflicts == 0  # the same conflict is not news
    booking.refresh_from_db()
    assert booking.status == "confirmed" and slots["covered"].status == Slot.Status.BOOKED
    assert BusyConflict.objects.filter(slot=slots["covered"]).count() == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["consultant@example.com"]
    assert "nothing was cancelled" in mailoutbox[0].body
    assert mail_busy_conflicts(consultant_id=booking.consultant_id) == 0  # a task run twice sends nothing more
    assert len(mailoutbox) == 1


def test_a_conflict_that_goes_away_is_forgotten(synced, httpserver):
    source, slots, run = synced
    Slot.objects.filter(pk=slots["covered"].pk).update(status=Slot.Status.BOOKED)
    run()
    assert BusyConflict.objects.count() == 1
    source_delete(source=source)
    assert BusyConflict.objects.count() == 0


def test_the_month_review_shows_busy_periods_beside_the_sessions(synced, client):
    _source, slots, run = synced
    run()
    consultant = slots["covered"].consultant
    client.force_login(consultant.user)
    html = client.get(reverse("consultants:month", args=[2027, 3])).content.decode()
    assert "Busy in your other calendars" in html
    assert "Monday 1 March, 10:00–11:00" in html  # 09:00 UTC in Stockholm


def test_a_conflict_is_flagged_on_the_sessions_page_and_the_calendar(synced, client):
    _source, slots, run = synced
    slot = slots["covered"]
    BookingFactory(slot=slot, consultant=slot.consultant, status="confirmed")
    Slot.objects.filter(pk=slot.pk).update(status=Slot.Status.BOOKED)
    client.force_login(slot.consultant.user)
    text = "conflicts with busy time in your other calendar"
    assert text not in client.get(reverse("booking:consultant_dashboard")).content.decode()
    run()
    assert text in client.get(reverse("booking:consultant_dashboard")).content.decode()
    assert text in client.get("/me/calendar/?month=2027-03").content.decode()
    assert text in client.get(reverse("consultants:month", args=[2027, 3])).content.decode()


def test_a_slot_made_after_the_sync_is_marked_busy_in_the_transaction_that_makes_it(synced):
    from consultants.services import slot_add

    _source, slots, run = synced
    run()
    added = slot_add(consultant=slots["covered"].consultant, starts_at=utc(2027, 3, 8, 9), publish=True)
    added.refresh_from_db()
    assert added.busy  # 8 March 09:00 UTC is the standup's next occurrence
    other = slot_add(consultant=slots["covered"].consultant, starts_at=utc(2027, 3, 8, 14), publish=True)
    other.refresh_from_db()
    assert not other.busy


def test_rescheduling_onto_a_busy_time_is_refused(synced):
    from booking.services import booking_reschedule

    _source, slots, run = synced
    run()
    booking = BookingFactory(slot=slots["later"], consultant=slots["later"].consultant, status="confirmed")
    Slot.objects.filter(pk=slots["later"].pk).update(status=Slot.Status.BOOKED)
    with pytest.raises(BookingError):
        booking_reschedule(booking=booking, new_slot=slots["covered"], by=booking.booked_by)
    booking.refresh_from_db()
    assert booking.slot_id == slots["later"].pk
