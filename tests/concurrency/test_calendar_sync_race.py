"""Real threads, real connections: two workers syncing one source at once leave one set of busy periods and send
one conflict e-mail (SQLite's BEGIN IMMEDIATE under `make test`, the consultant's row lock under PostgreSQL)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from calendars.mails import mail_busy_conflicts
from calendars.models import BusyConflict, BusyPeriod
from calendars.services import source_sync
from consultants.models import Slot
from tests.calendars.conftest import NOW, feed, make_ics_source
from tests.factories import ConsultantFactory, SlotFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def _together(n, target):
    barrier = threading.Barrier(n)
    results, crashed = [], []

    def run():
        try:
            barrier.wait(timeout=30)
            results.append(target())
        except BaseException as e:  # a crash is a bug the test must show
            crashed.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert crashed == []
    return results


def test_two_workers_syncing_one_source_leave_one_set_of_periods_and_send_one_mail(httpserver, mailoutbox):
    with time_machine.travel(NOW, tick=True):
        httpserver.expect_request("/basic.ics").respond_with_data(feed("google.ics"))
        consultant = ConsultantFactory(user__email="consultant@example.com")
        booked = SlotFactory(consultant=consultant, status="booked", starts_at=datetime(2027, 3, 1, 9, tzinfo=UTC),
                             ends_at=datetime(2027, 3, 1, 10, tzinfo=UTC))
        source = make_ics_source(consultant, httpserver.url_for("/basic.ics"))

        results = _together(4, lambda: source_sync(source_id=source.pk))

        assert all(r.ok for r in results)
        assert BusyPeriod.objects.filter(source=source).count() == 5
        assert BusyConflict.objects.filter(slot=booked).count() == 1
        assert sum(r.new_conflicts for r in results) == 1
        assert Slot.objects.get(pk=booked.pk).status == "booked"
        conflict_mails = [m for m in mailoutbox if "busy time" in m.subject]
        assert len(conflict_mails) == 1


def test_two_mail_tasks_at_once_send_one_mail(mailoutbox):
    with time_machine.travel(NOW, tick=True):
        consultant = ConsultantFactory()
        slot = SlotFactory(consultant=consultant, status="booked", starts_at=NOW + timedelta(days=2),
                           ends_at=NOW + timedelta(days=2, hours=1))
        BusyConflict.objects.create(slot=slot, consultant=consultant, detected_at=NOW)

        told = _together(4, lambda: mail_busy_conflicts(consultant_id=consultant.pk))

        assert sorted(told) == [0, 0, 0, 1]
        assert len(mailoutbox) == 1
        assert BusyConflict.objects.get().mailed_at is not None
