"""The waitlist: companies waiting for a consultant who has no free time, and time-limited offers.

A freed slot (a cancellation, or a newly published month) is offered to the first waiting company. The
offer holds the slot for that company until it expires (FairUsePolicy.waitlist_claim_hours, 24 h by
default): the slot stays PUBLISHED, but `waitlist_slot_is_held` tells the booking flow to refuse it to
everybody else. Unclaimed offers expire in a periodic task, and the slot passes to the next in line.

A service here enqueues a task (by function reference) whose entry point calls a service here again (an offer is
mailed; an expired offer passes the slot on): waitlist.services ↔ waitlist.tasks is an import circle on purpose.
Each imports the other module as a whole and looks functions up when called, so the load order does not matter.
"""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from accounts.models import Company, Membership, User
from booking.errors import BookingError
from booking.fair_use import FairUseRefusal, fair_use_check
from booking.models import FairUsePolicy
from booking.services import booking_create
from consultants.models import Consultant, Slot
from consultants.public_cache import public_pages_changed
from waitlist import tasks
from waitlist.models import WaitlistEntry, WaitlistOffer
from waitlist.selectors import free_slots, waitlist_can_join

log = logging.getLogger(__name__)
DEFAULT_CLAIM_HOURS = 24


class WaitlistError(Exception):
    """A refused waitlist action; `code` says which rule."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code
        self.message = message or code


def claim_hours() -> int:
    return int(FairUsePolicy.current().waitlist_claim_hours or DEFAULT_CLAIM_HOURS)


def _slot_hold_sync(slot_id: int) -> None:
    """Copy the slot's hold onto `Slot.held_until` (the latest expiry of its open offers, or None), so the
    public lists in consultants/, which cannot see offers, leave a held time out. Offers stay the source of
    truth for refusing a booking; call this in the transaction of every change to an offer's status."""
    latest = (WaitlistOffer.objects.filter(slot_id=slot_id, status=WaitlistOffer.Status.OPEN)
              .order_by("-expires_at").values("expires_at")[:1])
    Slot.objects.filter(pk=slot_id).update(held_until=Subquery(latest))
    public_pages_changed()


def waitlist_booking_made(*, booking) -> None:
    """Settle waitlist offers on the slot a booking just took (called inside the booking's transaction).

    The offered company booking its slot (through the claim link or the normal flow) uses up its offer.
    Anyone else taking a slot that a live offer holds is refused with BookingError("slot_taken"), which
    rolls the booking back: this enforces the hold even where booking_create does not ask
    `waitlist_slot_is_held` first. An offer past its expiry that the task has not handled yet just expires.
    """
    if booking.slot.held_until is None:
        # No open offer: every change of an offer's status copies the hold onto the slot in its own transaction
        # (_slot_hold_sync), and the booking read the slot's row under its lock, so it sees the latest hold.
        return
    now = timezone.now()
    offers = WaitlistOffer.objects.select_for_update().select_related("entry").filter(
        slot_id=booking.slot_id, status=WaitlistOffer.Status.OPEN)
    settled = False
    for offer in offers:
        settled = True
        if offer.entry.company_id == booking.company_id:
            WaitlistOffer.objects.filter(pk=offer.pk).update(status=WaitlistOffer.Status.CLAIMED, booking=booking)
            WaitlistEntry.objects.filter(pk=offer.entry_id).update(status=WaitlistEntry.Status.CLAIMED,
                                                                   updated_at=now)
        elif offer.expires_at > now:
            raise BookingError("slot_taken", _("This time is held for a company from the waitlist. "
                                               "Please pick another time."))
        else:
            WaitlistOffer.objects.filter(pk=offer.pk).update(status=WaitlistOffer.Status.EXPIRED)
            WaitlistEntry.objects.filter(pk=offer.entry_id, status=WaitlistEntry.Status.OFFERED).update(
                status=WaitlistEntry.Status.EXPIRED, updated_at=now)
    if settled:  # most bookings meet no offer: no write for them
        _slot_hold_sync(booking.slot_id)


