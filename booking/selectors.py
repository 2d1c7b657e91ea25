"""Reads shared by the booking views. Every list here costs a fixed number of queries, whatever its length."""

from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from accounts.models import Company, User
from accounts.paging import Page, page_of
from booking.models import Booking, IntakeAnswer, PipelineEvent
from consultants.models import Consultant, Slot
from consultants.selectors import slot_list_bookable

_RELATED = ("slot", "consultant", "company", "booked_by")


def _with_details(qs: QuerySet[Booking]) -> QuerySet[Booking]:
    return qs.select_related(*_RELATED).prefetch_related(
        Prefetch("events", queryset=PipelineEvent.objects.order_by("created_at", "pk")),
        Prefetch("answers", queryset=IntakeAnswer.objects.order_by("order", "pk")),
    )


def _upcoming(now: datetime) -> Q:
    return Q(status__in=Booking.ACTIVE, slot__ends_at__gt=now)


def booking_list_for_company(*, company: Company, now: datetime | None = None,
                             past_page: int = 1) -> tuple[list[Booking], Page]:
    """(upcoming, a page of the past and cancelled) sessions of a company with their timelines.

    Upcoming: every active session that has not ended, soonest first (few: fair use caps them). Past: latest
    first, PER_PAGE a page. Four queries whatever the history: each list and the timelines of both.
    """
    now = now or timezone.now()
    mine = Booking.objects.filter(company=company).select_related(*_RELATED)
    upcoming = list(mine.filter(_upcoming(now)).order_by("slot__starts_at", "pk"))
    past = page_of(mine.exclude(_upcoming(now)).order_by("-slot__starts_at", "-pk"), number=past_page)
    prefetch_related_objects(upcoming + past.items, Prefetch("events", queryset=PipelineEvent.objects.order_by(
        "created_at", "pk")))
    return upcoming, past


def booking_list_for_consultant(*, consultant: Consultant, now: datetime | None = None, past_page: int = 1):
    """(open requests, upcoming confirmed sessions, a page of the past and cancelled) for a consultant's list.

    What needs the consultant comes whole (requests expire, upcoming sessions end: neither grows with history);
    the rest is paged, latest first. Three queries: the future with its intake answers, and the page.
    """
    now = now or timezone.now()
    mine = Booking.objects.filter(consultant=consultant).select_related(*_RELATED)
    future = list(mine.filter(_upcoming(now)).prefetch_related(
        Prefetch("answers", queryset=IntakeAnswer.objects.order_by("order", "pk"))).order_by("slot__starts_at", "pk"))
    requests = [b for b in future if b.status == Booking.Status.REQUESTED]
    upcoming = [b for b in future if b.status == Booking.Status.CONFIRMED]
    others = page_of(mine.exclude(_upcoming(now)).order_by("-slot__starts_at", "-pk"), number=past_page)
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
