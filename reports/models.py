"""reports owns no product data: only the promoter wall's setting and the record of data-protection requests."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WallSettings(models.Model):
    """One row, edited by staff in the admin; `current()` creates it on first use."""

    is_public = models.BooleanField(
        _("anyone may open the promoter wall"), default=False,
        help_text=_("Off: only signed-in people see the wall. On: anyone with the address, e.g. an office screen."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("promoter wall settings")
        verbose_name_plural = _("promoter wall settings")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="wall_settings_single_row")]

    def __str__(self):
        return str(_("Promoter wall settings"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> "WallSettings":
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class DataRequestLog(models.Model):
    """A company's data export or account deletion, for staff. Holds ids and counts, never the deleted data."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Data export")
        DELETION = "deletion", _("Account deletion")

    kind = models.CharField(_("request"), max_length=10, choices=Kind.choices)
    # A plain id, not a foreign key: the log outlives the company's personal data.
    company_id_ref = models.PositiveBigIntegerField(_("company id"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("requested by"))
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=["export", "deletion"]),
                                              name="data_request_kind_valid")]

    def __str__(self):
        return f"{self.get_kind_display()} – company {self.company_id_ref}"


class WallScreen(models.Model):
    """A secret link that shows the promoter wall on an office screen without signing in.

    A consultant's screen shows only feedback about that consultant; a staff screen (no consultant) shows all.
    Only the SHA-256 of the token is stored (accounts/tokens.py); revoking sets `revoked_at`, and the screen then
    says so instead of showing anything.
    """

    name = models.CharField(_("screen name"), max_length=100)
    consultant = models.ForeignKey("consultants.Consultant", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="wall_screens", verbose_name=_("consultant"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("wall screen")
        verbose_name_plural = _("wall screens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class DailyFigures(models.Model):
    """The report's figures of one consultant for one day (in REPORT_ZONE) of sessions (issue 19).

    A roll-up of slots, bookings, engagements and feedback, so a report reads one row per consultant and day
    instead of scanning every booking. Rebuilt per (consultant, day) from the raw rows by reports/rollup.py:
    after each change (receivers, through a task) and by a periodic task; never edited by hand.
    Figures are attributed to the day of the *session*, as the report does (a payment months later counts on
    the day of the session it followed).
    """

    consultant = models.ForeignKey("consultants.Consultant", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    published = models.PositiveIntegerField(default=0)
    booked = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)
    pro_bono_minutes = models.PositiveIntegerField(default=0)
    proposals = models.PositiveIntegerField(default=0)
    won = models.PositiveIntegerField(default=0)
    revenue = models.JSONField(default=dict, blank=True)  # currency → minor units, excl. VAT, of won engagements
    promoters = models.PositiveIntegerField(default=0)
    passives = models.PositiveIntegerField(default=0)
    detractors = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily figures")
        verbose_name_plural = _("daily figures")
        constraints = [models.UniqueConstraint(fields=["consultant", "day"], name="daily_figures_one_per_day")]
        indexes = [models.Index(fields=["day", "consultant"], name="daily_figures_day")]

    def __str__(self):
        return f"{self.consultant_id} {self.day}"


class RollupState(models.Model):
    """One row once the daily figures were first built over the whole history; until then reports read raw rows."""

    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="rollup_state_single_row")]

    def __str__(self):
        return f"roll-up built {self.built_at}"
