"""How the waitlist hears about booking: booking sends its signals (booking/signals.py), the waitlist receives them.
Connected in WaitlistConfig.ready()."""

from django.db import transaction
from django.dispatch import receiver
from django_q.tasks import async_task

from booking import signals
from waitlist import tasks
from waitlist.services import waitlist_booking_made


@receiver(signals.slot_taken, dispatch_uid="waitlist.slot_taken")
def settle_offers_on_slot_taken(sender, *, booking, **kwargs) -> None:
    """Inside the booking's transaction: may raise BookingError("slot_taken") to refuse the booking."""
    waitlist_booking_made(booking=booking)


@receiver(signals.slot_freed, dispatch_uid="waitlist.slot_freed")
def offer_freed_slot(sender, *, slot, **kwargs) -> None:
    """After commit, offer the freed slot to the first company in line."""
    slot_id = slot.pk
    transaction.on_commit(lambda: async_task(tasks.waitlist_offer_slot, slot_id,
                                             task_name="waitlist_offer_slot"))
