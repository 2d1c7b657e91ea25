"""Real threads: several refreshes of the reports' daily figures of one consultant and day at the same moment (two
task workers after two bookings) never fail on the one-row-per-day constraint, and the figures end up right."""

import datetime as dt
import threading

import pytest
from django.db import connection

from reports.models import DailyFigures
from reports.rollup import figures_refresh_pairs
from tests.factories import BookingFactory, ConsultantFactory, SlotFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_simultaneous_refreshes_of_one_day_give_one_right_row():
    consultant = ConsultantFactory()
    start = dt.datetime(2030, 1, 7, 8, tzinfo=dt.UTC)
    for i in range(3):
        BookingFactory(slot=SlotFactory(consultant=consultant, starts_at=start + dt.timedelta(hours=i)),
                       status="confirmed")
    barrier = threading.Barrier(6)
    crashed = []

    def refresh():
        try:
            barrier.wait(timeout=30)
            figures_refresh_pairs([(consultant.pk, "2030-01-07")])
        except BaseException as e:  # noqa: BLE001 -- the test must show any error
            crashed.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert crashed == []
    [row] = DailyFigures.objects.filter(consultant=consultant)
    assert (row.day, row.booked, row.published) == (dt.date(2030, 1, 7), 3, 3)
