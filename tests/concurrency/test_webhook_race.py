"""Real threads, real connections: four workers given the same due delivery at once (the on-commit task and the
minute sweep, or a broker re-delivery) POST it once and log one attempt."""

import pytest

from booking.models import PipelineEvent
from booking.services import pipeline_event_record
from integrations.models import WebhookAttempt, WebhookDelivery
from integrations.services import delivery_attempt
from tests.concurrency.test_calendar_sync_race import _together
from tests.factories import BookingFactory, ConsultantFactory
from tests.integrations.webhook_support import receiver_endpoint

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_four_workers_given_one_delivery_send_it_once(httpserver):
    consultant = ConsultantFactory()
    _endpoint, receiver = receiver_endpoint(httpserver, consultant=consultant)
    pipeline_event_record(booking=BookingFactory(consultant=consultant), kind=PipelineEvent.Kind.BOOKED)
    delivery = WebhookDelivery.objects.get()

    results = _together(4, lambda: delivery_attempt(delivery_id=delivery.pk))

    assert sorted(results, key=str) == [None, None, None, True]
    assert len(receiver.accepted) == 1 and receiver.refused == []
    assert WebhookAttempt.objects.count() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)
