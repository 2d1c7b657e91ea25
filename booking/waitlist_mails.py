"""The waitlist offer e-mail (sent by a task after the offer committed, once)."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.mail import Recipient, email_build
from booking.models_notifications import WaitlistOffer


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
    now = timezone.now()
    if WaitlistOffer.objects.filter(pk=offer.pk, mailed_at__isnull=True).update(mailed_at=now) != 1:
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
    try:
        email_build(template="booking_waitlist_offer", context=context, recipient=recipient).send()
    except Exception:
        WaitlistOffer.objects.filter(pk=offer.pk, mailed_at=now).update(mailed_at=None)
        raise
    return True
