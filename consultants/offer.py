"""What a consultant offers: time off, date overrides, public holidays and caps, applied to slots.

Rules make drafts (consultants/availability.py); everything a consultant says about their time *after* that
is applied here, to drafts and published slots alike, and recorded on each slot as `Slot.off_reason`:

* time off (`Blackout`): a whole day, or from–until on each of its dates, in the consultant's zone;
* public holidays (the `holidays` library, Sweden or Denmark) when "no sessions on public holidays" is on,
  except the holidays the consultant opened (`HolidayOpening`);
* date overrides (`DateOverride`): on that date only the override's windows hold sessions (none when it
  says "not available");
* caps: at most N *booked* free sessions per local day, ISO week and month; once a period is full, its other
  free slots are hidden (and booking_create refuses them, re-counting under the lock).

`slot_offer_refresh` recomputes the reasons of a consultant's future slots in a few queries and is called
by every service that changes one of these inputs, so a change reaches published slots at once; the
"bookable now" selector then reads only the slot's own columns. A booked slot is never cancelled: when its
time becomes unavailable it keeps the reason as a conflict, which is shown on the calendar and the sessions
page and e-mailed to the consultant once (`slot_conflicts_notify`).
"""

import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django_q.tasks import async_task

from accounts.mail import Recipient, email_queue
from consultants import tasks
from consultants.availability import month_start, next_month
from consultants.models import Blackout, Consultant, DateOverride, HolidayOpening, OffReason, Slot
from consultants.public_cache import public_pages_changed

S = Slot.Status
STATIC_REASONS = (OffReason.TIME_OFF, OffReason.HOLIDAY, OffReason.OVERRIDE)
ZONE_COUNTRY = {"Europe/Stockholm": "SE", "Europe/Copenhagen": "DK"}


# --- Public holidays ----------------------------------------------------------------------------------------
def holiday_country(consultant: Consultant) -> str:
    """The country whose public holidays apply ("SE", "DK"), or "" for none. Default: from the time zone."""
    if consultant.holiday_country == "none":
        return ""
    return consultant.holiday_country or ZONE_COUNTRY.get(consultant.time_zone, "")


def _library_language(country: str, language: str) -> str:
    supported = holidays.country_holidays(country).supported_languages
    return language if language in supported else "en_US"


@lru_cache(maxsize=128)
def _holidays_of_year(country: str, year: int, language: str) -> tuple[tuple[date, str], ...]:
    # Sweden's calendar in the library counts every Sunday as a holiday ("Söndag") unless told otherwise.
    extra = {"include_sundays": False} if country == "SE" else {}
    found = holidays.country_holidays(country, years=year, language=language, **extra)
    return tuple(sorted(found.items()))


def holidays_between(country: str, first: date, last: date, language: str | None = None) -> dict[date, str]:
    """Public holidays of `country` from `first` to `last` (inclusive), named in `language` (default: the
    active language) where the library has it, else in English. No database query."""
    if not country:
        return {}
    lang = _library_language(country, (language or translation.get_language() or "en")[:2])
    out = {}
    for year in range(first.year, last.year + 1):
        for day, name in _holidays_of_year(country, year, lang):
            if first <= day <= last:
                out[day] = name
    return out