def waitlist_join(*, consultant: Consultant, company: Company, user: User) -> WaitlistEntry:
    """Put `company` in line for `consultant`.

    Raises WaitlistError("has_free_slot") while the consultant has a free published time (book it
    instead) and WaitlistError("already_waiting") when the company is already in line.
    """
    with transaction.atomic():
        if not waitlist_can_join(consultant=consultant):
            raise WaitlistError("has_free_slot")
        try:
            with transaction.atomic():
                return WaitlistEntry.objects.create(consultant=consultant, company=company, user=user)
        except IntegrityError:
            raise WaitlistError("already_waiting") from None


def waitlist_leave(*, entry: WaitlistEntry) -> WaitlistEntry:
    """Take the company out of line; an open offer is withdrawn and passed on."""
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status not in WaitlistEntry.ACTIVE:
            return entry
        entry.status = WaitlistEntry.Status.LEFT
        entry.save(update_fields=["status", "updated_at"])
        for offer in entry.offers.filter(status=WaitlistOffer.Status.OPEN):
            offer.status = WaitlistOffer.Status.WITHDRAWN
            offer.save(update_fields=["status"])
            _slot_hold_sync(offer.slot_id)
            _offer_again_on_commit(offer.slot_id)
    return entry


def _offer_again_on_commit(slot_id: int) -> None:
    transaction.on_commit(lambda: async_task(tasks.waitlist_offer_slot, slot_id,
                                             task_name="waitlist_offer_slot"))


def waitlist_offer_slot(*, slot: Slot, now: datetime | None = None) -> WaitlistOffer | None:
    """Offer `slot` to the first waiting company of its consultant; None when it is not free or nobody waits.

    The claim link is mailed after commit; the plain token goes only into that task's arguments.
    """
    now = now or timezone.now()
    with transaction.atomic():
        if not free_slots(consultant=slot.consultant, now=now).filter(pk=slot.pk).exists():
            return None
        entry = _first_eligible(slot, now)
        if entry is None:
            return None
        token, token_hash = WaitlistOffer.new_token()
        try:
            with transaction.atomic():
                offer = WaitlistOffer.objects.create(
                    entry=entry, slot=slot, token_hash=token_hash, created_at=now,
                    # Never held past the session itself.
                    expires_at=min(now + timedelta(hours=claim_hours()), slot.starts_at),
                )
        except IntegrityError:  # a concurrent run offered this slot (or this entry) first
            return None
        if WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistEntry.Status.WAITING).update(
            status=WaitlistEntry.Status.OFFERED
        ) != 1:
            raise IntegrityError("waitlist entry changed while offering")  # rolls the offer back
        _slot_hold_sync(slot.pk)
        offer_id = offer.pk
        transaction.on_commit(lambda: async_task(tasks.waitlist_send_offer, offer_id, token,
                                                 task_name="waitlist_send_offer", save=False))
    return offer


def _first_eligible(slot: Slot, now: datetime) -> WaitlistEntry | None:
    """The first company in line that fair use allows to book `slot`; the others keep their place."""
    policy = FairUsePolicy.current()
    line = (WaitlistEntry.objects.select_related("company")
            .filter(consultant_id=slot.consultant_id, status=WaitlistEntry.Status.WAITING).order_by("created_at", "pk"))
    for entry in line[:50]:
        try:
            fair_use_check(company=entry.company, slot=slot, now=now, policy=policy)
        except FairUseRefusal:
            continue  # e.g. they already hold an upcoming session: offering it would only waste the hold
        return entry
    return None


