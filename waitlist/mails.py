"""The waitlist offer e-mail (sent by a task after the offer committed, once: claimed with `send_once`)."""

from django.conf import settings
from django.urls import reverse

from accounts.mail import Recipient, email_build
from booking.mails import send_once
from waitlist.models import WaitlistOffer


def claim_url(token: str) -> str:
    return settings.SITE_URL + reverse("booking:waitlist_claim", args=[token])


def mail_waitlist_offer(*, offer_id: int, token: str) -> bool:
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
    with send_once(WaitlistOffer.objects.filter(pk=offer.pk), sent_field="mailed_at") as claimed:
        if not claimed:
            return False
        email_build(template="waitlist_offer", context=context, recipient=recipient).send()
    return True
