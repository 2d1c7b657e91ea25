"""Real threads, real connections: workers running the publisher at once publish and mail once."""

import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection

from consultants.models import Slot
from consultants.tasks import slot_publish_due
from tests.factories import AvailabilityRuleFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_four_workers_running_the_publisher_at_once_publish_each_month_once(mailoutbox):
    rules = [AvailabilityRuleFactory() for _ in range(3)]
    barrier = threading.Barrier(4)
    results, crashed = [], []
    lock = threading.Lock()

    def worker():
        try:
            barrier.wait(timeout=30)
            done = slot_publish_due()
            with lock:
                results.append(done)
        except BaseException as e:  # a crash is a bug the test must show
            with lock:
                crashed.append(e)
        finally:
            connection.close()

    with time_machine.travel(datetime(2027, 2, 20, 12, tzinfo=UTC), tick=False):
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)

    assert crashed == []
    claimed = [pk for done in results for pk in done]
    assert sorted(claimed) == sorted(r.consultant_id for r in rules)  # each consultant by exactly one worker
    assert Slot.objects.filter(status="published").count() == 15
    assert sorted(m.to[0] for m in mailoutbox) == sorted(r.consultant.user.email for r in rules)
