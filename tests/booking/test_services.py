from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from booking.models import Booking, IntakeAnswer, PipelineEvent
from booking.services import BookingError, booking_cancel, booking_create, booking_reschedule
from consultants.models import Slot
from tests.booking.helpers import answers_for
from tests.factories import BookingFactory, MembershipFactory, SlotFactory

pytestmark = pytest.mark.django_db


def test_booking_a_published_slot_confirms_it_books_the_slot_and_stores_the_answers(slot, company, member, hooks):
    booking = booking_create(slot=slot, company=company, user=member, answers=answers_for(slot.consultant))

    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert booking.confirmed_at is not None
    assert Slot.objects.get(pk=slot.pk).status == "booked"
    answers = list(IntakeAnswer.objects.filter(booking=booking))
    assert [a.question_label for a in answers][0] == "How many people work in your company?"
    assert answers[0].value == "1-9" and answers[0].display_value == "1–9 employees"
    assert PipelineEvent.objects.get(booking=booking).kind == "booked"
    assert PipelineEvent.objects.get(booking=booking).actor_name == "Karin Holm"
    assert hooks == [("on_booking_confirmed", (booking,))]


def test_the_manage_token_is_returned_once_and_only_its_hash_is_stored(slot, company, member):
    booking = booking_create(slot=slot, company=company, user=member, answers=answers_for(slot.consultant))

    assert len(booking.manage_token) >= 40
    stored = Booking.objects.get(pk=booking.pk)
    assert stored.manage_token_hash == Booking.hash_token(booking.manage_token)
    assert booking.manage_token not in str(Booking.objects.filter(pk=booking.pk).values().get())
    assert stored.invite_uid.startswith("booking-") and stored.invite_uid.endswith("@probono")


def test_a_second_booking_of_the_same_slot_is_refused_as_taken(slot, company, member):
    booking_create(slot=slot, company=company, user=member, answers=answers_for(slot.consultant))
    other = MembershipFactory()

    with pytest.raises(BookingError) as err:
        booking_create(slot=slot, company=other.company, user=other.user, answers=answers_for(slot.consultant))

    assert err.value.code == "slot_taken"
    assert "just taken" in err.value.message
    assert Booking.objects.count() == 1


def test_the_database_refuses_two_active_bookings_for_one_slot_even_when_the_slot_looks_free(slot, company, member):
    BookingFactory(slot=slot)
    Slot.objects.filter(pk=slot.pk).update(status="published")  # inconsistent on purpose: only the constraint is left

    with pytest.raises(BookingError) as err:
        booking_create(slot=slot, company=company, user=member, answers=answers_for(slot.consultant))

    assert err.value.code == "slot_taken"
    assert Booking.objects.filter(slot=slot).count() == 1


@pytest.mark.parametrize(("status", "code"), [("draft", "slot_unavailable"), ("blocked", "slot_unavailable")])
def test_a_slot_that_is_not_published_cannot_be_booked(consultant, company, member, status, code):
    slot = SlotFactory(consultant=consultant, status=status)
    with pytest.raises(BookingError) as err:
        booking_create(slot=slot, company=company, user=member, answers=answers_for(consultant))
    assert err.value.code == code


def test_a_slot_in_the_past_cannot_be_booked(consultant, company, member):
    slot = SlotFactory(consultant=consultant, starts_at=datetime(2020, 1, 6, 9, tzinfo=UTC))
    with pytest.raises(BookingError) as err:
        booking_create(slot=slot, company=company, user=member, answers=answers_for(consultant))
    assert err.value.code == "slot_past"


def test_only_members_can_book_for_a_company(slot, company, user):
    with pytest.raises(BookingError) as err:
        booking_create(slot=slot, company=company, user=user, answers=answers_for(slot.consultant))
    assert err.value.code == "not_member"


def test_a_required_answer_missing_is_refused(slot, company, member):
    answers = answers_for(slot.consultant)
    answers[next(iter(answers))] = ""
    with pytest.raises(BookingError) as err:
        booking_create(slot=slot, company=company, user=member, answers=answers)
    assert err.value.code == "answers_missing"
    assert not Booking.objects.exists()
    assert Slot.objects.get(pk=slot.pk).status == "published"


def test_cancelling_frees_the_slot_and_tells_the_waitlist(hooks):
    booking = BookingFactory()

    booking_cancel(booking=booking, by=booking.booked_by, reason="We have to move the board meeting")

    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert booking.cancel_reason == "We have to move the board meeting"
    assert booking.cancelled_by == booking.booked_by
    assert Slot.objects.get(pk=booking.slot_id).status == "published"
    assert [name for name, _ in hooks] == ["on_booking_cancelled", "on_slot_freed"]
    event = booking.events.get(kind="cancelled")
    assert event.data["reason"] == "We have to move the board meeting"


def test_a_consultant_cancelling_blocks_the_slot_instead_of_offering_it_again(hooks):
    booking = BookingFactory()

    booking_cancel(booking=booking, by=booking.consultant.user, reason="I am ill")

    assert Slot.objects.get(pk=booking.slot_id).status == "blocked"
    assert [name for name, _ in hooks] == ["on_booking_cancelled"]


def test_a_cancelled_booking_cannot_be_cancelled_again():
    booking = BookingFactory(status="cancelled")
    with pytest.raises(BookingError) as err:
        booking_cancel(booking=booking, by=booking.booked_by)
    assert err.value.code == "not_active"


def test_a_session_that_has_started_can_no_longer_be_cancelled():
    booking = BookingFactory()
    with time_machine.travel(booking.slot.starts_at + timedelta(minutes=5), tick=False):
        with pytest.raises(BookingError) as err:
            booking_cancel(booking=booking, by=booking.booked_by)
    assert err.value.code == "too_late"


def test_rescheduling_moves_the_booking_keeps_the_uid_and_raises_the_sequence(hooks):
    booking = BookingFactory()
    old_slot, uid = booking.slot, booking.invite_uid
    new_slot = SlotFactory(consultant=booking.consultant)

    booking_reschedule(booking=booking, new_slot=new_slot, by=booking.booked_by)

    booking.refresh_from_db()
    assert booking.slot_id == new_slot.pk
    assert booking.invite_uid == uid
    assert booking.invite_sequence == 1
    assert Slot.objects.get(pk=old_slot.pk).status == "published"
    assert Slot.objects.get(pk=new_slot.pk).status == "booked"
    assert hooks[0][0] == "on_booking_rescheduled" and hooks[0][1][1].pk == old_slot.pk
    assert hooks[1] == ("on_slot_freed", (old_slot,))
    assert booking.events.get(kind="rescheduled").data["from"] == old_slot.starts_at.isoformat()


def test_rescheduling_to_another_consultants_slot_is_refused():
    booking = BookingFactory()
    with pytest.raises(BookingError) as err:
        booking_reschedule(booking=booking, new_slot=SlotFactory(), by=booking.booked_by)
    assert err.value.code == "other_consultant"


def test_rescheduling_to_a_taken_slot_changes_nothing():
    booking = BookingFactory()
    taken = BookingFactory(slot=SlotFactory(consultant=booking.consultant, status="booked")).slot

    with pytest.raises(BookingError) as err:
        booking_reschedule(booking=booking, new_slot=taken, by=booking.booked_by)

    assert err.value.code == "slot_taken"
    booking.refresh_from_db()
    assert booking.invite_sequence == 0
    assert Slot.objects.get(pk=booking.slot_id).status == "booked"
