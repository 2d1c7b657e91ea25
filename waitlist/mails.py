"""The waitlist offer e-mail (sent by a task after the offer committed, once: claimed with `send_once`).

The task is enqueued after the offer commits, so a worker killed between the two loses it; the periodic
`mail_waitlist_offers_unsent` then mails every open offer still unmailed after a grace period. Only the hash of
the claim token is stored, so that sweep issues a new token with its claim (and puts the old hash back if the
send fails): whichever of the task and the sweep claims first sends, the other finds the mail sent.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.mail import Recipient, email_build
from booking.mails import send_once
from waitlist.models import WaitlistOffer


def claim_url(token: str) -> str:
    return settings.SITE_URL + reverse("booking:waitlist_claim", args=[token])


log = logging.getLogger(__name__)

# How long an offer may wait for its own task before the sweep mails it: far longer than a queued task takes.
UNSENT_GRACE = dt.timedelta(minutes=2)


def mail_waitlist_offer(*, offer_id: int, token: str, on_claim: dict | None = None,
                        on_release: dict | None = None) -> bool:
    offer = (
        WaitlistOffer.objects.select_related("entry__user", "entry__company", "slot__consultant")
        .filter(pk=offer_id, status=WaitlistOffer.Status.OPEN)
        .first()
    )
    if offer is None:
        return False
    recipient = Recipient.for_user(offer.entry.user)
    context = {
        "consultant": offer.slot.consultant,
        "company": offer.entry.company,
        "starts_at": offer.slot.starts_at,
        "ends_at": offer.slot.ends_at,
        "expires_at": offer.expires_at,
        "time_zone_name": recipient.time_zone,
        "claim_url": claim_url(token),
    }
    with send_once(WaitlistOffer.objects.filter(pk=offer.pk), sent_field="mailed_at", on_claim=on_claim,
                   on_release=on_release) as claimed:
        if not claimed:
            return False
        email_build(template="waitlist_offer", context=context, recipient=recipient).send()
    return True


def mail_waitlist_offers_unsent(*, now: dt.datetime | None = None) -> int:
    """Mail each open offer whose own task never ran (created over UNSENT_GRACE ago, unmailed, not being sent)."""
    now = now or timezone.now()
    due = (WaitlistOffer.objects.filter(status=WaitlistOffer.Status.OPEN, mailed_at__isnull=True,
                                        created_at__lt=now - UNSENT_GRACE, expires_at__gt=now)
           .filter(Q(sending_until__isnull=True) | Q(sending_until__lt=now))
           .values_list("pk", "token_hash"))
    sent = 0
    for offer_id, old_hash in due[:200]:
        token, token_hash = WaitlistOffer.new_token()
        try:
            sent += mail_waitlist_offer(offer_id=offer_id, token=token, on_claim={"token_hash": token_hash},
                                        on_release={"token_hash": old_hash})
        except Exception:  # one bad address must not stop the others; the next sweep tries again
            log.exception("waitlist offer %s: mail failed", offer_id)
    return sent
