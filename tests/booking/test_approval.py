from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from booking.models import Booking
from booking.services import BookingError, booking_approve, booking_create, booking_decline, booking_expire_requests
from consultants.models import Slot
from tests.booking.helpers import answers_for
from tests.factories import BookingFactory, ConsultantFactory, MembershipFactory, SlotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approval_slot(db):
    return SlotFactory(consultant=ConsultantFactory(requires_approval=True))


def test_a_consultant_who_approves_requests_gets_a_request_that_holds_the_slot_for_48_hours(
        approval_slot, company, member, hooks):
    now = timezone.now()
    booking = booking_create(slot=approval_slot, company=company, user=member,
                             answers=answers_for(approval_slot.consultant), now=now)

    assert booking.status == "requested"
    assert booking.confirmed_at is None
    assert booking.request_expires_at == now + timedelta(hours=48)
    assert Slot.objects.get(pk=approval_slot.pk).status == "booked"
    assert [n for n, _ in hooks] == ["on_booking_requested"]
    assert booking.events.get().kind == "requested"


def test_a_second_request_for_a_held_slot_is_refused(approval_slot, company, member):
    booking_create(slot=approval_slot, company=company, user=member, answers=answers_for(approval_slot.consultant))
    other = MembershipFactory()
    with pytest.raises(BookingError) as err:
        booking_create(slot=approval_slot, company=other.company, user=other.user,
                       answers=answers_for(approval_slot.consultant))
    assert err.value.code == "slot_taken"


def test_accepting_a_request_confirms_it_and_issues_a_fresh_manage_link(hooks):
    booking = BookingFactory(status="requested", slot__consultant__requires_approval=True)
    old_hash = booking.manage_token_hash

    booking_approve(booking=booking, by=booking.consultant.user)

    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert booking.confirmed_at is not None
    assert booking.manage_token_hash != old_hash
    assert hooks[0][0] == "on_booking_confirmed"
    assert Booking.hash_token(hooks[0][1][0].manage_token) == booking.manage_token_hash
    assert booking.events.get(kind="approved").actor == booking.consultant.user


def test_a_request_cannot_be_accepted_twice():
    booking = BookingFactory(status="requested")
    booking_approve(booking=booking, by=booking.consultant.user)
    with pytest.raises(BookingError) as err:
        booking_approve(booking=booking, by=booking.consultant.user)
    assert err.value.code == "not_requested"


def test_declining_a_request_sends_the_message_and_frees_the_slot(hooks):
    booking = BookingFactory(status="requested")

    booking_decline(booking=booking, message="I only take housing companies this month.", by=booking.consultant.user)

    booking.refresh_from_db()
    assert booking.status == "declined"
    assert booking.cancel_reason == "I only take housing companies this month."
    assert Slot.objects.get(pk=booking.slot_id).status == "published"
    assert [n for n, _ in hooks] == ["on_booking_declined", "on_slot_freed"]
    assert booking.events.get(kind="declined").data["message"] == "I only take housing companies this month."


def test_a_declined_slot_can_be_booked_by_another_company(approval_slot, company, member):
    booking = booking_create(slot=approval_slot, company=company, user=member,
                             answers=answers_for(approval_slot.consultant))
    booking_decline(booking=booking, message="Sorry", by=approval_slot.consultant.user)
    other = MembershipFactory()

    second = booking_create(slot=approval_slot, company=other.company, user=other.user,
                            answers=answers_for(approval_slot.consultant))

    assert second.status == "requested"


def test_unanswered_requests_expire_after_48_hours_and_the_task_is_safe_to_run_twice(hooks):
    due = BookingFactory(status="requested")
    fresh = BookingFactory(status="requested")
    Booking.objects.filter(pk=due.pk).update(request_expires_at=timezone.now() - timedelta(minutes=1))

    assert booking_expire_requests() == 1
    assert booking_expire_requests() == 0

    due.refresh_from_db()
    fresh.refresh_from_db()
    assert due.status == "expired"
    assert fresh.status == "requested"
    assert Slot.objects.get(pk=due.slot_id).status == "published"
    assert Slot.objects.get(pk=fresh.slot_id).status == "booked"
    assert due.events.get(kind="expired").actor_name == "Probono"
    assert [n for n, _ in hooks] == ["on_booking_declined", "on_slot_freed"]


def test_a_request_past_its_expiry_cannot_be_accepted():
    booking = BookingFactory(status="requested")
    with time_machine.travel(booking.request_expires_at + timedelta(minutes=1), tick=False):
        with pytest.raises(BookingError) as err:
            booking_approve(booking=booking, by=booking.consultant.user)
    assert err.value.code == "request_expired"


def test_the_expiry_task_entry_point_calls_the_service():
    from booking.tasks import booking_expire_requests as task

    booking = BookingFactory(status="requested")
    Booking.objects.filter(pk=booking.pk).update(request_expires_at=timezone.now() - timedelta(hours=1))

    assert task() == 1
    assert Booking.objects.get(pk=booking.pk).status == "expired"


@pytest.mark.parametrize("change", [{"off_reason": "time_off"}, {"off_reason": "holiday"}, {"busy": True}])
def test_approving_a_request_for_a_time_blocked_meanwhile_says_so_and_changes_nothing(
        approval_slot, company, member, hooks, client, change):
    booking = booking_create(slot=approval_slot, company=company, user=member,
                             answers=answers_for(approval_slot.consultant))
    Slot.objects.filter(pk=approval_slot.pk).update(**change)  # time off / a holiday / another calendar
    client.force_login(approval_slot.consultant.user)
    response = client.post(f"/me/sessions/{booking.pk}/approve/", follow=True)
    page = response.content.decode()
    assert "You are busy at this time in another calendar" in page or "conflicts with your time off" in page
    booking.refresh_from_db()
    assert booking.status == "requested"
    with pytest.raises(BookingError) as refused:
        booking_approve(booking=booking, by=approval_slot.consultant.user)
    assert refused.value.code == "conflict"
