"""The e-mails about a booking: composed in each recipient's language and zone, sent once.

Every function here runs inside a django-q2 task (booking/tasks.py), never inside a transaction. Each
mail is claimed first (`notice_claim`, on `send_once`): a task that runs twice finds the claim taken and sends
nothing. If sending fails the claim is released so the broker's retry can try again; if the worker dies, the
claim lapses and the broker's re-delivery sends it.
"""

import contextlib
import logging
import re
import zoneinfo
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from accounts.mail import Attachment, Recipient, email_build
from booking.invites import (
    booking_calendar,
    booking_place_text,
    google_calendar_url,
    invite_manage_url,
    outlook_calendar_url,
)
from booking.models import Booking, BookingNotice

log = logging.getLogger(__name__)
Kind = BookingNotice.Kind
Audience = BookingNotice.Audience


def sending_lease() -> timedelta:
    """How long a sender's claim keeps others away: the task timeout, but never so long that the broker's
    re-delivery of a killed task (`retry` seconds after it was taken) still finds the claim in force.

    django-q2 stops a task after Q_CLUSTER["timeout"] seconds, so a claim older than that has no live sender.
    A claim made up to `timeout` seconds into a task has lapsed by the re-delivery when lease <= retry - timeout,
    which with our settings (30 and 60) is the timeout itself. A run that finds a claim in force sends nothing
    for it and is not retried, so this bound matters. The one case it misses: a killed task whose claim came more
    than retry - lease seconds after the broker handed it out, which takes a wait in the cluster's own queue
    (taken from the broker, not yet started) on top of its run time.
    """
    timeout, retry = settings.Q_CLUSTER["timeout"], settings.Q_CLUSTER["retry"]
    return timedelta(seconds=max(1, min(timeout, retry - timeout)))


@contextlib.contextmanager
def send_once(rows: QuerySet, *, sent_field: str = "sent_at", on_claim: dict | None = None,
              on_release: dict | None = None):
    """Yield True to the one caller that may send the mail recorded by the single row in `rows`, else False.

    The claim is a lease: a conditional UPDATE sets `sending_until` (now + `sending_lease()`) where the mail
    is unsent and no other claim is in force, so of two concurrent runs exactly one sees a row count of 1. When
    the block ends normally the mail is marked sent (`sent_field` = now, lease cleared); when it raises (even a
    task timeout) the lease is cleared at once so the broker's retry can send. `on_claim` / `on_release` are
    extra fields to set with the claim and its release (the survey stores its token hash with the claim).

    What can go wrong: a worker killed while it holds the claim leaves it in force until the lease passes;
    the task's re-delivery then sends the mail. A worker killed after the mail server accepted the mail and
    before the row was marked sent makes that re-delivery send it a second time: a duplicate, never a loss.
    """
    now = timezone.now()
    until = now + sending_lease()
    free = Q(**{f"{sent_field}__isnull": True}) & (Q(sending_until__isnull=True) | Q(sending_until__lt=now))
    claimed = rows.filter(free).update(sending_until=until, **(on_claim or {})) == 1
    # Our claim only: if it lapsed and another run took the mail over, its claim is left alone.
    ours = rows.filter(sending_until=until)
    try:
        yield claimed
    except BaseException:
        if claimed:
            ours.update(sending_until=None, **(on_release or {}))
        raise
    if claimed:
        ours.update(sending_until=None, **{sent_field: timezone.now()})


@contextlib.contextmanager
def notice_claim(*, booking: Booking, kind: str, audience: str, key: str = ""):
    """Yield True when this caller owns the mail (claimed it, see `send_once`), False when it went out already
    or another run is sending it."""
    try:
        with transaction.atomic():
            notice, _ = BookingNotice.objects.get_or_create(booking=booking, kind=kind, audience=audience, key=key)
    except IntegrityError:  # a concurrent run created it first
        notice = BookingNotice.objects.get(booking=booking, kind=kind, audience=audience, key=key)
    with send_once(BookingNotice.objects.filter(pk=notice.pk)) as claimed:
        yield claimed


def notice_message_id(*, booking: Booking, kind: str, audience: str, key: str = "") -> str:
    """The same Message-ID each time this notice is sent. In the one case `send_once` sends a mail twice (a
    worker killed after the server accepted it), mail clients that collapse equal Message-IDs show it once."""
    host = urlsplit(settings.SITE_URL).hostname or "probono.localhost"
    safe_key = re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-")
    return f"<notice.{booking.pk}.{kind}.{audience}{'.' + safe_key if safe_key else ''}@{host}>"


