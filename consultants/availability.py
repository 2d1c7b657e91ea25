"""Turn availability rules into concrete session times. Pure functions: no database writes.

Decisions (tested in tests/consultants/test_availability.py):

* A rule's times are wall-clock times in the consultant's IANA zone. Every session is computed as a local
  date + local time, then converted to UTC with zoneinfo, so a 09:00 Stockholm session is 09:00 local on
  both sides of the March and October changes (07:00 UTC in summer time, 08:00 UTC in winter time).
* A start time that does not exist locally (the spring-forward gap, e.g. 02:30 on the last Sunday of March in
  Stockholm or Copenhagen) is SKIPPED: no slot is made for it. Shifting it would offer a time the consultant
  never chose.
* A start time that exists twice (the autumn fold, e.g. 02:30 on the last Sunday of October) uses fold=0, the
  FIRST occurrence (still summer time, 00:30 UTC). Only one slot is made.
* Sessions of a day follow each other in wall-clock time: start, start + length + buffer, ... Each session
  lasts `session_minutes` of real (elapsed) time and fits its window only when it ends by the window's end
  in real (UTC) time, and starts at least `buffer_minutes` of real time after the previous one ended — so on
  the spring-forward night a session never runs past its window or into the next one.
* Order of filters for one rule in one month: expand dates with dateutil's rrule → drop whole-day blackout
  dates → the day's windows (a date override replaces the rule's hours) → the day's sessions → drop
  nonexistent (gap) times and sessions that do not fit in real time → drop sessions that start before
  `now` (the service passes now + the consultant's minimum notice) → drop sessions inside time off or on a
  closed public holiday (consultants/offer.py). Caps count bookings, so they do not limit the drafts.
"""

import calendar
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dateutil import rrule

WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)


@dataclass(frozen=True)
class Candidate:
    starts_at: datetime  # aware, UTC
    ends_at: datetime  # aware, UTC
    rule_id: int | None


def month_start(d: date) -> date:
    return d.replace(day=1)


def next_month(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(d: date) -> date:
    return (d.replace(day=1) - timedelta(days=1)).replace(day=1)


def month_bounds_utc(month: date, zone: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants at which `month` begins and ends in `zone` (end exclusive)."""
    first = month_start(month)
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(next_month(first), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def rule_dates(rule, month: date) -> list[date]:
    """The local dates in `month` on which `rule` gives sessions (before blackouts)."""
    first = month_start(month)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    dtstart, until = datetime.combine(first, time(0)), datetime.combine(last, time(0))
    if rule.kind == "monthly":
        byweekday = WEEKDAYS[rule.weekday](rule.ordinal)
        return [d.date() for d in rrule.rrule(rrule.MONTHLY, dtstart=dtstart, until=until, byweekday=byweekday)]
    if rule.kind == "weekly":
        return [d.date() for d in rrule.rrule(rrule.WEEKLY, dtstart=dtstart, until=until,
                                              byweekday=WEEKDAYS[rule.weekday])]
    if rule.kind == "date" and rule.on_date and first <= rule.on_date <= last:
        return [rule.on_date]
    return []


def local_to_utc(day: date, wall: time, zone: zoneinfo.ZoneInfo) -> datetime | None:
    """`day` at `wall` o'clock in `zone`, as UTC; None when that wall-clock time does not exist (spring gap).

    An ambiguous time (autumn fold) resolves to its first occurrence (fold=0).
    """
    local = datetime.combine(day, wall, tzinfo=zone).replace(fold=0)
    as_utc = local.astimezone(UTC)
    if as_utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None  # the clock jumped over this time: it never happens here
    return as_utc


def wall_times(start: time, end: time, session_minutes: int, buffer_minutes: int) -> list[time]:
    """Session start times of one window in wall-clock time: start, start + length + buffer, ..."""
    length = timedelta(minutes=session_minutes)
    step = length + timedelta(minutes=buffer_minutes)
    base = date(2000, 1, 3)
    cursor, stop = datetime.combine(base, start), datetime.combine(base, end)
    times = []
    while cursor + length <= stop and cursor.date() == base:
        times.append(cursor.time())
        cursor += step
    return times


def day_wall_times(rule) -> list[time]:
    return wall_times(rule.start_time, rule.end_time, rule.session_minutes, rule.buffer_minutes)


def window_candidates(day: date, windows, *, session_minutes: int, buffer_minutes: int, zone: zoneinfo.ZoneInfo,
                      rule_id: int | None) -> list[Candidate]:
    """The sessions of one local day's windows, fitted in real time (see the module's docstring)."""
    length, buffer = timedelta(minutes=session_minutes), timedelta(minutes=buffer_minutes)
    out: list[Candidate] = []
    for start, end in windows:
        # A window's end in the spring gap counts from past the jump; in the fold, its first occurrence.
        window_end = datetime.combine(day, end, tzinfo=zone).astimezone(UTC)
        previous_end = None
        for wall in wall_times(start, end, session_minutes, buffer_minutes):
            starts = local_to_utc(day, wall, zone)
            if starts is None or starts + length > window_end:
                continue
            if previous_end is not None and starts < previous_end + buffer:
                continue
            out.append(Candidate(starts, starts + length, rule_id))
            previous_end = starts + length
    return out


def rule_candidates(rule, month: date, *, zone: zoneinfo.ZoneInfo, now: datetime,
                    blackout_dates: set[date] = frozenset(), availability=None) -> list[Candidate]:
    """Every session `rule` offers in `month`, in order (see the module's docstring for the filters).

    `availability` (consultants.offer.Availability) brings date overrides, part-day time off and holidays.
    """
    out: list[Candidate] = []
    for day in rule_dates(rule, month):
        if day in blackout_dates:
            continue
        windows = [(rule.start_time, rule.end_time)]
        if availability is not None:
            override = availability.override_windows(day)
            windows = windows if override is None else override
        out += window_candidates(day, windows, session_minutes=rule.session_minutes,
                                 buffer_minutes=rule.buffer_minutes, zone=zone, rule_id=rule.pk)
    out = [c for c in out if c.starts_at >= now]
    if availability is not None:
        out = [c for c in out if not availability.reason(c.starts_at, c.ends_at)]
    return out


def blackout_dates_in(blackouts, month: date) -> set[date]:
    first, after = month_start(month), next_month(month)
    days: set[date] = set()
    for b in blackouts:
        d = max(b.start_date, first)
        while d <= b.end_date and d < after:
            days.add(d)
            d += timedelta(days=1)
    return days


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end
