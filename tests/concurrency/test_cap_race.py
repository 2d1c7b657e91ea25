"""Real threads: ten companies book ten different slots of a consultant whose month allows two bookings at
the same moment. The caps are re-counted under the consultant's lock (PostgreSQL: SELECT … FOR UPDATE on the
consultant; SQLite: BEGIN IMMEDIATE), so exactly two bookings are made and the rest are refused clearly."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from booking.models import Booking, FairUsePolicy
from booking.services import BookingError, booking_create
from tests.booking.helpers import answers_for
from tests.factories import ConsultantFactory, MembershipFactory, SlotFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_ten_simultaneous_bookings_of_a_month_capped_at_two_give_exactly_two():
    consultant = ConsultantFactory(monthly_cap=2)
    first = datetime(2030, 1, 7, 8, tzinfo=UTC)
    slots = [SlotFactory(consultant=consultant, starts_at=first + timedelta(hours=2 * i)) for i in range(10)]
    answers = answers_for(consultant)
    FairUsePolicy.current()
    members = [MembershipFactory() for _ in range(10)]
    barrier = threading.Barrier(10)
    booked, refused, crashed = [], [], []
    lock = threading.Lock()

    def attempt(slot, membership):
        try:
            barrier.wait(timeout=30)
            b = booking_create(slot=slot, company=membership.company, user=membership.user, answers=answers)
            with lock:
                booked.append(b)
        except BookingError as e:
            with lock:
                refused.append(e.code)
        except BaseException as e:  # anything else is a bug the test must show
            with lock:
                crashed.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(slots, members, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert crashed == []
    assert len(booked) == 2 and refused == ["slot_unavailable"] * 8
    assert Booking.objects.filter(consultant=consultant).count() == 2
