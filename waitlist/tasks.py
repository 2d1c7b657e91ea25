"""django-q2 entry points for the waitlist: they take ids, re-read the database and call a service.

All are idempotent: offers are claimed with conditional updates, the offer mail is claimed before it is sent
(booking/mails.py `send_once`).
"""

from accounts.schedules import Periodic
from consultants.models import Slot
from waitlist import services
from waitlist.mails import mail_waitlist_offer, mail_waitlist_offers_unsent


def waitlist_offer_slot(slot_id: int) -> bool:
    slot = Slot.objects.select_related("consultant").filter(pk=slot_id).first()
    return bool(slot and services.waitlist_offer_slot(slot=slot))


def waitlist_send_offer(offer_id: int, token: str) -> bool:
    return mail_waitlist_offer(offer_id=offer_id, token=token)


def waitlist_mail_unsent_offers() -> int:
    return mail_waitlist_offers_unsent()


def waitlist_offer_free_slots() -> int:
    return services.waitlist_offer_free_slots()


def waitlist_expire_offers() -> int:
    return services.waitlist_expire_offers()


SCHEDULES = [
    Periodic(waitlist_offer_free_slots, minutes=5),
    Periodic(waitlist_expire_offers, minutes=5),
    Periodic(waitlist_mail_unsent_offers, minutes=5),
]
