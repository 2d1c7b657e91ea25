"""iCalendar (RFC 5545) for bookings: the invite mailed to the company, the consultant's copy, their private
feed, and the "Add to Google Calendar / Outlook" links.

One booking is one VEVENT with a UID that never changes; SEQUENCE grows with every change (reschedule, a new
meeting place, cancellation) so calendar clients replace the earlier version instead of adding a second event.

Times are written in UTC (`DTSTART:20300401T070000Z`), with no TZID and no VTIMEZONE. We tried the other
choice, the consultant's zone with icalendar's complete VTIMEZONE (1970–2038 as RDATE lists): vobject (and so
every client on dateutil's tzical) read a 09:00 Stockholm session in April as 09:00+01:00, an hour off, while
icalendar read it right. A UTC time has one reading in every parser, and a client shows it in its own zone;
nothing in a single session needs the consultant's wall-clock rules (there is no RRULE).

Where the session happens (consultants.meeting) goes into LOCATION (the link, the number or the address),
RFC 7986 CONFERENCE (FEATURE=VIDEO, LABEL) for video, and the DESCRIPTION, which repeats the place and the
manage link as plain text; URL is the manage page.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress

from booking.feed import feed_bookings
from consultants.meeting import PlaceText, place_describe

PRODID = "-//Probono//Booking//EN"
METHODS = {"REQUEST", "CANCEL", "PUBLISH"}
COMPANY, CONSULTANT = "company", "consultant"


def booking_uid(booking) -> str:
    """Stable per booking; stored on the booking when it has one, derived from the primary key otherwise."""
    uid = getattr(booking, "invite_uid", "") or ""
    return str(uid) if uid else f"booking-{booking.pk}@probono"


def _address(user, name: str = "", **params) -> vCalAddress:
    return vCalAddress.new(user.email, cn=name or user.name or user.email, **params)


def _summary(booking) -> str:
    return _("Free gap-analysis session: %(consultant)s and %(company)s") % {
        "consultant": booking.consultant.display_name,
        "company": booking.company.name,
    }


def _site_url(name: str, *args) -> str:
    try:
        return settings.SITE_URL + reverse(name, args=args)
    except NoReverseMatch:
        return settings.SITE_URL + "/"


def booking_place_text(booking, *, for_consultant: bool = False) -> PlaceText:
    """The booking's own meeting place (copied at booking, maybe changed since) in words for the company
    (default) or the consultant. Only for those who may see the booking: it holds the link, number or address."""
    return place_describe(booking, consultant_name=booking.consultant.display_name,
                          company_name=booking.company.name, company_phone=booking.company_phone,
                          for_consultant=for_consultant)


def invite_manage_url(booking, *, audience: str = COMPANY, manage_token: str = "") -> str:
    """Where the reader sees and changes the session: the private manage link when we have its token (only at
    booking and approval), else the signed-in page (the company's session page, the consultant's sessions)."""
    if audience == CONSULTANT:
        return _site_url("booking:consultant_dashboard")
    if manage_token:
        return _site_url("booking:manage", manage_token)
    return _site_url("booking:company_booking", booking.pk)


def invite_description(booking, *, place: PlaceText, manage: str) -> str:
    parts = [_("Booked through Probono."), "", _("How you meet: %(title)s") % {"title": place.title}]
    parts += place.lines
    if place.join_url:
        parts.append(_("Join: %(url)s") % {"url": place.join_url})
    parts += ["", _("See, move or cancel the session: %(url)s") % {"url": manage}]
    return "\n".join(parts)


def _event(booking, *, sequence: int, cancelled: bool, audience: str = COMPANY, with_attendee: bool = True,
           manage: str = "") -> Event:
    consultant = booking.consultant
    slot = booking.slot
    manage = manage or invite_manage_url(booking, audience=audience)
    place = booking_place_text(booking, for_consultant=audience == CONSULTANT)
    attendees = []
    if with_attendee and booking.booked_by_id:
        attendees = [_address(booking.booked_by, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp=False)]
    extra = {"location": place.location} if place.location else {}
    event = Event.new(
        uid=booking_uid(booking),
        sequence=sequence,
        start=slot.starts_at.astimezone(UTC),
        end=slot.ends_at.astimezone(UTC),
        stamp=datetime.now(UTC).replace(microsecond=0),
        summary=_summary(booking),
        description=invite_description(booking, place=place, manage=manage),
        organizer=_address(consultant.user, consultant.display_name),
        attendees=attendees,
        status="CANCELLED" if cancelled else "CONFIRMED",
        url=manage,
        **extra,
    )
    if place.join_url:
        event.add("conference", place.join_url,
                  parameters={"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": _("Video meeting")})
    return event


def _calendar(events: list[Event], *, method: str | None, **extra) -> bytes:
    # UTC times: no VTIMEZONE to add (see the module's docstring).
    return Calendar.new(prodid=PRODID, method=method, subcomponents=events, **extra).to_ical()


def invite_sequence(booking, *, cancelled: bool) -> int:
    """booking_reschedule raises invite_sequence; booking_cancel does not, so a cancellation is one more."""
    return int(booking.invite_sequence or 0) + (1 if cancelled else 0)


def booking_calendar(booking, *, method: str, cancelled: bool | None = None, sequence: int | None = None,
                     audience: str = COMPANY, manage_token: str = "", tentative: bool = False) -> bytes:
    """The invite for one booking.

    method "REQUEST" (new or moved), "CANCEL" (STATUS:CANCELLED) or "PUBLISH" (a plain download, and the
    consultant's copy; pass `cancelled` for a booking that no longer takes place). SEQUENCE defaults to
    `invite_sequence()`; `tentative` marks a request not yet approved. The consultant is the ORGANIZER in
    every version; the company contact is the one ATTENDEE, except in PUBLISH, which by RFC 5546 names no
    attendees (the description names the company).
    """
    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"unknown METHOD {method}")
    if cancelled is None:
        cancelled = method == "CANCEL"
    if sequence is None:
        sequence = invite_sequence(booking, cancelled=cancelled)
    manage = invite_manage_url(booking, audience=audience, manage_token=manage_token)
    event = _event(booking, sequence=sequence, cancelled=cancelled, audience=audience,
                   with_attendee=method != "PUBLISH", manage=manage)
    if tentative and not cancelled:
        event["STATUS"] = "TENTATIVE"
    return _calendar([event], method=method)


def _calendar_link_text(booking, *, manage: str) -> tuple[str, str, str]:
    place = booking_place_text(booking)
    return _summary(booking), invite_description(booking, place=place, manage=manage), place.location


def google_calendar_url(booking, *, manage_token: str = "") -> str:
    """Google Calendar's public "add event" template (no API key): times in UTC."""
    manage = invite_manage_url(booking, manage_token=manage_token)
    text, details, location = _calendar_link_text(booking, manage=manage)
    fmt = "%Y%m%dT%H%M%SZ"
    dates = f"{booking.slot.starts_at.astimezone(UTC):{fmt}}/{booking.slot.ends_at.astimezone(UTC):{fmt}}"
    return "https://calendar.google.com/calendar/render?" + urlencode(
        {"action": "TEMPLATE", "text": text, "dates": dates, "details": details, "location": location})


def outlook_calendar_url(booking, *, manage_token: str = "") -> str:
    """Outlook on the web's public "compose event" deep link (Microsoft 365 accounts), times in UTC."""
    manage = invite_manage_url(booking, manage_token=manage_token)
    text, details, location = _calendar_link_text(booking, manage=manage)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return "https://outlook.office.com/calendar/0/deeplink/compose?" + urlencode({
        "path": "/calendar/action/compose", "rru": "addevent", "subject": text,
        "startdt": f"{booking.slot.starts_at.astimezone(UTC):{fmt}}",
        "enddt": f"{booking.slot.ends_at.astimezone(UTC):{fmt}}", "body": details, "location": location})


def consultant_feed(consultant, bookings=None) -> bytes:
    """Every booked session of `consultant` as a subscribable feed (no METHOD: it is a published calendar).

    `bookings` defaults to booking.feed.feed_bookings(consultant) (one query, whatever the number of bookings).
    """
    if bookings is None:
        bookings = feed_bookings(consultant)
    with translation.override(consultant.user.language or None):
        return _feed(consultant, bookings)


def _feed(consultant, bookings) -> bytes:
    events = []
    for b in bookings:
        # The feed is the consultant's own calendar: they are the organizer; the company contact is listed
        # so the consultant sees who is coming. Nobody else is named.
        cancelled = b.status == "cancelled"
        events.append(_event(b, sequence=invite_sequence(b, cancelled=cancelled), cancelled=cancelled,
                             audience=CONSULTANT))
    return _calendar(events, method=None,
                     name=_("Probono sessions: %(name)s") % {"name": consultant.display_name},
                     uid=f"consultant-{consultant.pk}-feed@probono", refresh_interval=timedelta(hours=1))
