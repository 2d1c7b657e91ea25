import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_time_zone


def photo_upload_to(instance, filename: str) -> str:
    # Never keep the uploaded name: it may be hostile or personal. The extension comes from the checked format.
    return f"consultants/{secrets.token_hex(16)}.jpg"


class Consultant(models.Model):
    """A consultant's public profile and their booking settings."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultant")
    display_name = models.CharField(_("display name"), max_length=150)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    headline = models.CharField(_("headline"), max_length=200, blank=True)
    bio = models.TextField(_("about"), blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Stockholm",
                                 validators=[validate_time_zone])
    photo = models.ImageField(_("photo"), upload_to=photo_upload_to, blank=True)
    is_public = models.BooleanField(_("show my profile in the directory"), default=True)
    hidden_by_staff = models.BooleanField(_("hidden by staff"), default=False)
    requires_approval = models.BooleanField(_("approve each free-session request myself"), default=False)
    # Value of pro-bono hours in reports: integer minor units + ISO currency.
    hourly_rate_minor = models.PositiveIntegerField(_("hourly rate (minor units)"), default=150000)
    currency = models.CharField(_("currency"), max_length=3, default="SEK",
                                choices=[("SEK", "SEK"), ("DKK", "DKK"), ("EUR", "EUR")])
    # Private calendar feed: only a SHA-256 of the token is stored.
    feed_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consultant")
        verbose_name_plural = _("consultants")
        ordering = ["display_name"]

    def __str__(self):
        return self.display_name


class Slot(models.Model):
    """One concrete free session, in UTC. Booking's services set BOOKED/PUBLISHED in the booking's transaction."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        BOOKED = "booked", _("Booked")
        BLOCKED = "blocked", _("Blocked")

    consultant = models.ForeignKey(Consultant, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Which rule made it (null for a slot the consultant added by hand). The rule model comes with slot generation.
    rule_id_source = models.BigIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["consultant", "starts_at"], name="slot_unique_start_per_consultant"),
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="slot_starts_before_it_ends"),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="slot_status_start_idx"),
            models.Index(fields=["consultant", "status", "starts_at"], name="slot_consultant_status_idx"),
        ]

    def __str__(self):
        return f"{self.consultant} {self.starts_at:%Y-%m-%d %H:%M} UTC ({self.status})"
