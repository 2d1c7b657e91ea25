"""The booking time picker on a profile: a month calendar with the bookable days marked and the chosen day's times,
in the viewer's zone (as Calendly and Cal.com do). Pure functions over the bookable slots the view fetched once."""

import calendar
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.http import urlencode

# Offered first in "Times in: …"; any valid IANA zone still works through ?tz=.
PICKER_ZONES = ["Europe/Stockholm", "Europe/Copenhagen", "Europe/Oslo", "Europe/Helsinki", "Europe/London",
                "Europe/Berlin", "America/New_York", "America/Chicago", "America/Los_Angeles", "Asia/Tokyo",
                "Asia/Singapore", "Australia/Sydney", "UTC"]


def zone_or_none(name: str | None) -> zoneinfo.ZoneInfo | None:
    """A zone from untrusted input (a query parameter), or None: bad input never crashes a page."""
    if not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def zone_label(name: str) -> str:
    """'America/New_York' → 'New York'."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


def _month_or_none(value: str | None) -> date | None:
    try:
        return datetime.strptime(value or "", "%Y-%m").date().replace(day=1)
    except ValueError:
        return None


def _day_or_none(value: str | None) -> date | None:
    try:
        return datetime.strptime(value or "", "%Y-%m-%d").date()
    except ValueError:
        return None


@dataclass
class Day:
    date: date
    in_month: bool
    count: int
    chosen: bool
    query: str


@dataclass
class Picker:
    zone: str
    month: date
    weeks: list[list[Day]]
    day: date | None
    times: list = field(default_factory=list)
    prev_query: str | None = None
    next_query: str | None = None
    prev_month: date | None = None
    next_month: date | None = None
    zones: list[tuple[str, str]] = field(default_factory=list)
    # Parameters every link and form of the picker keeps (the booking widget's website), as (name, value).
    extra: list[tuple[str, str]] = field(default_factory=list)

    @property
    def extra_query(self) -> str:
        return ("?" + urlencode(self.extra)) if self.extra else ""

    @property
    def zone_label(self) -> str:
        return zone_label(self.zone)


def picker_build(*, slots, zone: zoneinfo.ZoneInfo, month: str | None, day: str | None, today: date,
                 extra: dict[str, str] | None = None) -> Picker:
    """The picker for `slots` (bookable, soonest first) in `zone`. `month` ("2026-12") and `day` ("2026-12-07") come
    from the query string; a day without times, or garbage, falls back to the first bookable day of the month.
    `extra` parameters are kept in every link the picker makes."""
    kept = [(k, v) for k, v in (extra or {}).items() if v]
    by_day: dict[date, list] = defaultdict(list)
    for slot in slots:
        by_day[slot.starts_at.astimezone(zone).date()].append(slot)
    chosen_day = _day_or_none(day)
    shown = _month_or_none(month)
    if chosen_day is not None and chosen_day in by_day:
        shown = chosen_day.replace(day=1)
    months_with_times = sorted({d.replace(day=1) for d in by_day})
    if shown is None:
        shown = months_with_times[0] if months_with_times else today.replace(day=1)
    if chosen_day not in by_day or chosen_day.replace(day=1) != shown:
        chosen_day = next((d for d in sorted(by_day) if d.replace(day=1) == shown), None)

    def query(**params) -> str:
        return "?" + urlencode({**params, "tz": zone.key, **dict(kept)})

    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(shown.year, shown.month):
        weeks.append([Day(date=d, in_month=d.month == shown.month, count=len(by_day.get(d, ())),
                          chosen=d == chosen_day,
                          query=query(month=d.strftime("%Y-%m"), day=d.isoformat())) for d in week])
    prev_month = max((m for m in months_with_times if m < shown), default=None)
    next_month = min((m for m in months_with_times if m > shown), default=None)
    zones = [(z, zone_label(z)) for z in PICKER_ZONES]
    if zone.key not in PICKER_ZONES:
        zones.insert(0, (zone.key, zone_label(zone.key)))
    return Picker(
        zone=zone.key, month=shown, weeks=weeks, day=chosen_day, times=by_day.get(chosen_day, []),
        prev_month=prev_month, next_month=next_month, extra=kept,
        prev_query=query(month=prev_month.strftime("%Y-%m")) if prev_month else None,
        next_query=query(month=next_month.strftime("%Y-%m")) if next_month else None, zones=zones)
