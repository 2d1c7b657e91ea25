"""Reads shared by views, other apps (booking reads the feed token) and tasks."""

import zoneinfo
from collections import defaultdict
from datetime import date, datetime

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.tokens import token_hash
from consultants.availability import month_bounds_utc
from consultants.models import Consultant, ConsultantExpertise, ConsultantLanguage, Slot


def consultant_get_by_feed_token(token: str) -> Consultant | None:
    """The consultant whose private calendar-feed token is `token` (hashed, then looked up), or None."""
    if not token or len(token) > 200:
        return None
    return Consultant.objects.filter(feed_token_hash=token_hash(token)).exclude(feed_token_hash="").first()


def consultant_listed() -> QuerySet[Consultant]:
    """Consultants anyone may see: public, not hidden by staff, with an active account."""
    return Consultant.objects.filter(is_public=True, hidden_by_staff=False, user__is_active=True)


def free_slots(*, now: datetime | None = None) -> QuerySet[Slot]:
    """Slots a company could book: published, in the future, and not held for a company on the waitlist."""
    now = now or timezone.now()
    return Slot.objects.filter(status=Slot.Status.PUBLISHED, starts_at__gt=now).exclude(held_until__gt=now)


def consultant_directory(*, expertise: str = "", language: str = "", free_before: datetime | None = None,
                         now: datetime | None = None) -> QuerySet[Consultant]:
    """The directory: listed consultants with `next_free` (their earliest free slot), soonest first.

    One query for the consultants (next free slot as a subquery); a page's expertise and languages come from
    `consultant_tags` (two more queries, whatever the number of rows).
    """
    now = now or timezone.now()
    first_free = free_slots(now=now).filter(consultant=OuterRef("pk")).order_by("starts_at").values("starts_at")[:1]
    qs = consultant_listed().annotate(next_free=Subquery(first_free))
    if expertise:
        qs = qs.filter(expertise__area=expertise)
    if language:
        qs = qs.filter(languages__language=language)
    if free_before is not None:
        qs = qs.filter(next_free__lt=free_before)
    return qs.order_by(F("next_free").asc(nulls_last=True), "display_name", "pk")


def consultant_tags(*, consultant_ids: list[int]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Expertise areas and languages (their codes, in code order) of each of these consultants: two queries.

    Plain values instead of prefetched model instances: building those was a tenth of the directory's time.
    """
    areas, languages = defaultdict(list), defaultdict(list)
    for pk, area in (ConsultantExpertise.objects.filter(consultant_id__in=consultant_ids)
                     .order_by("consultant_id", "area").values_list("consultant_id", "area")):
        areas[pk].append(area)
    for pk, language in (ConsultantLanguage.objects.filter(consultant_id__in=consultant_ids)
                         .order_by("consultant_id", "language").values_list("consultant_id", "language")):
        languages[pk].append(language)
    return areas, languages


def slot_list_month(*, consultant: Consultant, month: date) -> QuerySet[Slot]:
    """Every slot of `month` in the consultant's own zone, in order."""
    start, end = month_bounds_utc(month, zoneinfo.ZoneInfo(consultant.time_zone))
    return Slot.objects.filter(consultant=consultant, starts_at__gte=start, starts_at__lt=end).order_by("starts_at")