def waitlist_offer_free_slots(*, now: datetime | None = None) -> int:
    """Offer every free slot of consultants with companies waiting; returns how many offers were made."""
    now = now or timezone.now()
    waiting = WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING)
    consultant_ids = list(waiting.values_list("consultant_id", flat=True).distinct())
    made = 0
    for slot in free_slots(now=now).filter(consultant_id__in=consultant_ids).select_related("consultant"):
        try:
            if waitlist_offer_slot(slot=slot, now=now):
                made += 1
        except IntegrityError:
            log.info("waitlist offer for slot %s raced; the next run retries", slot.pk)
    return made


def waitlist_expire_offers(*, now: datetime | None = None) -> int:
    """Expire unclaimed offers and pass each slot to the next in line. Safe to run twice."""
    now = now or timezone.now()
    expired = 0
    due = WaitlistOffer.objects.filter(status=WaitlistOffer.Status.OPEN, expires_at__lte=now)
    for offer in due.select_related("slot__consultant"):
        with transaction.atomic():
            # The claim: only the run that flips OPEN → EXPIRED goes on.
            if WaitlistOffer.objects.filter(pk=offer.pk, status=WaitlistOffer.Status.OPEN).update(
                status=WaitlistOffer.Status.EXPIRED
            ) != 1:
                continue
            WaitlistEntry.objects.filter(pk=offer.entry_id, status=WaitlistEntry.Status.OFFERED).update(
                status=WaitlistEntry.Status.EXPIRED, updated_at=now
            )
            _slot_hold_sync(offer.slot_id)
            expired += 1
        waitlist_offer_slot(slot=offer.slot, now=now)
    return expired


def waitlist_claim(*, offer: WaitlistOffer, user: User, answers: dict, questionnaire=None):
    """Book the offered slot for the offer's company through booking_create; returns the Booking.

    Raises WaitlistError("not_open") for a used, withdrawn or expired offer and ("not_member") when `user`
    does not belong to the offered company. The booking service's refusals (BookingError) pass through;
    when the slot itself is gone the offer is withdrawn and the company goes back in line at its old place.
    """
    now = timezone.now()
    if offer.status != WaitlistOffer.Status.OPEN or offer.expires_at <= now:
        raise WaitlistError("not_open")
    company = offer.entry.company
    if not Membership.objects.filter(user=user, company=company).exists():
        raise WaitlistError("not_member")
    try:
        with transaction.atomic():
            # Claimed first, so the offer no longer holds the slot against its own company.
            if WaitlistOffer.objects.filter(pk=offer.pk, status=WaitlistOffer.Status.OPEN,
                                            expires_at__gt=now).update(status=WaitlistOffer.Status.CLAIMED) != 1:
                raise WaitlistError("not_open")
            booking = booking_create(slot=offer.slot, company=company, user=user, answers=answers,
                                     questionnaire=questionnaire, now=now)
            WaitlistOffer.objects.filter(pk=offer.pk).update(booking=booking)
            _slot_hold_sync(offer.slot_id)
            WaitlistEntry.objects.filter(pk=offer.entry_id).update(status=WaitlistEntry.Status.CLAIMED,
                                                                   updated_at=now)
    except BookingError as e:
        if e.code in SLOT_GONE:
            _offer_withdraw(offer, back_in_line=True)
        raise
    offer.status, offer.booking = WaitlistOffer.Status.CLAIMED, booking
    return booking


SLOT_GONE = ("slot_taken", "slot_past", "slot_unavailable")


def _offer_withdraw(offer: WaitlistOffer, *, back_in_line: bool) -> None:
    with transaction.atomic():
        if WaitlistOffer.objects.filter(pk=offer.pk, status=WaitlistOffer.Status.OPEN).update(
            status=WaitlistOffer.Status.WITHDRAWN
        ) == 1 and back_in_line:
            WaitlistEntry.objects.filter(pk=offer.entry_id, status=WaitlistEntry.Status.OFFERED).update(
                status=WaitlistEntry.Status.WAITING
            )
        _slot_hold_sync(offer.slot_id)
