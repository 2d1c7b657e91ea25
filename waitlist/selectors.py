"""Reads for the waitlist: free slots, holds, a company's place in line, an offer by its claim token."""

from datetime import datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Company
from booking.models import Booking
from consultants.models import Consultant, Slot
from consultants.selectors import slot_list_bookable
from waitlist.models import WaitlistEntry, WaitlistOffer


def _open_offers(now: datetime):
    return WaitlistOffer.objects.filter(status=WaitlistOffer.Status.OPEN, expires_at__gt=now)


def free_slots(*, consultant: Consultant | None = None, now: datetime | None = None):
    """Bookable slots (consultants.selectors.slot_list_bookable) with no active booking and no open offer."""
    now = now or timezone.now()
    qs = slot_list_bookable(consultant=consultant, now=now)  # consultants' one rule, then the offers themselves
    busy = Booking.objects.filter(slot=OuterRef("pk"), status__in=Booking.ACTIVE)
    held = _open_offers(now).filter(slot=OuterRef("pk"))
    return qs.exclude(Exists(busy)).exclude(Exists(held)).order_by("starts_at", "pk")


def waitlist_slot_is_held(slot: Slot, company: Company | None) -> bool:
    """True when `slot` is held by a live waitlist offer to a company other than `company`.

    booking_create must refuse such a slot (as if it were taken); the offered company may book it.
    """
    offers = _open_offers(timezone.now()).filter(slot=slot)
    if company is not None:
        offers = offers.exclude(entry__company=company)
    return offers.exists()


def waitlist_entry_for(*, consultant: Consultant, company: Company | None) -> WaitlistEntry | None:
    if company is None:
        return None
    return WaitlistEntry.objects.filter(consultant=consultant, company=company,
                                        status__in=WaitlistEntry.ACTIVE).first()


def waitlist_can_join(*, consultant: Consultant) -> bool:
    return not free_slots(consultant=consultant).exists()


def waitlist_offer_get_by_token(token: str) -> WaitlistOffer | None:
    if not token or len(token) > 200:
        return None
    return (
        WaitlistOffer.objects.select_related("entry__company", "entry__user", "slot__consultant__user")
        .filter(token_hash=WaitlistOffer.hash_token(token))
        .first()
    )
