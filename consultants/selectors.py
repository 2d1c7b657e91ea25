"""Reads shared by views, other apps (booking reads the feed token) and tasks."""

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

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


# --- Bookable now: the one truth for every page, the API and the booking services ------------------------
def slot_list_bookable(*, consultant: Consultant | None = None, start: datetime | None = None,
                       end: datetime | None = None, now: datetime | None = None) -> QuerySet[Slot]:
    """Slots a company can book now, soonest first: one SQL filter, so a page's query count never grows.

    A slot is bookable when it is published (not draft, booked or blocked), starts in the future, is not held
    for a company on the waitlist (`held_until`), is not covered by busy time from the consultant's other
    calendars (`busy`, written by the calendars app) and nothing in the consultant's availability takes it
    out of the offer (`off_reason`: time off, holiday, date override, caps — recomputed by consultants.offer
    whenever those change). `start`/`end` bound `starts_at` (UTC, end exclusive). Chain `.filter()`,
    `.values()` or `[:n]` on the result; `slot_bookable_check` is the same rule for one locked slot.
    """
    now = now or timezone.now()
    qs = Slot.objects.filter(status=Slot.Status.PUBLISHED, starts_at__gt=now, busy=False, off_reason="")
    qs = qs.exclude(held_until__gt=now)
    if consultant is not None:
        qs = qs.filter(consultant=consultant)
    if start is not None:
        qs = qs.filter(starts_at__gte=start)
    if end is not None:
        qs = qs.filter(starts_at__lt=end)
    return qs.order_by("starts_at", "pk")


@dataclass(frozen=True)
class NotBookable:
    """Why one slot cannot be booked now. `code`: taken, past, unavailable, busy or an OffReason value."""

    code: str
    message: str
    lifts_at: datetime | None = None

    def __str__(self):
        return self.message


def slot_bookable_check(slot: Slot, *, now: datetime | None = None) -> NotBookable | None:
    """None when `slot` may be booked now, else the reason; the rule of `slot_list_bookable` for one slot.

    Call it on a slot row locked in the booking's transaction (booking_create, booking_reschedule, a waitlist
    claim), so what it reads cannot change before the booking is written. A waitlist hold is not checked here:
    the offered company may book its held slot, and the waitlist enforces the hold in the same transaction.
    """
    now = now or timezone.now()
    if slot.status == Slot.Status.BOOKED:
        return NotBookable("taken", _("This time was just taken by another company."))
    if slot.starts_at <= now:
        return NotBookable("past", _("This time has already passed."))
    if slot.status != Slot.Status.PUBLISHED:
        return NotBookable("unavailable", _("This time is no longer offered."))
    if slot.busy:
        return NotBookable("busy", _("The consultant is no longer free at this time."))
    if slot.off_reason:
        return NotBookable(slot.off_reason, _("This time is no longer offered."))
    return None


def free_slots(*, now: datetime | None = None) -> QuerySet[Slot]:
    """Deprecated name of `slot_list_bookable` (kept while callers move over)."""
    return slot_list_bookable(now=now)


def consultant_directory(*, expertise: str = "", language: str = "", free_before: datetime | None = None,
                         now: datetime | None = None) -> QuerySet[Consultant]:
    """The directory: listed consultants with `next_free` (their earliest free slot), soonest first.

    One query for the consultants (next free slot as a subquery); a page's expertise and languages come from
    `consultant_tags` (two more queries, whatever the number of rows).
    """
    now = now or timezone.now()
    first_free = (slot_list_bookable(now=now).filter(consultant=OuterRef("pk")).order_by("starts_at")
                  .values("starts_at")[:1])
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
