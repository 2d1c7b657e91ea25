"""Hooks the booking services call at every state change, inside their transaction.

Each hook schedules work: after the transaction commits, a django-q2 task (enqueued by function reference,
given ids and plain values) sends the mail. A rolled-back booking therefore never mails anyone, and no
network call ever runs inside a transaction. Tasks claim each mail before sending (booking/mails.py), so
a task delivered twice sends once.

Plain tokens (the manage link) travel only in the task's arguments, never in our tables; such tasks are
enqueued with save=False so django-q2 does not keep their arguments in its result table either.
The names and signatures are the contract with booking/services.py.

One duty runs at once: a booking that takes a slot sends booking.signals.slot_taken, and the waitlist settles any
offer that holds the slot (its own company uses it up; another company is refused with BookingError("slot_taken"),
rolling the booking back). A freed slot sends booking.signals.slot_freed, and the waitlist offers it after commit.
Booking never imports the waitlist: the apps above it listen.
"""

from collections.abc import Callable

from django.db import transaction
from django_q.tasks import async_task

from booking import signals, tasks
from booking.invites import invite_sequence


def _enqueue(func: Callable, *args, secret: bool = False) -> None:
    options = {"task_name": func.__name__}
    if secret:
        options["save"] = False
    transaction.on_commit(lambda: async_task(func, *args, **options))


def _manage_token(booking) -> str:
    # booking_create puts the plain token on the instance once; only its hash is stored.
    return getattr(booking, "manage_token", "") or ""


def cancel_sequence(booking) -> int:
    """The SEQUENCE of the CANCEL invite: one more than the last invite (booking_cancel does not raise it)."""
    return invite_sequence(booking, cancelled=True)


def _waitlist_settle(booking) -> None:
    # The one hook duty that is not deferred: a slot held for the waitlist must not go to another company,
    # so a receiver may raise BookingError("slot_taken") and roll the booking back (waitlist_booking_made).
    signals.slot_taken.send(sender=booking.__class__, booking=booking)


def on_booking_confirmed(booking) -> None:
    """A booking became confirmed (directly or by approval): invite to the company, notice to the consultant.

    Raises BookingError("slot_taken") when the slot is held by a waitlist offer to another company.
    """
    _waitlist_settle(booking)
    _enqueue(tasks.booking_send_confirmation, booking.pk, _manage_token(booking), secret=True)


def on_booking_requested(booking) -> None:
    """A request awaits the consultant's approval: tell both sides. Raises like on_booking_confirmed."""
    _waitlist_settle(booking)
    _enqueue(tasks.booking_send_request, booking.pk, _manage_token(booking), secret=True)


def on_booking_declined(booking) -> None:
    """The consultant declined a request, or it expired (booking.status tells which): tell the company."""
    _enqueue(tasks.booking_send_declined, booking.pk)


def on_booking_cancelled(booking) -> None:
    """A booking or a request was cancelled: CANCEL invite to the company, notice to the consultant."""
    _enqueue(tasks.booking_send_cancellation, booking.pk, cancel_sequence(booking))


def on_booking_rescheduled(booking, old_slot) -> None:
    """The booking moved from `old_slot` to booking.slot (same invite_uid, invite_sequence already raised).

    Raises BookingError("slot_taken") when the new slot is held by a waitlist offer to another company.
    """
    _waitlist_settle(booking)
    _enqueue(tasks.booking_send_reschedule, booking.pk, old_slot.pk, int(booking.invite_sequence or 0))


def on_booking_place_changed(booking) -> None:
    """The consultant changed where this session happens (invite_sequence already raised): tell the company."""
    _enqueue(tasks.booking_send_place_changed, booking.pk, int(booking.invite_sequence or 0))


def on_slot_freed(slot) -> None:
    """A slot became published and free again (cancellation, decline, expiry, move): the waitlist offers it."""
    signals.slot_freed.send(sender=slot.__class__, slot=slot)
