"""Real threads, real connections: periodic notification jobs running on several workers at once act once.

The reminder claim (a conditional UPDATE … WHERE sent_at IS NULL and no other sender's lease is in force,
booking/mails.py `send_once`) and the offer expiry (OPEN → EXPIRED) are what make this true; runs on the SQLite
file under `make test` and on PostgreSQL under `make test-postgres`.
"""

import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection

from booking.models import PipelineEvent
from booking.reminders import reminders_send_due
from tests.factories import BookingFactory, ConsultantFactory, SlotFactory, WaitlistEntryFactory
from waitlist.models import WaitlistEntry, WaitlistOffer
from waitlist.services import waitlist_expire_offers, waitlist_offer_slot

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]
START = dt.datetime(2030, 1, 7, 8, 0, tzinfo=dt.UTC)


def _together(n: int, job) -> tuple[list, list[BaseException]]:
    barrier = threading.Barrier(n)
    results, crashed = [], []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait(timeout=30)
            value = job()
            with lock:
                results.append(value)
        except BaseException as e:  # anything here is a bug the test must show
            with lock:
                crashed.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, crashed


def test_eight_workers_sending_due_reminders_at_once_send_each_reminder_once(mailoutbox):
    consultant = ConsultantFactory()
    bookings = []
    with time_machine.travel(START - dt.timedelta(days=3), tick=False):
        for i in range(3):
            slot = SlotFactory(consultant=consultant, status="booked", starts_at=START + dt.timedelta(hours=i),
                               ends_at=START + dt.timedelta(hours=i, minutes=45))
            bookings.append(BookingFactory(slot=slot))

    now = START - dt.timedelta(hours=22)  # all three 24 h reminders are due
    with time_machine.travel(now, tick=False):
        results, crashed = _together(8, lambda: reminders_send_due(now=now))

    assert crashed == []
    assert sum(results) == 6  # 3 bookings × (company + consultant)
    assert len(mail.outbox) == 6
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [b.booked_by.email for b in bookings] + [consultant.user.email] * 3)
    assert PipelineEvent.objects.filter(kind="reminder_sent").count() == 3


def test_four_workers_expiring_one_offer_at_once_hand_it_over_once():
    consultant = ConsultantFactory()
    now = START - dt.timedelta(days=3)
    first = WaitlistEntryFactory(consultant=consultant, created_at=now - dt.timedelta(days=2))
    second = WaitlistEntryFactory(consultant=consultant, created_at=now - dt.timedelta(days=1))
    slot = SlotFactory(consultant=consultant, starts_at=START, ends_at=START + dt.timedelta(hours=1))
    with time_machine.travel(now, tick=False):
        waitlist_offer_slot(slot=slot)

    later = now + dt.timedelta(hours=25)
    with time_machine.travel(later, tick=False):
        results, crashed = _together(4, lambda: waitlist_expire_offers(now=later))

    assert crashed == []
    assert sum(results) == 1
    assert WaitlistEntry.objects.get(pk=first.pk).status == "expired"
    assert WaitlistEntry.objects.get(pk=second.pk).status == "offered"
    assert WaitlistOffer.objects.filter(status="open").count() == 1
