"""The e-mails about a booking: composed in each recipient's language and zone, sent once.

Every function here runs inside a django-q2 task (booking/tasks.py), never inside a transaction. Each
mail is claimed first (`notice_claim`): a task that runs twice finds the claim taken and sends nothing.
If sending fails the claim is released so the broker's retry can try again.
"""

import contextlib
import logging
import zoneinfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from accounts.mail import Attachment, Recipient, email_build
from booking.invites import booking_calendar
from booking.models import Booking
from booking.models_notifications import BookingNotice

log = logging.getLogger(__name__)
Kind = BookingNotice.Kind
Audience = BookingNotice.Audience


@contextlib.contextmanager
def notice_claim(*, booking: Booking, kind: str, audience: str, key: str = ""):
    """Yield True when this caller owns the mail (first to claim it), False when it went out already.

    The claim is a conditional UPDATE … WHERE sent_at IS NULL: of two concurrent runs exactly one sees
    a row count of 1.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            notice, _ = BookingNotice.objects.get_or_create(booking=booking, kind=kind, audience=audience, key=key)
    except IntegrityError:  # a concurrent run created it first
        notice = BookingNotice.objects.get(booking=booking, kind=kind, audience=audience, key=key)
    claimed = BookingNotice.objects.filter(pk=notice.pk, sent_at__isnull=True).update(sent_at=now) == 1
    try:
        yield claimed
    except Exception:
        if claimed:
            BookingNotice.objects.filter(pk=notice.pk, sent_at=now).update(sent_at=None)
        raise


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


def _invite(booking: Booking, *, method: str, recipient: Recipient, sequence: int | None) -> Attachment:
    # The summary is translated: build it in the recipient's language.
    with translation.override(recipient.language):
        ics = booking_calendar(booking, method=method, sequence=sequence)
    return Attachment(
        filename="invite.ics" if method != "CANCEL" else "cancel.ics",
        content=ics.decode(),
        mimetype=f"text/calendar; method={method}",
    )


def mail_context(booking: Booking, recipient: Recipient, **extra) -> dict:
    zone = zoneinfo.ZoneInfo(recipient.time_zone)
    return {
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
          context: dict | None = None, invite_method: str | None = None, sequence: int | None = None) -> bool:
    with notice_claim(booking=booking, kind=kind, audience=audience, key=key) as claimed:
        if not claimed:
            return False
        attachments = []
        if invite_method:
            attachments = [_invite(booking, method=invite_method, recipient=recipient, sequence=sequence)]
        email_build(
            template=template, context=mail_context(booking, recipient, **(context or {})),
            recipient=recipient, attachments=attachments,
        ).send()
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
        context={"manage_url": manage_url(manage_token)}, invite_method="REQUEST",
    )
    sent += _send(
        booking=booking, kind=Kind.CONFIRMED, audience=Audience.CONSULTANT, key=key,
        template="booking_new_consultant", recipient=consultant_recipient(booking),
        context={"answers": intake_answers(booking), "sessions_url": site_url("booking:consultant_dashboard")},
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
    )
    return sent


def mail_booking_declined(booking: Booking) -> int:
    """Company: the consultant declined the request, or it expired unanswered."""
    return _send(
        booking=booking, kind=Kind.DECLINED, audience=Audience.COMPANY, key="",
        template="booking_declined", recipient=company_recipient(booking),
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
        context={"consultant_url": site_url("consultants:profile", booking.consultant.slug),
                 "was_invited": was_invited},
        invite_method="CANCEL" if was_invited else None, sequence=sequence,
    )
    if booking.cancelled_by_id != booking.consultant.user_id:  # they cancelled it themselves: nothing to tell
        sent += _send(
            booking=booking, kind=Kind.CANCELLED, audience=Audience.CONSULTANT, key=key,
            template="booking_cancelled_consultant", recipient=consultant_recipient(booking),
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
        template="booking_rescheduled", recipient=company_recipient(booking), context=extra,
        invite_method="REQUEST" if was_invited else None,
    )
    sent += _send(
        booking=booking, kind=Kind.RESCHEDULED, audience=Audience.CONSULTANT, key=key,
        template="booking_rescheduled_consultant", recipient=consultant_recipient(booking),
        context={**extra, "sessions_url": site_url("booking:consultant_dashboard")},
    )
    return sent
