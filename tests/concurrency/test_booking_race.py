"""Real threads, real connections: simultaneous attempts on one slot end in exactly one booking.

Runs against the SQLite test file (BEGIN IMMEDIATE + the partial unique constraint) under `make test`, and
against PostgreSQL (SELECT … FOR UPDATE + the constraint) under `make test-postgres`.
"""

import threading
import time

import pytest
from django.db import connection

from booking.models import Booking, FairUsePolicy
from booking.services import BookingError, booking_create
from consultants.models import Slot
from tests.booking.helpers import answers_for
from tests.factories import ConsultantFactory, MembershipFactory, SlotFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def _race(slot, members, answers) -> tuple[list[Booking], list[str], list[BaseException]]:
    barrier = threading.Barrier(len(members))
    booked, refused, crashed = [], [], []
    lock = threading.Lock()

    def attempt(membership):
        try:
            barrier.wait(timeout=30)
            booking = booking_create(slot=slot, company=membership.company, user=membership.user, answers=answers)
            with lock:
                booked.append(booking)
        except BookingError as e:
            with lock:
                refused.append(e.code)
        except BaseException as e:  # anything else is a bug the test must show
            with lock:
                crashed.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return booked, refused, crashed


def test_twenty_simultaneous_bookings_of_one_slot_give_one_booking_and_nineteen_clear_refusals():
    consultant = ConsultantFactory()
    slot = SlotFactory(consultant=consultant)
    answers = answers_for(consultant)  # creates the questionnaire before the race
    FairUsePolicy.current()
    members = [MembershipFactory() for _ in range(20)]

    started = time.monotonic()
    booked, refused, crashed = _race(slot, members, answers)
    elapsed = time.monotonic() - started

    assert crashed == []
    assert len(booked) == 1
    assert refused == ["slot_taken"] * 19
    assert Booking.objects.filter(slot=slot).count() == 1
    assert Slot.objects.get(pk=slot.pk).status == "booked"
    print(f"20 concurrent attempts on {connection.vendor}: {elapsed:.2f} s")


def test_two_simultaneous_requests_for_an_approval_slot_hold_it_for_only_one_of_them():
    consultant = ConsultantFactory(requires_approval=True)
    slot = SlotFactory(consultant=consultant)
    answers = answers_for(consultant)
    FairUsePolicy.current()
    members = [MembershipFactory() for _ in range(2)]

    booked, refused, crashed = _race(slot, members, answers)

    assert crashed == []
    assert [b.status for b in booked] == ["requested"]
    assert refused == ["slot_taken"]
    assert Booking.objects.filter(slot=slot, status__in=["requested", "confirmed"]).count() == 1


def test_two_bookings_moving_to_the_same_free_time_at_once_end_with_one_move():
    from booking.services import booking_reschedule
    from tests.factories import BookingFactory

    consultant = ConsultantFactory()
    first = BookingFactory(slot=SlotFactory(consultant=consultant))
    second = BookingFactory(slot=SlotFactory(consultant=consultant))
    target = SlotFactory(consultant=consultant)
    barrier = threading.Barrier(2)
    results, lock = [], threading.Lock()

    def move(booking):
        try:
            barrier.wait(timeout=30)
            booking_reschedule(booking=booking, new_slot=target, by=booking.booked_by)
            outcome = "moved"
        except BookingError as e:
            outcome = e.code
        except BaseException as e:
            outcome = repr(e)
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=move, args=(b,)) for b in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(results) == ["moved", "slot_taken"]
    assert Booking.objects.filter(slot=target, status="confirmed").count() == 1
    assert Slot.objects.get(pk=target.pk).status == "booked"
