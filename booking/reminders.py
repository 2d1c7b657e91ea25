"""Reminders 24 hours and 2 hours before a session, to the company and the consultant.

Nothing is scheduled per booking: the periodic task looks at confirmed bookings starting within 24 hours
and works out which reminder is due now. Each reminder is a BookingNotice keyed by the session's start,
claimed with a conditional UPDATE before sending (`notice_claim`, a lease that lapses if the worker dies), so
- running the task twice (or on two workers) sends each reminder once,
- a cancelled booking is never picked up (only confirmed ones are),
- a moved booking has a new start, hence new keys: it gets reminders for its new time, and the old ones
  can never go out.
"""

import logging
from datetime import datetime, timedelta

from django.db.models import Max, Q
from django.utils import timezone

from accounts.mail import email_build
from booking.mails import (
    Audience,
    Kind,
    company_recipient,
    consultant_recipient,
    intake_answers,
    mail_context,
    notice_claim,
    notice_message_id,
    site_url,
)
from booking.models import Booking, BookingNotice, PipelineEvent

log = logging.getLogger(__name__)

# Most specific first: a session 90 minutes away gets the 2-hour reminder only.
REMINDERS = ((Kind.REMINDER_2H, timedelta(hours=2)), (Kind.REMINDER_24H, timedelta(hours=24)))
HORIZON = timedelta(hours=24)


def _due_reminder(starts_at: datetime, now: datetime):
    for kind, before in REMINDERS:
        if starts_at - before <= now:
            return kind, before
    return None, None


def reminders_due(*, now: datetime):
    """(booking, kind, hours) for every reminder due at `now`; one query."""
    told_kinds = [Kind.CONFIRMED, Kind.RESCHEDULED]
    bookings = (
        Booking.objects.filter(
            status=Booking.Status.CONFIRMED, slot__starts_at__gt=now, slot__starts_at__lte=now + HORIZON
        )
        .select_related("slot", "consultant__user", "company", "booked_by")
        .annotate(last_told=Max("notices__sent_at", filter=Q(notices__kind__in=told_kinds,
                                                             notices__audience=Audience.COMPANY)))
        .order_by("slot__starts_at", "pk")
    )
    for booking in bookings:
        kind, before = _due_reminder(booking.slot.starts_at, now)
        due_at = booking.slot.starts_at - before
        # Booked or moved after the reminder fell due: the confirmation just told them everything.
        if booking.created_at > due_at or (booking.last_told and booking.last_told > due_at):
            continue
        yield booking, kind, int(before.total_seconds() // 3600)


def _still_due(booking: Booking) -> bool:
    # Re-read before claiming: a cancellation or a move may have committed since the list was read. (Checked
    # before the claim, not inside it: a claim ends by marking the reminder sent, and this one was not.)
    return Booking.objects.filter(
        pk=booking.pk, status=Booking.Status.CONFIRMED, slot_id=booking.slot_id,
        slot__starts_at=booking.slot.starts_at,
    ).exists()


def reminder_send(*, booking: Booking, kind: str, hours: int) -> int:
    """Send the reminder `kind` to both audiences unless it went out already; returns how many were sent."""
    if not _still_due(booking):
        return 0
    key = booking.slot.starts_at.isoformat()
    sent = 0
    audiences = ((Audience.COMPANY, company_recipient(booking)), (Audience.CONSULTANT, consultant_recipient(booking)))
    for audience, recipient in audiences:
        with notice_claim(booking=booking, kind=kind, audience=audience, key=key) as claimed:
            if not claimed:
                continue
            BookingNotice.objects.filter(booking=booking, kind=kind, audience=audience, key=key).update(
                due_at=booking.slot.starts_at - timedelta(hours=hours)
            )
            context = mail_context(
                booking, recipient, audience=audience, hours_before=hours,
                answers=intake_answers(booking) if audience == Audience.CONSULTANT else [],
                sessions_url=site_url("booking:consultant_dashboard"),
            )
            message = email_build(template="booking_reminder", context=context, recipient=recipient)
            message.extra_headers["Message-ID"] = notice_message_id(booking=booking, kind=kind, audience=audience,
                                                                    key=key)
            message.send()
            sent += 1
            if audience == Audience.COMPANY:
                _pipeline_reminder_sent(booking, hours)
    return sent


def _pipeline_reminder_sent(booking: Booking, hours: int) -> None:
    PipelineEvent.objects.create(booking=booking, kind=PipelineEvent.Kind.REMINDER_SENT, actor=None,
                                 actor_name="Probono", data={"hours_before": hours})


def reminders_send_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    sent = 0
    for booking, kind, hours in list(reminders_due(now=now)):
        try:
            sent += reminder_send(booking=booking, kind=kind, hours=hours)
        except Exception:  # one bad address must not stop the other reminders; the claim was released
            log.exception("reminder %s for booking %s failed", kind, booking.pk)
    return sent
