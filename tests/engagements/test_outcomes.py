"""Recording a session's outcome (held / no-show) after it has ended."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from booking.models import Booking, PipelineEvent
from engagements.services import EngagementError, session_record_outcome
from tests.factories import BookingFactory, ConsultantFactory, PastSlotFactory, SlotFactory

pytestmark = pytest.mark.django_db


def _ended_booking(consultant, **kw):
    return BookingFactory(slot=PastSlotFactory(consultant=consultant), **kw)


def test_held_is_recorded_with_the_consultant_on_the_timeline(consultant):
    booking = _ended_booking(consultant)
    session_record_outcome(booking=booking, outcome="held", by=consultant.user)
    booking.refresh_from_db()
    assert booking.status == "held"
    event = PipelineEvent.objects.get(booking=booking, kind="held")
    assert (event.actor, event.actor_name) == (consultant.user, "Anna Lindqvist")


def test_a_no_show_tells_the_company_kindly(consultant, django_capture_on_commit_callbacks, mailoutbox):
    booking = _ended_booking(consultant)
    with django_capture_on_commit_callbacks(execute=True):
        session_record_outcome(booking=booking, outcome="no_show", by=consultant.user)
    booking.refresh_from_db()
    assert booking.status == "no_show"
    assert [m.to for m in mailoutbox] == [[booking.booked_by.email]]
    assert "Anna Lindqvist" in mailoutbox[0].subject
    assert "book a new time" in mailoutbox[0].body
    assert PipelineEvent.objects.filter(booking=booking, kind="no_show", actor=consultant.user).count() == 1


def test_the_outcome_cannot_be_recorded_before_the_session_ends(consultant):
    start = dt.datetime(2031, 5, 5, 8, tzinfo=dt.UTC)
    booking = BookingFactory(slot=SlotFactory(consultant=consultant, starts_at=start,
                                              ends_at=start + dt.timedelta(hours=1), status="booked"))
    with time_machine.travel(start + dt.timedelta(minutes=59), tick=False), pytest.raises(EngagementError) as e:
        session_record_outcome(booking=booking, outcome="held", by=consultant.user)
    assert e.value.code == "too_early"
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        session_record_outcome(booking=booking, outcome="held", by=consultant.user)
    assert Booking.objects.get(pk=booking.pk).status == "held"


@pytest.mark.parametrize("status", ["requested", "cancelled", "declined", "expired", "held", "no_show"])
def test_only_a_confirmed_session_gets_an_outcome(consultant, status):
    booking = _ended_booking(consultant, status=status)
    with pytest.raises(EngagementError) as e:
        session_record_outcome(booking=booking, outcome="held", by=consultant.user)
    assert e.value.code == "not_confirmed"
    assert Booking.objects.get(pk=booking.pk).status == status


def test_an_outcome_is_recorded_once_even_from_two_stale_pages(consultant):
    booking = _ended_booking(consultant)
    stale = Booking.objects.get(pk=booking.pk)
    session_record_outcome(booking=booking, outcome="held", by=consultant.user)
    with pytest.raises(EngagementError):
        session_record_outcome(booking=stale, outcome="no_show", by=consultant.user)
    assert PipelineEvent.objects.filter(booking=booking).count() == 1


def test_another_consultant_cannot_record_the_outcome(consultant):
    booking = _ended_booking(consultant)
    with pytest.raises(EngagementError) as e:
        session_record_outcome(booking=booking, outcome="held", by=ConsultantFactory().user)
    assert e.value.code == "not_allowed"


def test_an_unknown_outcome_is_refused(consultant):
    with pytest.raises(EngagementError) as e:
        session_record_outcome(booking=_ended_booking(consultant), outcome="maybe", by=consultant.user)
    assert e.value.code == "invalid_outcome"


def test_the_outcomes_page_lists_only_ended_sessions_without_an_outcome(consultant, login):
    waiting = _ended_booking(consultant)
    _ended_booking(consultant, status="held")
    future = BookingFactory(slot__consultant=consultant)  # 2030: not ended
    page = login(consultant.user).get(reverse("engagements:outcomes")).content.decode()
    assert f'id="outcome-{waiting.pk}"' in page
    assert f'id="outcome-{future.pk}"' not in page
    assert page.count('id="outcome-') == 1


def test_marking_held_on_the_page_leads_to_the_gap_report(consultant, login):
    booking = _ended_booking(consultant)
    response = login(consultant.user).post(reverse("engagements:outcome_record", args=[booking.pk]),
                                           {"outcome": "held"})
    assert response["Location"] == reverse("engagements:gap_report_edit", args=[booking.pk])


def test_the_outcomes_pages_are_404_for_others(consultant, login, outsider):
    booking = _ended_booking(consultant)
    client = login(ConsultantFactory().user)
    assert client.post(reverse("engagements:outcome_record", args=[booking.pk]), {"outcome": "held"}).status_code == 404
    assert login(outsider).get(reverse("engagements:outcomes")).status_code == 404
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"


@pytest.mark.parametrize("rows", [3, 40])
def test_the_outcomes_page_runs_a_fixed_number_of_queries(consultant, login, rows, django_assert_max_num_queries):
    for _ in range(rows):
        _ended_booking(consultant)
    client = login(consultant.user)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("engagements:outcomes"))
    assert response.content.decode().count('id="outcome-') == rows


def test_the_follow_up_page_asks_for_the_outcome_once_the_session_has_ended(consultant, login):
    ended, future = _ended_booking(consultant), BookingFactory(slot__consultant=consultant)  # 2030: not ended
    client = login(consultant.user)
    page = client.get(reverse("engagements:session", args=[ended.pk])).content.decode()
    assert "How did it go? Record the outcome" in page and f"#outcome-{ended.pk}" in page
    assert "once the session has ended" not in page
    page = client.get(reverse("engagements:session", args=[future.pk])).content.decode()
    assert "once the session has ended" in page and "How did it go?" not in page
