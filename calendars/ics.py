"""iCalendar data → busy intervals (UTC start and end, nothing else). Pure functions, no database.

What counts as busy (tested with fixture feeds in tests/calendars/feeds/):
* every event occurrence between `start` and `end`: RRULE, RDATE and EXDATE expanded and moved occurrences
  (RECURRENCE-ID) applied by `recurring_ical_events`; Google's X-WR-TIMEZONE repaired by `x_wr_timezone`;
  Outlook's Windows zone names in TZID ("W. Europe Standard Time") are understood by icalendar;
* except `TRANSP:TRANSPARENT` (shown as free), `STATUS:CANCELLED`, invitations the consultant declined
  (an ATTENDEE with one of their addresses and `PARTSTAT=DECLINED`), and events Probono published itself
  (UIDs ending in "@probono": a consultant who subscribes to our feed and re-imports it);
* all-day events block the consultant's whole local day(s), unless the source says they do not;
* floating times (no zone) are read in the consultant's zone.
Overlapping and touching intervals are merged.
"""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import recurring_ical_events
import x_wr_timezone

OWN_UID_SUFFIX = "@probono"
MAX_PERIODS = 5000  # a feed that expands to more than this within the horizon is cut (and the rest ignored)


class NotACalendar(Exception):
    """The data is not iCalendar (an HTML page, an error text) or is too broken to read."""


def _to_utc(value, zone: zoneinfo.ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC)
    return datetime.combine(value, time(0), tzinfo=zone).astimezone(UTC)


def _declined(event, addresses: set[str]) -> bool:
    if not addresses:
        return False
    attendees = event.get("ATTENDEE")
    if attendees is None:
        return False
    if not isinstance(attendees, list):
        attendees = [attendees]
    for attendee in attendees:
        address = str(attendee).lower().removeprefix("mailto:")
        if address in addresses:
            partstat = str(getattr(attendee, "params", {}).get("PARTSTAT", "")).upper()
            return partstat == "DECLINED"
    return False


def parse_calendars(data: bytes | str) -> list[icalendar.Calendar]:
    """Every VCALENDAR in `data`; NotACalendar when there is none or it cannot be read."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].upper()
    if not head.startswith(b"BEGIN:VCALENDAR"):
        raise NotACalendar("not iCalendar")
    try:
        calendars = icalendar.Calendar.from_ical(raw, multiple=True)
    except Exception:  # icalendar raises ValueError, KeyError, IndexError … on broken input
        raise NotACalendar("broken iCalendar")
    if not calendars:
        raise NotACalendar("no calendar")
    return calendars


def busy_intervals(data: bytes | str | list, *, zone: zoneinfo.ZoneInfo, start: datetime, end: datetime,
                   all_day_blocks: bool = True, addresses: set[str] | None = None) -> list[tuple[datetime, datetime]]:
    """The merged busy intervals (UTC) of the calendar(s) in `data` that overlap [start, end)."""
    calendars = data if isinstance(data, list) else parse_calendars(data)
    addresses = {a.lower() for a in (addresses or set())}
    # Expand in local terms a little wider than asked, so all-day events of the first and last day are found.
    local_start = (start.astimezone(zone) - timedelta(days=1)).replace(tzinfo=None)
    local_end = (end.astimezone(zone) + timedelta(days=1)).replace(tzinfo=None)
    intervals: list[tuple[datetime, datetime]] = []
    for cal in calendars:
        try:
            cal = x_wr_timezone.to_standard(cal)
            occurrences = recurring_ical_events.of(cal, skip_bad_series=True).between(local_start, local_end)
        except Exception:
            raise NotACalendar("broken iCalendar")
        for event in occurrences:
            if event.name != "VEVENT":
                continue
            if str(event.get("UID", "")).lower().endswith(OWN_UID_SUFFIX):
                continue
            if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
                continue
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            if _declined(event, addresses):
                continue
            try:
                ev_start, ev_end = event.start, event.end
            except Exception:  # noqa: S112 (no DTSTART, or an unreadable one: not busy time)
                continue
            all_day = not isinstance(ev_start, datetime)
            if all_day and not all_day_blocks:
                continue
            if all_day and not isinstance(ev_end, date):
                ev_end = ev_start + timedelta(days=1)
            s, e = _to_utc(ev_start, zone), _to_utc(ev_end, zone)
            if all_day and e <= s:
                e = _to_utc(ev_start + timedelta(days=1), zone)
            s, e = max(s, start), min(e, end)
            if s < e:
                intervals.append((s, e))
            if len(intervals) >= MAX_PERIODS:
                break
    return merge(intervals)


def merge(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