def company_recipient(booking: Booking) -> Recipient:
    return Recipient.for_user(booking.booked_by)


def consultant_recipient(booking: Booking) -> Recipient:
    consultant = booking.consultant
    r = Recipient.for_user(consultant.user)
    # The consultant's calendar zone is the one on their profile.
    r.time_zone = consultant.time_zone or r.time_zone
    r.name = consultant.display_name
    return r


def site_url(name: str, *args) -> str:
    try:
        return settings.SITE_URL + reverse(name, args=args)
    except NoReverseMatch:
        return ""


def manage_url(token: str) -> str:
    return site_url("booking:manage", token) if token else ""


def _invite(booking: Booking, *, method: str, recipient: Recipient, sequence: int | None,
            audience: str = Audience.COMPANY, manage_token: str = "", cancelled: bool | None = None,
            tentative: bool = False) -> Attachment:
    # The summary is translated: build it in the recipient's language.
    with translation.override(recipient.language):
        ics = booking_calendar(booking, method=method, sequence=sequence, cancelled=cancelled, tentative=tentative,
                               audience="consultant" if audience == Audience.CONSULTANT else "company",
                               manage_token=manage_token)
    return Attachment(
        filename="cancel.ics" if method == "CANCEL" or cancelled else "invite.ics",
        content=ics.decode(),
        mimetype=f"text/calendar; method={method}",
    )


def mail_context(booking: Booking, recipient: Recipient, *, with_place: bool = True, **extra) -> dict:
    """What every booking mail's templates read. `place` (the meeting place in words for this audience; pass
    `audience`) is left out of mails about a session that will not happen (cancelled, declined)."""
    zone = zoneinfo.ZoneInfo(recipient.time_zone)
    place = None
    if with_place:
        with translation.override(recipient.language):
            place = booking_place_text(booking, for_consultant=extra.get("audience") == Audience.CONSULTANT)
    return {
        "place": place,
        "booking": booking,
        "consultant": booking.consultant,
        "company": booking.company,
        "booked_by": booking.booked_by,
        "starts_at": booking.slot.starts_at,
        "ends_at": booking.slot.ends_at,
        "time_zone_name": str(zone),
        "dashboard_url": site_url("dashboard"),
        "booking_ics_url": site_url("booking:booking_ics", booking.pk),
        **extra,
    }


def _send(*, booking: Booking, kind: str, audience: str, key: str, template: str, recipient: Recipient,
          context: dict | None = None, invite_method: str | None = None, sequence: int | None = None,
          invite_options: dict | None = None, with_place: bool = True) -> bool:
    """`invite_method` attaches the invite: REQUEST / CANCEL for the company; PUBLISH for the consultant's copy,
    which names them organizer and no attendee (`invite_options` passes `cancelled` / `tentative`)."""
    with notice_claim(booking=booking, kind=kind, audience=audience, key=key) as claimed:
        if not claimed:
            return False
        attachments = []
        if invite_method:
            attachments = [_invite(booking, method=invite_method, recipient=recipient, sequence=sequence,
                                   audience=audience, manage_token=(context or {}).get("manage_token", ""),
                                   **(invite_options or {}))]
        message = email_build(
            template=template, recipient=recipient, attachments=attachments,
            context=mail_context(booking, recipient, audience=audience, with_place=with_place, **(context or {})),
        )
        message.extra_headers["Message-ID"] = notice_message_id(booking=booking, kind=kind, audience=audience, key=key)
        message.send()
    return True


def intake_answers(booking: Booking) -> list:
    return list(booking.answers.all())


# --- one function per event ---------------------------------------------------------------------------


def mail_booking_confirmed(booking: Booking, *, manage_token: str = "") -> int:
    """Company: confirmation with the invite (REQUEST) and the manage link. Consultant: notice with answers."""
    key = str(booking.invite_sequence)
    sent = _send(
        booking=booking, kind=Kind.CONFIRMED, audience=Audience.COMPANY, key=key,
        template="booking_confirmed", recipient=company_recipient(booking),
        context={"manage_url": manage_url(manage_token), "manage_token": manage_token,
                 "google_url": google_calendar_url(booking, manage_token=manage_token),
                 "outlook_url": outlook_calendar_url(booking, manage_token=manage_token)},
        invite_method="REQUEST",
    )
    sent += _send(
        booking=booking, kind=Kind.CONFIRMED, audience=Audience.CONSULTANT, key=key,
        template="booking_new_consultant", recipient=consultant_recipient(booking),
        context={"answers": intake_answers(booking), "sessions_url": site_url("booking:consultant_dashboard")},
        invite_method="PUBLISH",
    )
    return sent