# --- The consultant's availability for a stretch of dates ---------------------------------------------------
def _utc(day: date, wall: time, zone: zoneinfo.ZoneInfo) -> datetime:
    # A wall time in the spring gap maps past the jump; in the autumn fold, to its first occurrence (fold=0).
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def _day_bounds(day: date, zone: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    return _utc(day, time(0), zone), _utc(day + timedelta(days=1), time(0), zone)


@dataclass
class Availability:
    """Time off, overrides and holidays of one consultant from `first` to `last` (local dates)."""

    consultant: Consultant
    first: date
    last: date
    zone: zoneinfo.ZoneInfo
    time_off: list[tuple[datetime, datetime, Blackout]] = field(default_factory=list)
    overrides: dict[date, list[DateOverride]] = field(default_factory=dict)
    holidays: dict[date, str] = field(default_factory=dict)  # every public holiday, also opened ones
    opened: set[date] = field(default_factory=set)

    def local_date(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    def override_windows(self, day: date) -> list[tuple[time, time]] | None:
        """The day's override windows (empty: not available), or None when the day has no override."""
        rows = self.overrides.get(day)
        if rows is None:
            return None
        return [(o.start_time, o.end_time) for o in rows if not o.unavailable]

    def holiday_closed(self, day: date) -> bool:
        return (self.consultant.skip_holidays and day in self.holidays and day not in self.opened)

    def time_off_for(self, starts_at: datetime, ends_at: datetime) -> Blackout | None:
        for start, end, blackout in self.time_off:
            if starts_at < end and start < ends_at:
                return blackout
        return None

    def reason(self, starts_at: datetime, ends_at: datetime) -> str:
        """The static reason (time off, holiday, override) a session at this time is not offered, or ""."""
        if self.time_off_for(starts_at, ends_at) is not None:
            return OffReason.TIME_OFF
        day = self.local_date(starts_at)
        if self.holiday_closed(day):
            return OffReason.HOLIDAY
        windows = self.override_windows(day)
        if windows is not None and not any(
                _utc(day, a, self.zone) <= starts_at and ends_at <= _utc(day, b, self.zone) for a, b in windows):
            return OffReason.OVERRIDE
        return ""


def availability_load(consultant: Consultant, first: date, last: date,
                      language: str | None = None) -> Availability:
    """Everything but the rules and the caps for local dates `first`..`last`: three queries."""
    zone = zoneinfo.ZoneInfo(consultant.time_zone)
    a = Availability(consultant=consultant, first=first, last=last, zone=zone)
    for b in Blackout.objects.filter(consultant=consultant, end_date__gte=first, start_date__lte=last):
        day = max(b.start_date, first)
        while day <= b.end_date and day <= last:
            if b.whole_day:
                start, end = _day_bounds(day, zone)
            else:
                start, end = _utc(day, b.start_time, zone), _utc(day, b.end_time, zone)
            a.time_off.append((start, end, b))
            day += timedelta(days=1)
    for o in DateOverride.objects.filter(consultant=consultant, date__gte=first, date__lte=last):
        a.overrides.setdefault(o.date, []).append(o)
    a.holidays = holidays_between(holiday_country(consultant), first, last, language)
    if a.holidays:
        a.opened = set(HolidayOpening.objects.filter(consultant=consultant, date__gte=first, date__lte=last)
                       .values_list("date", flat=True))
    return a


# --- Caps ------------------------------------------------------------------------------------------------------
def has_caps(consultant: Consultant) -> bool:
    return bool(consultant.monthly_cap or consultant.weekly_cap or consultant.daily_cap)


def _periods(day: date) -> tuple[date, date, date]:
    return day, day - timedelta(days=day.weekday()), month_start(day)


def _cap_window(day: date) -> tuple[date, date]:
    """The local dates whose bookings decide the caps of `day`'s slots: its month and its (ISO) week."""
    week = day - timedelta(days=day.weekday())
    return min(week, month_start(day)), max(week + timedelta(days=6), next_month(day) - timedelta(days=1))


def cap_reason(consultant: Consultant, day: date, booked: Counter) -> str:
    """CAP_DAY/WEEK/MONTH when that period of `day` already holds its cap of bookings; `booked` counts booked
    slots by (kind, period start)."""
    d, w, m = _periods(day)
    if consultant.daily_cap and booked[("d", d)] >= consultant.daily_cap:
        return OffReason.CAP_DAY
    if consultant.weekly_cap and booked[("w", w)] >= consultant.weekly_cap:
        return OffReason.CAP_WEEK
    if consultant.monthly_cap and booked[("m", m)] >= consultant.monthly_cap:
        return OffReason.CAP_MONTH
    return ""


def count_booked(local_dates) -> Counter:
    booked = Counter()
    for day in local_dates:
        d, w, m = _periods(day)
        booked[("d", d)] += 1
        booked[("w", w)] += 1
        booked[("m", m)] += 1
    return booked


def cap_lifts_at(consultant: Consultant, day: date, reason: str) -> datetime:
    """When the period that is full ends (the next one opens), as a UTC instant."""
    zone = zoneinfo.ZoneInfo(consultant.time_zone)
    if reason == OffReason.CAP_DAY:
        nxt = day + timedelta(days=1)
    elif reason == OffReason.CAP_WEEK:
        nxt = day - timedelta(days=day.weekday()) + timedelta(days=7)
    else:
        nxt = next_month(day)
    return _utc(nxt, time(0), zone)


def slot_cap_check(slot: Slot) -> str:
    """Re-count the bookings of the slot's day, week and month (one query); a cap reason or "".

    Called by slot_bookable_check under the booking's lock (consultant_lock_for_booking serialises bookings
    of a consultant with caps), so the last place of a period is never given twice.
    """
    consultant = slot.consultant
    if not has_caps(consultant):
        return ""
    zone = zoneinfo.ZoneInfo(consultant.time_zone)
    day = slot.starts_at.astimezone(zone).date()
    first, last = _cap_window(day)
    starts = Slot.objects.filter(
        consultant_id=consultant.pk, status=S.BOOKED, starts_at__gte=_utc(first, time(0), zone),
        starts_at__lt=_utc(last + timedelta(days=1), time(0), zone)).exclude(pk=slot.pk).values_list(
        "starts_at", flat=True)
    return cap_reason(consultant, day, count_booked(s.astimezone(zone).date() for s in starts))


def consultant_lock_for_booking(consultant: Consultant) -> None:
    """Serialise bookings of a consultant with caps (PostgreSQL; SQLite serialises writers anyway). No query
    without caps. Call it before locking the slot, in the booking's transaction."""
    if has_caps(consultant):
        list(Consultant.objects.select_for_update().filter(pk=consultant.pk).values_list("pk", flat=True))


# --- Applying it to slots ----------------------------------------------------------------------------------
def slot_offer_refresh(*, consultant: Consultant, first: date | None = None, last: date | None = None,
                       now: datetime | None = None) -> int:
    """Recompute `off_reason` of the consultant's future slots from local date `first` to `last` (default:
    every future slot); returns how many changed. Four to six queries whatever the number of slots.

    Free slots (draft, published) get time off / holiday / override / cap reasons; a booked slot gets only
    the first three, as a conflict, and a new conflict is e-mailed once after commit. Blocked slots are left
    alone. Call it inside the transaction of the change (the services here do).
    """
    now = now or timezone.now()
    zone = zoneinfo.ZoneInfo(consultant.time_zone)
    today = now.astimezone(zone).date()
    first = max(first or today, today)
    caps = has_caps(consultant)
    load_first = _cap_window(first)[0] if caps else first
    qs = Slot.objects.filter(consultant=consultant, status__in=[S.DRAFT, S.PUBLISHED, S.BOOKED],
                             starts_at__gte=_utc(load_first, time(0), zone))
    if last is not None:
        load_last = _cap_window(last)[1] if caps else last
        qs = qs.filter(starts_at__lt=_utc(load_last + timedelta(days=1), time(0), zone))
    slots = list(qs.only("pk", "starts_at", "ends_at", "status", "off_reason", "conflict_mailed"))
    if not slots:
        return 0
    days = {s.pk: s.starts_at.astimezone(zone).date() for s in slots}
    avail = availability_load(consultant, first, max(days.values()))
    booked = count_booked(days[s.pk] for s in slots if s.status == S.BOOKED) if caps else Counter()
    changed, conflicts = [], False
    for s in slots:
        day = days[s.pk]
        if day < first or (last is not None and day > last) or s.starts_at <= now:
            continue
        reason = avail.reason(s.starts_at, s.ends_at)
        if not reason and caps and s.status != S.BOOKED:
            reason = cap_reason(consultant, day, booked)
        if reason != s.off_reason:
            s.off_reason = reason
            if not reason:
                s.conflict_mailed = False  # a later conflict is mailed again
            changed.append(s)
            conflicts = conflicts or (s.status == S.BOOKED and reason in STATIC_REASONS)
    if changed:  # in primary-key order, so two refreshes never wait on each other's rows crosswise
        Slot.objects.bulk_update(sorted(changed, key=lambda s: s.pk), ["off_reason", "conflict_mailed"])
        public_pages_changed()
    if conflicts:
        pk = consultant.pk
        transaction.on_commit(lambda: async_task(tasks.slot_conflicts_notify, pk, task_name="slot_conflicts_notify"))
    return len(changed)


def slot_caps_refresh(*, consultant: Consultant, at: datetime) -> None:
    """After a booking took or freed a slot at `at`: refresh the caps of that day's week and month. No query
    when the consultant has no caps. Called by booking's services inside the booking's transaction."""
    if not has_caps(consultant):
        return
    consultant_lock_for_booking(consultant)  # held already by booking_create; taken here by the other paths
    day = at.astimezone(zoneinfo.ZoneInfo(consultant.time_zone)).date()
    first, last = _cap_window(day)
    slot_offer_refresh(consultant=consultant, first=first, last=last)


# --- Conflicts -----------------------------------------------------------------------------------------------
def slot_conflicts_notify(*, consultant: Consultant, now: datetime | None = None) -> int:
    """E-mail the consultant the booked sessions that conflict with their time off, holidays or overrides,
    each once: the slots are claimed with a conditional update, so a task that runs twice mails once.
    Returns how many conflicts were mailed."""
    now = now or timezone.now()
    with transaction.atomic():
        due = Slot.objects.filter(consultant=consultant, status=S.BOOKED, off_reason__in=STATIC_REASONS,
                                  conflict_mailed=False, starts_at__gt=now)
        ids = list(due.values_list("pk", flat=True))
        claimed = Slot.objects.filter(pk__in=ids, conflict_mailed=False).update(conflict_mailed=True)
        if not claimed:
            return 0
        slots = list(Slot.objects.filter(pk__in=ids).order_by("starts_at"))
        user = consultant.user
        zone = zoneinfo.ZoneInfo(consultant.time_zone)
        avail = availability_load(consultant, slots[0].starts_at.astimezone(zone).date(),
                                  slots[-1].starts_at.astimezone(zone).date(), language=user.language)
        items = [{"slot": s, "why": conflict_text(s, avail)} for s in slots]
        email_queue(template="consultants_conflicts",
                    context={"consultant": consultant, "items": items, "site_url": settings.SITE_URL},
                    recipient=Recipient(email=user.email, language=user.language,
                                        time_zone=consultant.time_zone, name=user.name))
    return claimed


def conflict_text(slot: Slot, avail: Availability) -> str:
    """'conflicts with your time off on 16 June' and the like, in the active language."""
    day = avail.local_date(slot.starts_at)
    when = date_format(day, "DATE_FORMAT")
    if slot.off_reason == OffReason.TIME_OFF:
        return gettext("conflicts with your time off on %(date)s") % {"date": when}
    if slot.off_reason == OffReason.HOLIDAY:
        return gettext("conflicts with the public holiday %(name)s on %(date)s") % {
            "name": avail.holidays.get(day, ""), "date": when}
    if slot.off_reason == OffReason.OVERRIDE:
        return gettext("is outside your hours for %(date)s") % {"date": when}
    return ""


def reasons_by_day(avail: Availability) -> dict[date, list[str]]:
    """Per local date, what the month review says about it (holiday, time off, override)."""
    out = defaultdict(list)
    for _start, _end, b in avail.time_off:
        day = avail.local_date(_start)
        if b.whole_day:
            text = gettext("Time off")
        else:
            text = gettext("Time off %(start)s–%(end)s") % {"start": b.start_time.strftime("%H:%M"),
                                                           "end": b.end_time.strftime("%H:%M")}
        out[day].append(f"{text} ({b.note})" if b.note else text)
    for day in avail.overrides:
        windows = avail.override_windows(day)
        if windows:
            out[day].append(gettext("Your hours this day: %(hours)s") % {
                "hours": ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in windows)})
        else:
            out[day].append(gettext("Not available this day"))
    for day, name in avail.holidays.items():
        if not avail.consultant.skip_holidays:
            out[day].append(name)
        elif day in avail.opened:
            out[day].append(gettext("%(holiday)s — open for sessions") % {"holiday": name})
        else:
            out[day].append(gettext("%(holiday)s — no sessions") % {"holiday": name})
    return out
