"""The booking POST (the review step that books) in a constant, small number of queries (issue 19)."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking import notifications
from booking.models import Booking, FairUsePolicy
from tests.booking.helpers import post_data_for
from tests.factories import BookingFactory, SlotFactory

pytestmark = pytest.mark.django_db

REDIS_LIKE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def production_like(settings, monkeypatch):
    """As served: rate limits on, tasks queued (not run inline); the queue is the edge and is recorded."""
    settings.ACCOUNT_RATE_LIMITS = {"booking": "30/m/ip"}
    from reports import receivers

    queued = []
    monkeypatch.setattr(notifications, "async_task", lambda func, *args, **kw: queued.append(func.__name__))
    monkeypatch.setattr(receivers, "async_task", lambda func, *args, **kw: queued.append(func.__name__))
    return queued


def _statements(ctx) -> list[str]:
    # SAVEPOINTs exist only because the test itself runs in a transaction.
    return [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]


def _book(client, member, slot, django_capture_on_commit_callbacks):
    # The company's size and industry are pre-filled from its record and left as they are (a change would add
    # the one UPDATE that saves it); who listens for webhooks is known from the cache, as on a served site.
    from integrations.services import webhook_owners

    member.memberships.get().company.__class__.objects.filter(memberships__user=member).update(
        size="1-9", industry="housing")
    webhook_owners()
    client.force_login(member)
    assert client.post(f"/book/{slot.pk}/", post_data_for(slot.consultant)).status_code == 302
    client.get(f"/book/{slot.pk}/review/")  # the step the company sees before confirming
    with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/book/{slot.pk}/review/")
    assert response.status_code == 302, response.content[:500]
    return _statements(ctx)


def _slot(consultant, day=7):
    return SlotFactory(consultant=consultant, starts_at=datetime(2030, 1, day, 8, tzinfo=UTC),
                       ends_at=datetime(2030, 1, day, 9, tzinfo=UTC))


@pytest.mark.parametrize("history", [0, 3])
def test_the_booking_post_makes_at_most_12_database_queries_with_the_cache_outside_the_database(
        client, consultant, member, company, settings, production_like, django_capture_on_commit_callbacks,
        history):
    settings.CACHES = REDIS_LIKE  # Redis in production; sessions read from it, written through to the database
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    FairUsePolicy.objects.update_or_create(pk=1, defaults={"max_per_12_months": 10, "max_upcoming": 10,
                                                           "max_same_consultant_12_months": 10})
    for day in range(10, 10 + history):  # earlier sessions of the company do not add queries
        BookingFactory(slot=_slot(consultant, day), company=company, status="confirmed")
    slot = _slot(consultant)

    statements = _book(client, member, slot, django_capture_on_commit_callbacks)

    assert len(statements) <= 12, "\n".join(statements)
    assert Booking.objects.get(slot=slot).status == "confirmed"
    # The mails and the report's figures of that day: two enqueues (Redis in production, no database query).
    assert sorted(production_like) == ["booking_send_confirmation", "reports_figures_refresh"]


def test_with_the_database_cache_the_booking_post_adds_only_the_caches_own_statements(
        client, consultant, member, production_like, django_capture_on_commit_callbacks, settings):
    from django.core.management import call_command

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                   "LOCATION": "probono_cache"}}
    call_command("createcachetable")  # exists already unless the tests run with Redis
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"  # as served without Redis
    slot = _slot(consultant)

    statements = _book(client, member, slot, django_capture_on_commit_callbacks)

    cache = [s for s in statements if "probono_cache" in s]
    # The rate-limit counter (8 statements), the fair-use policy (1), who listens for webhooks (1) and one bump
    # of the visitors' pages (3).
    assert len(cache) <= 13, "\n".join(cache)
    assert len(statements) - len(cache) <= 13  # the session is read from the database too
    assert sum(s.startswith(("UPDATE", "INSERT")) and "public-pages:version" in s for s in statements) == 1


def test_a_policy_change_in_the_admin_applies_to_the_next_booking_at_once(consultant, member, company):
    from booking.services import BookingError, booking_create
    from tests.booking.helpers import answers_for

    FairUsePolicy.current()  # cached now
    policy = FairUsePolicy.current()
    policy.max_upcoming = 1
    policy.save()
    booking_create(slot=_slot(consultant, 7), company=company, user=member, answers=answers_for(consultant))

    with pytest.raises(BookingError) as refused:
        booking_create(slot=_slot(consultant, 8), company=company, user=member, answers=answers_for(consultant))
    assert refused.value.code == "max_upcoming"
