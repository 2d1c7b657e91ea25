"""django-q2 entry points for booking: they take ids, re-read the database and call a service.

All are idempotent: mails are claimed before they are sent (booking/mails.py), periodic jobs claim rows
with conditional updates. SCHEDULES (at the end) are installed by accounts/schedules.py.

booking/notifications.py enqueues the mail tasks by function reference, and booking_expire_requests calls the
service that calls those hooks: booking.services → booking.notifications → booking.tasks → booking.services is
the one import circle left in booking. Each side imports the other module as a whole and looks the function up
when it is called, so the load order does not matter (the alternative, dotted strings, is what we removed).
"""

from django.utils import timezone

from accounts.schedules import Periodic
from booking import mails, reminders, services
from booking.models import Booking
from consultants.models import Slot


def _booking(booking_id: int) -> Booking | None:
    return (
        Booking.objects.select_related("slot", "consultant__user", "company", "booked_by")
        .filter(pk=booking_id)
        .first()
    )


def booking_send_confirmation(booking_id: int, manage_token: str = "") -> int:
    booking = _booking(booking_id)
    if booking is None or booking.status != Booking.Status.CONFIRMED:
        return 0  # cancelled before the mail went out: the cancellation tells them
    return mails.mail_booking_confirmed(booking, manage_token=manage_token)


def booking_send_request(booking_id: int, manage_token: str = "") -> int:
    booking = _booking(booking_id)
    if booking is None or booking.status != Booking.Status.REQUESTED:
        return 0
    return mails.mail_booking_requested(booking, manage_token=manage_token)


def booking_send_declined(booking_id: int) -> int:
    booking = _booking(booking_id)
    if booking is None or booking.status not in (Booking.Status.DECLINED, Booking.Status.EXPIRED):
        return 0
    return mails.mail_booking_declined(booking)


def booking_send_cancellation(booking_id: int, sequence: int) -> int:
    booking = _booking(booking_id)
    if booking is None or booking.status != Booking.Status.CANCELLED:
        return 0
    return mails.mail_booking_cancelled(booking, sequence=sequence)


def booking_send_reschedule(booking_id: int, old_slot_id: int, sequence: int) -> int:
    booking = _booking(booking_id)
    if booking is None or booking.status not in Booking.ACTIVE or booking.invite_sequence != sequence:
        return 0  # cancelled, or moved again since: a later task sends the newer invite
    old = Slot.objects.filter(pk=old_slot_id).first()
    return mails.mail_booking_rescheduled(
        booking, old_starts_at=old.starts_at if old else None, old_ends_at=old.ends_at if old else None
    )


def booking_send_place_changed(booking_id: int, sequence: int) -> int:
    booking = _booking(booking_id)
    if booking is None or booking.status not in Booking.ACTIVE or booking.invite_sequence != sequence:
        return 0  # cancelled, or changed again since: a later task sends the newer invite
    return mails.mail_booking_place_changed(booking)


def reminders_send_due() -> int:
    return reminders.reminders_send_due(now=timezone.now())


def booking_expire_requests() -> int:
    """Approval requests unanswered for `approval_expiry_hours` expire and free their slots."""
    return services.booking_expire_requests()


SCHEDULES = [
    Periodic(reminders_send_due, minutes=5),
    Periodic(booking_expire_requests, minutes=15),
]
