"""A session's outcome changes the booking's status in booking's own service, which writes the timeline step."""

import pytest

from booking.models import PipelineEvent
from booking.services import BookingError, booking_record_outcome
from tests.factories import BookingFactory, PastSlotFactory, SlotFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", ["held", "no_show"])
def test_an_ended_confirmed_session_gets_its_outcome_and_one_timeline_step(consultant, status):
    booking = BookingFactory(slot=PastSlotFactory(consultant=consultant))
    booking_record_outcome(booking=booking, status=status, by=consultant.user)
    booking.refresh_from_db()
    assert booking.status == status
    assert list(PipelineEvent.objects.filter(booking=booking).values_list("kind", "actor")) == [
        (status, consultant.user.pk)]
    with pytest.raises(BookingError) as again:
        booking_record_outcome(booking=booking, status="held", by=consultant.user)
    assert again.value.code == "not_confirmed"
    assert PipelineEvent.objects.filter(booking=booking).count() == 1


def test_no_outcome_before_the_session_ends_or_other_than_held_or_no_show(consultant):
    booking = BookingFactory(slot=SlotFactory(consultant=consultant))
    for status, code in (("held", "too_early"), ("cancelled", "invalid_outcome")):
        with pytest.raises(BookingError) as refused:
            booking_record_outcome(booking=booking, status=status, by=consultant.user)
        assert refused.value.code == code
    booking.refresh_from_db()
    assert booking.status == "confirmed" and not PipelineEvent.objects.filter(booking=booking).exists()
