"""Demo data: every proposal state, a paid invoice, a recorded Stripe payment; idempotent."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from booking.models import Booking
from consultants.models import Consultant
from engagements.models import Engagement, GapReport, Invoice, Payment
from engagements.selectors import outcomes_pending, pipeline_board

pytestmark = pytest.mark.django_db


def _counts():
    return (Booking.objects.count(), Engagement.objects.count(), Payment.objects.count(), Invoice.objects.count(),
            GapReport.objects.count())


def test_the_demo_has_every_state_and_running_it_twice_changes_nothing(client):
    call_command("demo_data", stdout=io.StringIO())
    first = _counts()
    call_command("demo_data", stdout=io.StringIO())
    assert _counts() == first
    assert set(Engagement.objects.values_list("status", flat=True)) == set(Engagement.Status.values)
    assert Payment.objects.filter(provider="invoice", status="paid", invoice__isnull=False).exists()
    assert Payment.objects.filter(provider="stripe", attempts__session_id__startswith="cs_demo_").exists()
    assert GapReport.objects.filter(shared_at__isnull=False).exists()
    assert GapReport.objects.filter(shared_at__isnull=True).exists()
    numbers = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    anna = Consultant.objects.get(slug="anna-lindqvist")
    assert outcomes_pending(consultant=anna).exists()
    board = pipeline_board(consultant=anna)
    assert all(board.count(stage) >= 1 for stage in ("booked", "held", "proposal", "won", "lost"))
    client.login(email="anna@probono.test", password="probono-demo")
    assert client.get(reverse("engagements:pipeline")).status_code == 200
