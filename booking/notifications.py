"""Hooks the booking services call at every state change, inside their transaction.

The notifications helper fills these in: each one defers its work (mail, .ics invites, waitlist offers)
with `transaction.on_commit`, so a rolled-back booking never mails anyone. The bodies here are no-ops until
then; the names and signatures are the contract with booking/services.py.
"""


def on_booking_confirmed(booking) -> None:
    """A booking became confirmed (directly or by approval). `booking.manage_token` may hold the plain token."""


def on_booking_requested(booking) -> None:
    """A request awaits the consultant's approval."""


def on_booking_declined(booking) -> None:
    """The consultant declined a request, or it expired (booking.status tells which)."""


def on_booking_cancelled(booking) -> None:
    """A confirmed booking (or a request) was cancelled; booking.cancelled_by and cancel_reason say by whom/why."""


def on_booking_rescheduled(booking, old_slot) -> None:
    """The booking moved from old_slot to booking.slot (same invite_uid, invite_sequence already raised)."""


def on_slot_freed(slot) -> None:
    """A slot became published and free again (cancellation, decline, expiry, reschedule): offer it to the waitlist."""
