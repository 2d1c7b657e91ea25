"""iCalendar (RFC 5545) for bookings: the invite mailed to the company and the consultant's private feed.

One booking is one VEVENT with a UID that never changes; SEQUENCE grows with every change (reschedule,
cancellation) so calendar clients replace the earlier version instead of adding a second event.
Times are written in the consultant's zone with a VTIMEZONE bounded to the dates used, which keeps the
file small and correct across DST changes.
"""

import zoneinfo
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress

from booking.feed import feed_bookings

PRODID = "-//Probono//Booking//EN"
METHODS = {"REQUEST", "CANCEL", "PUBLISH"}


def booking_uid(booking) -> str:
    """Stable per booking; stored on the booking when it has one, derived from the primary key otherwise."""
    uid = getattr(booking, "invite_uid", "") or ""
    return str(uid) if uid else f"booking-{booking.pk}@probono"


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE)


def _address(user, name: str = "", **params) -> vCalAddress:
    return vCalAddress.new(user.email, cn=name or user.name or user.email, **params)


def _summary(booking) -> str:
    return _("Free gap-analysis session: %(consultant)s and %(company)s") % {
        "consultant": booking.consultant.display_name,
        "company": booking.company.name,
    }


def _dashboard_url() -> str:
    return settings.SITE_URL + reverse("dashboard")


def _event(booking, *, sequence: int, cancelled: bool, with_attendee: bool = True, manage: str = "") -> Event:
    consultant = booking.consultant
    zone = _zone(consultant.time_zone)
    slot = booking.slot
    manage = manage or _dashboard_url()
    attendees = []
    if with_attendee and booking.booked_by_id:
        attendees = [_address(booking.booked_by, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp=False)]
    return Event.new(
        uid=booking_uid(booking),
        sequence=sequence,
        start=slot.starts_at.astimezone(zone),
        end=slot.ends_at.astimezone(zone),
        stamp=datetime.now(UTC).replace(microsecond=0),
        summary=_summary(booking),
        description=_("Booked through Probono. See or change it at %(url)s") % {"url": manage},
        organizer=_address(consultant.user, consultant.display_name),
        attendees=attendees,
        status="CANCELLED" if cancelled else "CONFIRMED",
        url=manage,
    )


def _calendar(events: list[Event], *, method: str | None, first: date, last: date, **extra) -> bytes:
    cal = Calendar.new(prodid=PRODID, method=method, subcomponents=events, **extra)
    if events:
        # Bounded: a VTIMEZONE with only the transitions between these dates (not 1970–2038).
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()


def invite_sequence(booking, *, cancelled: bool) -> int:
    """booking_reschedule raises invite_sequence; booking_cancel does not, so a cancellation is one more."""
    return int(booking.invite_sequence or 0) + (1 if cancelled else 0)


def booking_calendar(booking, *, method: str, cancelled: bool | None = None, sequence: int | None = None) -> bytes:
    """The invite for one booking.

    method "REQUEST" (new or moved), "CANCEL" (STATUS:CANCELLED) or "PUBLISH" (a plain download; pass
    `cancelled` for a booking that no longer takes place). SEQUENCE defaults to `invite_sequence()`.
    """
    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"unknown METHOD {method}")
    if cancelled is None:
        cancelled = method == "CANCEL"
    if sequence is None:
        sequence = invite_sequence(booking, cancelled=cancelled)
    event = _event(booking, sequence=sequence, cancelled=cancelled)
    day = booking.slot.starts_at.date()
    return _calendar([event], method=method, first=day - timedelta(days=2), last=day + timedelta(days=2))


def consultant_feed(consultant, bookings=None) -> bytes:
    """Every booked session of `consultant` as a subscribable feed (no METHOD: it is a published calendar).

    `bookings` defaults to booking.feed.feed_bookings(consultant) (one query, whatever the number of bookings).
    """
    if bookings is None:
        bookings = feed_bookings(consultant)
    with translation.override(consultant.user.language or None):
        return _feed(consultant, bookings)


def _feed(consultant, bookings) -> bytes:
    events, days = [], []
    manage = _dashboard_url()
    for b in bookings:
        # The feed is the consultant's own calendar: they are the organizer; the company contact is listed
        # so the consultant sees who is coming. Nobody else is named.
        cancelled = b.status == "cancelled"
        events.append(_event(b, sequence=invite_sequence(b, cancelled=cancelled), cancelled=cancelled, manage=manage))
        days.append(b.slot.starts_at.date())
    first = min(days) - timedelta(days=2) if days else date.today()
    last = max(days) + timedelta(days=2) if days else date.today()
    return _calendar(events, method=None, first=first, last=last,
                     name=_("Probono sessions: %(name)s") % {"name": consultant.display_name},
                     uid=f"consultant-{consultant.pk}-feed@probono", refresh_interval=timedelta(hours=1))
