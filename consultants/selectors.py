"""Reads shared by views, other apps (booking reads the feed token) and tasks."""

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import DateTimeField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.tokens import token_hash
from consultants.availability import month_bounds_utc
from consultants.models import Consultant, ConsultantExpertise, ConsultantLanguage, OffReason, Slot
from consultants.offer import STATIC_REASONS, Availability, cap_lifts_at, conflict_text, slot_cap_check


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

    A slot is bookable when it is published (not draft, booked or blocked); starts at least the consultant's
    minimum notice from now (real time: compared in UTC) and, with a booking window, no further ahead than
    it; is not held for a company on the waitlist (`held_until`); is not covered by busy time from the
    consultant's other calendars (`busy`, written by the calendars app); and nothing in the consultant's
    availability takes it out of the offer (`off_reason`: time off, public holiday, date override, a full
    day/week/month cap — recomputed by consultants.offer whenever one of those or a booking changes).
    `start`/`end` bound `starts_at` (UTC, end exclusive). Chain `.filter()`, `.values()` or `[:n]` on the
    result; `slot_bookable_check` is the same rule for one (locked) slot.
    """
    now = now or timezone.now()
    notice_ends = ExpressionWrapper(Value(now) + F("consultant__min_notice"), output_field=DateTimeField())
    window_ends = ExpressionWrapper(Value(now) + F("consultant__booking_window"), output_field=DateTimeField())
    qs = Slot.objects.filter(status=Slot.Status.PUBLISHED, starts_at__gt=now, busy=False, off_reason="")
    qs = qs.filter(Q(starts_at__gte=notice_ends),
                   Q(consultant__booking_window__isnull=True) | Q(starts_at__lte=window_ends))
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
    """Why one slot cannot be booked now. `code`: taken, past, unavailable, notice, window, busy or an
    OffReason value (time_off, holiday, override, cap_day, cap_week, cap_month); `lifts_at` when known."""

    code: str
    message: str
    lifts_at: datetime | None = None

    def __str__(self):
        return self.message


def _when(at: datetime) -> str:
    return date_format(timezone.localtime(at), "DATETIME_FORMAT")


def slot_bookable_check(slot: Slot, *, now: datetime | None = None, recount: bool = False) -> NotBookable | None:
    """None when `slot` may be booked now, else the reason; the rule of `slot_list_bookable` for one slot.

    Services call it with `recount=True` on a slot row locked in the booking's transaction (booking_create,
    booking_reschedule, a waitlist claim), after `consultant_lock_for_booking`: the caps are then counted
    again from the booked slots (one query, only for a consultant with caps), so the last place of a month
    is never given twice. Pages call it without (no query). A waitlist hold is not checked here: the offered
    company may book its held slot, and the waitlist enforces the hold in the same transaction.
    """
    now = now or timezone.now()
    consultant = slot.consultant
    if slot.status == Slot.Status.BOOKED:
        return NotBookable("taken", _("This time was just taken by another company."))
    if slot.starts_at <= now:
        return NotBookable("past", _("This time has already passed."))
    if slot.status != Slot.Status.PUBLISHED:
        return NotBookable("unavailable", _("This time is no longer offered."))
    if slot.starts_at < now + consultant.min_notice:
        hours = int(consultant.min_notice.total_seconds() // 3600)
        return NotBookable("notice", ngettext(
            "This time is too soon: sessions are booked at least %(hours)d hour ahead.",
            "This time is too soon: sessions are booked at least %(hours)d hours ahead.", hours) % {"hours": hours})
    if consultant.booking_window is not None and slot.starts_at > now + consultant.booking_window:
        opens = slot.starts_at - consultant.booking_window
        return NotBookable("window", _("This time can be booked from %(when)s.") % {"when": _when(opens)}, opens)
    if slot.busy:
        return NotBookable("busy", _("The consultant is no longer free at this time."))
    reason = slot.off_reason
    if recount and reason in CAP_REASONS + ("",):
        reason = slot_cap_check(slot)
    if reason in CAP_REASONS:
        day = slot.starts_at.astimezone(zoneinfo.ZoneInfo(consultant.time_zone)).date()
        opens = cap_lifts_at(consultant, day, reason)
        return NotBookable(reason, CAP_MESSAGES[reason] % {"name": consultant.display_name, "when": _when(opens)},
                           opens)
    if reason:
        return NotBookable(reason, _("This time is no longer offered."))
    return None


CAP_REASONS = (OffReason.CAP_DAY, OffReason.CAP_WEEK, OffReason.CAP_MONTH)
CAP_MESSAGES = {
    OffReason.CAP_DAY: gettext_lazy("%(name)s's free sessions for that day are all booked. The next day opens "
                                    "%(when)s."),
    OffReason.CAP_WEEK: gettext_lazy("%(name)s's free sessions for that week are all booked. The next week opens "
                                     "%(when)s."),
    OffReason.CAP_MONTH: gettext_lazy("%(name)s's free sessions for that month are all booked. The next month "
                                      "opens %(when)s."),
}


def slot_booked_conflict(slot: Slot) -> NotBookable | None:
    """For a booked (or requested) slot: the reason its time is no longer available to the consultant (time
    off, holiday, date override, busy time), or None. Approving a request checks it; nothing is cancelled."""
    if slot.busy:
        return NotBookable("busy", _("You are busy at this time in another calendar."))
    if slot.off_reason in (OffReason.TIME_OFF, OffReason.HOLIDAY, OffReason.OVERRIDE):
        return NotBookable(slot.off_reason, _("This session conflicts with your time off, a public holiday or "
                                              "your hours for that date."))
    return None


def slot_offer_note(slot: Slot, *, now: datetime, avail: Availability) -> tuple[bool, str]:
    """(offered now?, why not) for the consultant's month review and calendar: what a company sees.

    Reads only the slot, its consultant and `avail` (no query); the same rule as slot_bookable_check.
    """
    if slot.status == Slot.Status.BOOKED:
        if slot.off_reason in STATIC_REASONS:
            return False, conflict_text(slot, avail)
        return False, _("conflicts with busy time in your other calendar") if slot.busy else ""
    if slot.status == Slot.Status.BLOCKED:
        return False, _("blocked by you")
    refusal = slot_bookable_check(slot, now=now)
    code = refusal.code if refusal else ""
    if slot.status == Slot.Status.DRAFT:
        code = slot.off_reason or ("busy" if slot.busy else "draft")
    if not code:
        if slot.held_until and slot.held_until > now:
            return False, _("held for a company on the waitlist")
        return True, _("offered now")
    day = avail.local_date(slot.starts_at)
    texts = {
        "draft": _("not offered until you publish it"),
        "past": _("has passed"),
        "notice": _("not offered: your minimum notice has passed"),
        "window": _("not offered yet: beyond your booking window"),
        "busy": _("not offered: busy in another calendar"),
        OffReason.TIME_OFF: _("not offered: your time off"),
        OffReason.HOLIDAY: _("not offered: public holiday (%(name)s)") % {"name": avail.holidays.get(day, "")},
        OffReason.OVERRIDE: _("not offered: outside your hours for this date"),
        OffReason.CAP_DAY: _("not offered: your daily limit is reached"),
        OffReason.CAP_WEEK: _("not offered: your weekly limit is reached"),
        OffReason.CAP_MONTH: _("not offered: your monthly limit is reached"),
    }
    return False, texts.get(code, _("not offered"))


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
