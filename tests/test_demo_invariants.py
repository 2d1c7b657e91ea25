"""The demo looks real: `manage.py demo_data` tells stories in order, nothing has happened in the future, every
demo company is within the fair-use limits the site shows, and each consultant has a past session to mark held."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from booking.fair_use import COUNTED, YEAR
from booking.models import Booking, FairUsePolicy, PipelineEvent
from booking.selectors import booking_list_awaiting_outcome
from consultants.models import Consultant
from engagements.models import Engagement

pytestmark = pytest.mark.django_db

FIRST = {"booked", "requested"}
AFTER_THE_SESSION = {"held", "no_show", "gap_report_shared", "proposal_sent", "accepted", "paid", "completed",
                     "lost", "refunded"}


@pytest.fixture(scope="module", params=[datetime(2027, 3, 3, 9, tzinfo=UTC), datetime(2027, 12, 30, 21, tzinfo=UTC)],
                ids=["early-march", "new-years-eve"])
def moment(request):
    return request.param


@pytest.fixture
def demo(moment, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(moment, tick=False):
        call_command("demo_data", stdout=open("/dev/null", "w"))
        yield timezone.now()


def test_every_timeline_is_in_order(demo):
    for booking in Booking.objects.select_related("slot").prefetch_related("events"):
        events = sorted(booking.events.all(), key=lambda e: (e.created_at, e.pk))
        assert events, booking
        assert events[0].kind in FIRST, (booking, [e.kind for e in events])
        for e in events:
            assert e.created_at <= demo, (booking, e.kind, e.created_at)
            if e.kind in FIRST:
                assert e.created_at <= booking.slot.starts_at, (booking, e.kind)
            if e.kind in AFTER_THE_SESSION:
                assert e.created_at >= booking.slot.ends_at, (booking, e.kind, e.created_at, booking.slot.ends_at)


def test_nothing_has_happened_in_the_future(demo):
    assert not Booking.objects.filter(status__in=["held", "no_show"], slot__ends_at__gt=demo).exists()
    for e in Engagement.objects.all():
        for field in ("accepted_at", "paid_at", "completed_at", "sent_at"):
            value = getattr(e, field, None)
            assert value is None or value <= demo, (e, field, value)
        if e.status == Engagement.Status.COMPLETED:
            assert e.completed_at is not None
    assert not PipelineEvent.objects.filter(created_at__gt=demo).exists()


def test_every_demo_company_is_within_the_fair_use_limits(demo):
    policy = FairUsePolicy.current()
    counted = Booking.objects.filter(status__in=COUNTED, slot__starts_at__gt=demo - YEAR)
    for company_id in counted.values_list("company_id", flat=True).distinct():
        mine = counted.filter(company_id=company_id)
        assert mine.count() <= policy.max_per_12_months, list(mine.values_list("consultant__slug", "status"))
        per_consultant = {}
        for consultant_id in mine.values_list("consultant_id", flat=True):
            per_consultant[consultant_id] = per_consultant.get(consultant_id, 0) + 1
        assert max(per_consultant.values()) <= policy.max_same_consultant_12_months
        upcoming = mine.filter(status__in=Booking.ACTIVE, slot__starts_at__gt=demo).count()
        assert upcoming <= policy.max_upcoming


def test_each_consultant_has_a_past_session_to_mark_held(demo):
    for consultant in Consultant.objects.all():
        assert booking_list_awaiting_outcome(consultant=consultant, now=demo).exists(), consultant.slug


def test_the_directory_shows_the_demo_consultants_photos_and_nps(demo, client):
    page = client.get("/consultants/").content.decode()
    assert page.count('class="avatar avatar-md"') == 3 and "/media/consultants/" in page
    assert page.count("consultant-nps") == 3
