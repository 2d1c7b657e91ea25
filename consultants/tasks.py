"""django-q2 entry points; SCHEDULES (at the end) are installed by accounts/schedules.py."""

import logging

from django.db import transaction
from django.utils import timezone

from accounts.schedules import Periodic
from consultants import offer, services
from consultants.models import Consultant

log = logging.getLogger(__name__)


def slot_publish_due() -> dict:
    """Publish every consultant's next month when it is due (their `publish_ahead_days`) and mail a summary.

    Safe to run twice or on two workers at once: each consultant's month is claimed with a conditional update
    (see `slot_publish_due_for`). One consultant's failure is logged and retried next hour; the others go on.
    """
    now = timezone.now()
    done = {}
    candidates = (Consultant.objects.filter(user__is_active=True, rules__is_active=True).distinct()
                  .select_related("user").order_by("pk"))
    for consultant in candidates:
        try:
            published = services.slot_publish_due_for(consultant=consultant, now=now)
        except Exception:
            log.exception("Automatic publishing failed for consultant %s", consultant.pk)
            continue
        if published is not None:
            done[consultant.pk] = published
    slot_offer_refresh_all()
    return done


def slot_offer_refresh_all() -> int:
    """Recompute every active consultant's offer (run by the hourly publishing task).

    Every change of availability already refreshes at once; this catches what no service call announced —
    slots written in bulk (the migration that introduced holidays, imports), a new year's holidays — so a
    published slot is never offered for longer than an hour against the consultant's settings. Idempotent.
    """
    changed = 0
    for consultant in Consultant.objects.filter(user__is_active=True).order_by("pk"):
        try:
            with transaction.atomic():
                changed += offer.slot_offer_refresh(consultant=consultant)
        except Exception:
            log.exception("Refreshing the offer failed for consultant %s", consultant.pk)
    return changed


def slot_conflicts_notify(consultant_id: int) -> int:
    """E-mail a consultant the booked sessions that now conflict with their availability, each once.

    Enqueued after commit by consultants.offer.slot_offer_refresh; safe to run twice (the slots are claimed
    with a conditional update)."""
    consultant = Consultant.objects.select_related("user").filter(pk=consultant_id).first()
    if consultant is None:
        return 0
    return offer.slot_conflicts_notify(consultant=consultant)


SCHEDULES = [Periodic(slot_publish_due, hourly=True)]