def mail_booking_requested(booking: Booking, *, manage_token: str = "") -> int:
    """Company: "your request is waiting for approval". Consultant: please accept or decline."""
    sent = _send(
        booking=booking, kind=Kind.REQUESTED, audience=Audience.COMPANY, key="",
        template="booking_requested", recipient=company_recipient(booking),
        context={"manage_url": manage_url(manage_token)},
    )
    sent += _send(
        booking=booking, kind=Kind.REQUESTED, audience=Audience.CONSULTANT, key="",
        template="booking_request_consultant", recipient=consultant_recipient(booking),
        context={"answers": intake_answers(booking), "sessions_url": site_url("booking:consultant_dashboard")},
        invite_method="PUBLISH", invite_options={"tentative": True},
    )
    return sent


def mail_booking_declined(booking: Booking) -> int:
    """Company: the consultant declined the request, or it expired unanswered."""
    return _send(
        booking=booking, kind=Kind.DECLINED, audience=Audience.COMPANY, key="",
        template="booking_declined", recipient=company_recipient(booking),
        with_place=False,
        context={"consultant_url": site_url("consultants:profile", booking.consultant.slug),
                 "expired": booking.status == Booking.Status.EXPIRED},
    )


def mail_booking_cancelled(booking: Booking, *, sequence: int) -> int:
    """Company: the CANCEL invite (same UID, a higher SEQUENCE). Consultant: a notice.

    A request that was never confirmed had no invite, so its cancellation carries none either.
    """
    was_invited = booking.confirmed_at is not None
    key = str(sequence)
    sent = _send(
        booking=booking, kind=Kind.CANCELLED, audience=Audience.COMPANY, key=key,
        template="booking_cancelled", recipient=company_recipient(booking),
        with_place=False,
        context={"consultant_url": site_url("consultants:profile", booking.consultant.slug),
                 "was_invited": was_invited},
        invite_method="CANCEL" if was_invited else None, sequence=sequence,
    )
    if booking.cancelled_by_id != booking.consultant.user_id:  # they cancelled it themselves: nothing to tell
        sent += _send(
            booking=booking, kind=Kind.CANCELLED, audience=Audience.CONSULTANT, key=key,
            template="booking_cancelled_consultant", recipient=consultant_recipient(booking),
            with_place=False,
            invite_method="PUBLISH", sequence=sequence, invite_options={"cancelled": True},
        )
    return sent


def mail_booking_rescheduled(booking: Booking, *, old_starts_at, old_ends_at) -> int:
    """Company: the updated invite (same UID, SEQUENCE + 1, new times). Consultant: a notice.

    A moved request (not confirmed yet) had no invite, so the update carries none either.
    """
    key = str(booking.invite_sequence)
    was_invited = booking.confirmed_at is not None
    extra = {"old_starts_at": old_starts_at, "old_ends_at": old_ends_at, "was_invited": was_invited}
    sent = _send(
        booking=booking, kind=Kind.RESCHEDULED, audience=Audience.COMPANY, key=key,
        template="booking_rescheduled", recipient=company_recipient(booking),
        # The plain manage token is not kept after booking, so the link is the signed-in page of this session,
        # where the company sees, moves or cancels it (the same place the updated invite points to).
        context={**extra, "manage_url": invite_manage_url(booking)},
        invite_method="REQUEST" if was_invited else None,
    )
    sent += _send(
        booking=booking, kind=Kind.RESCHEDULED, audience=Audience.CONSULTANT, key=key,
        template="booking_rescheduled_consultant", recipient=consultant_recipient(booking),
        context={**extra, "sessions_url": site_url("booking:consultant_dashboard")},
        invite_method="PUBLISH",
    )
    return sent


def mail_booking_place_changed(booking: Booking) -> int:
    """Company: one short mail saying where the session now happens, with the updated invite (same UID, the
    raised SEQUENCE). A request not confirmed yet had no invite, so the mail carries none either. The
    consultant made the change and is not mailed; their feed shows it."""
    return _send(
        booking=booking, kind=Kind.PLACE_CHANGED, audience=Audience.COMPANY, key=str(booking.invite_sequence),
        template="booking_place_changed", recipient=company_recipient(booking),
        invite_method="REQUEST" if booking.confirmed_at is not None else None,
    )
