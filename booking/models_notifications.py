"""Notification and waitlist data for bookings (imported at the end of booking/models.py).

BookingNotice: one e-mail about one booking to one audience, claimed before sending so it goes out once however
often a task runs (`sent_at` once it went out; `sending_until` while a sender holds the claim, which lapses if
that sender's worker dies, see booking/mails.py `send_once`). Reminders are notices keyed by the session's start
time, so a moved booking gets fresh reminders for its new time and the old ones can never be sent.

WaitlistEntry / WaitlistOffer: companies waiting for a consultant's free time, and the time-limited offer of a
freed slot to the first of them (only a SHA-256 of the claim token is stored).
"""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import tokens

__all__ = ["BookingNotice", "WaitlistEntry", "WaitlistOffer"]


class BookingNotice(models.Model):
    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmation")
        REQUESTED = "requested", _("Request received")
        DECLINED = "declined", _("Request declined")
        CANCELLED = "cancelled", _("Cancellation")
        RESCHEDULED = "rescheduled", _("New time")
        REMINDER_24H = "reminder_24h", _("Reminder 24 hours before")
        REMINDER_2H = "reminder_2h", _("Reminder 2 hours before")

    class Audience(models.TextChoices):
        COMPANY = "company", _("Company")
        CONSULTANT = "consultant", _("Consultant")

    booking = models.ForeignKey("booking.Booking", on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    audience = models.CharField(max_length=12, choices=Audience.choices)
    # What makes the mail unique besides its kind: the invite SEQUENCE, or the session start for reminders.
    key = models.CharField(max_length=40, blank=True, default="")
    due_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A sender's claim (booking/mails.py `send_once`): while it lasts nobody else sends; then it lapses.
    sending_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("booking e-mail")
        verbose_name_plural = _("booking e-mails")
        constraints = [
            models.UniqueConstraint(fields=["booking", "kind", "audience", "key"], name="booking_notice_once"),
        ]

    def __str__(self):
        return f"{self.kind} to {self.audience} for booking {self.booking_id} ({self.key})"


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
