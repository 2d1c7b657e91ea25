"""Reads of the consultant's other calendars, for their pages and the month review."""

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from calendars.models import BusyConflict, BusyPeriod, CalendarSource
from consultants.models import Consultant


def source_list(*, consultant: Consultant, now: datetime | None = None) -> QuerySet[CalendarSource]:
    """The consultant's sources with `busy_ahead` (periods that have not ended), one query."""
    now = now or timezone.now()
    return (CalendarSource.objects.filter(consultant=consultant)
            .annotate(busy_ahead=Count("busy_periods", filter=Q(busy_periods__ends_at__gt=now)))
            .order_by("created_at", "pk"))


def busy_period_list(*, consultant: Consultant, start: datetime, end: datetime) -> QuerySet[BusyPeriod]:
    """Busy periods of all the consultant's sources that overlap [start, end), in order."""
    return (BusyPeriod.objects.filter(consultant=consultant, starts_at__lt=end, ends_at__gt=start)
            .order_by("starts_at", "ends_at"))


def busy_conflict_list(*, consultant: Consultant, now: datetime | None = None) -> QuerySet[BusyConflict]:
    """Booked sessions still to come that busy time overlaps."""
    now = now or timezone.now()
    return (BusyConflict.objects.filter(consultant=consultant, slot__ends_at__gt=now)
            .select_related("slot").order_by("slot__starts_at"))


def busy_conflict_slot_ids(*, consultant_id: int, slot_ids: list[int]) -> set[int]:
    return set(BusyConflict.objects.filter(consultant_id=consultant_id, slot_id__in=slot_ids)
               .values_list("slot_id", flat=True))
