"""Reads shared by the booking views. Every list here costs a fixed number of queries, whatever its length."""

from datetime import datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import Company, User
from booking.models import Booking, IntakeAnswer, PipelineEvent
from consultants.models import Consultant, Slot
from consultants.selectors import slot_list_bookable

_RELATED = ("slot", "consultant", "company", "booked_by")


def _with_details(qs: QuerySet[Booking]) -> QuerySet[Booking]:
    return qs.select_related(*_RELATED).prefetch_related(
        Prefetch("events", queryset=PipelineEvent.objects.order_by("created_at", "pk")),
        Prefetch("answers", queryset=IntakeAnswer.objects.order_by("order", "pk")),
    )


def booking_list_for_company(*, company: Company, now: datetime | None = None) -> tuple[list[Booking], list[Booking]]:
    """(upcoming, past) sessions of a company with their timelines. Upcoming: soonest first; past: latest first."""
    now = now or timezone.now()
    rows = list(_with_details(Booking.objects.filter(company=company)).order_by("slot__starts_at", "pk"))
    upcoming = [b for b in rows if b.slot.ends_at > now and b.status in Booking.ACTIVE]
    past = [b for b in rows if b not in upcoming]
    past.reverse()
    return upcoming, past


def booking_list_for_consultant(*, consultant: Consultant, now: datetime | None = None):
    """(open requests, upcoming confirmed sessions, recent past/cancelled) for a consultant's list."""
    now = now or timezone.now()
    rows = list(_with_details(
        Booking.objects.filter(consultant=consultant, slot__starts_at__gt=now - timedelta(days=30))
    ).order_by("slot__starts_at", "pk"))
    requests = [b for b in rows if b.status == Booking.Status.REQUESTED and b.slot.ends_at > now]
    upcoming = [b for b in rows if b.status == Booking.Status.CONFIRMED and b.slot.ends_at > now]
    others = [b for b in rows if b not in requests and b not in upcoming]
    others.reverse()
    return requests, upcoming, others


def booking_list_awaiting_outcome(*, consultant: Consultant, now: datetime | None = None):
    """Confirmed sessions that have ended without a recorded outcome (held / no-show), oldest first.

    Shared by the consultant's dashboard and engagements' outcome page.
    """
    now = now or timezone.now()
    return (Booking.objects.filter(consultant=consultant, status=Booking.Status.CONFIRMED, slot__ends_at__lte=now)
            .select_related("company", "slot", "booked_by").order_by("slot__starts_at", "pk"))


def booking_get_by_token(token: str) -> Booking | None:
    if not token or len(token) > 200:
        return None
    return (_with_details(Booking.objects.filter(manage_token_hash=Booking.hash_token(token))).first())


def booking_get_for_member(*, user: User, pk: int) -> Booking | None:
    """A booking of a company `user` belongs to; None for anyone else."""
    if not user.is_authenticated:
        return None
    return _with_details(Booking.objects.filter(pk=pk, company__memberships__user=user)).first()


def booking_get_for_consultant(*, user: User, pk: int) -> Booking | None:
    if not user.is_authenticated:
        return None
    return _with_details(Booking.objects.filter(pk=pk, consultant__user=user)).first()


def slot_list_free(*, consultant: Consultant, exclude_pk: int | None = None, limit: int = 12,
                   now: datetime | None = None) -> list[Slot]:
    """The consultant's next free times (published, future, not held for a company on the waitlist)."""
    qs = slot_list_bookable(consultant=consultant, now=now)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs.order_by("starts_at")[:limit])
