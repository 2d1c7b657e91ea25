"""Waitlist data: companies waiting for a consultant's free time, and the time-limited offer of a freed slot to the
first of them (only a SHA-256 of the claim token is stored).

The tables keep the names they had when these models lived in booking/ (`booking_waitlistentry`,
`booking_waitlistoffer`): the move changed no database (waitlist/migrations/0001_initial.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import tokens


class WaitlistEntry(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered a time")
        CLAIMED = "claimed", _("Booked")
        EXPIRED = "expired", _("Offer expired")
        LEFT = "left", _("Left the waitlist")

    ACTIVE = (Status.WAITING, Status.OFFERED)

    consultant = models.ForeignKey("consultants.Consultant", on_delete=models.CASCADE,
                                   related_name="waitlist_entries")
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="waitlist_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waitlist_entries")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    # The place in line: first come, first offered.
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "booking_waitlistentry"
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultant", "company"], condition=Q(status__in=["waiting", "offered"]),
                name="waitlist_one_active_entry_per_company",
            ),
        ]
        indexes = [models.Index(fields=["consultant", "status", "created_at"], name="waitlist_line_idx")]

    def __str__(self):
        return f"{self.company} waiting for {self.consultant} ({self.status})"


class WaitlistOffer(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLAIMED = "claimed", _("Claimed")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    slot = models.ForeignKey("consultants.Slot", on_delete=models.CASCADE, related_name="waitlist_offers")
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    expires_at = models.DateTimeField(_("expires at"))
    # Claimed by the mail task before sending (booking/mails.py `send_once`), so the offer is mailed once.
    mailed_at = models.DateTimeField(null=True, blank=True)
    sending_until = models.DateTimeField(null=True, blank=True, editable=False)
    booking = models.ForeignKey("booking.Booking", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "booking_waitlistoffer"
        verbose_name = _("waitlist offer")
        verbose_name_plural = _("waitlist offers")
        constraints = [
            # A freed slot is offered to one company at a time, and a company holds one offer at a time.
            models.UniqueConstraint(fields=["slot"], condition=Q(status="open"),
                                    name="waitlist_one_open_offer_per_slot"),
            models.UniqueConstraint(fields=["entry"], condition=Q(status="open"),
                                    name="waitlist_one_open_offer_per_entry"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="waitlist_offer_expiry_idx")]

    def __str__(self):
        return f"offer of slot {self.slot_id} to {self.entry_id} ({self.status})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    new_token = staticmethod(tokens.token_new)
    hash_token = staticmethod(tokens.token_hash)
