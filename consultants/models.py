import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_time_zone
from consultants.meeting import MeetingPlace


def photo_upload_to(instance, filename: str) -> str:
    # Never keep the uploaded name: it may be hostile or personal. Photos are re-encoded to JPEG on upload.
    return f"consultants/{secrets.token_hex(16)}.jpg"


class Expertise(models.TextChoices):
    SATISFACTION = "satisfaction", _("Customer satisfaction measurement")
    NPS = "nps", _("Net Promoter Score (NPS)")
    SERVICE_DESIGN = "service_design", _("Service design")
    COMPLAINTS = "complaints", _("Complaint handling")
    EMPLOYEE = "employee", _("Employee engagement")
    JOURNEY = "journey", _("Customer journey mapping")
    LEADERSHIP = "leadership", _("Customer-focused leadership")


class Language(models.TextChoices):
    SV = "sv", _("Swedish")
    DA = "da", _("Danish")
    EN = "en", _("English")
    NO = "no", _("Norwegian")
    FI = "fi", _("Finnish")
    DE = "de", _("German")


class HolidayCountry(models.TextChoices):
    AUTO = "", _("The country of my time zone")
    SE = "SE", _("Sweden")
    DK = "DK", _("Denmark")
    NONE = "none", _("None")


class Consultant(MeetingPlace):
    """A consultant's public profile and their booking settings, with their default meeting place."""

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
    publish_ahead_days = models.PositiveSmallIntegerField(
        _("publish next month this many days ahead"), default=14,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Your free sessions for next month are published automatically this many days before it starts."),
    )
    # Booking limits (consultants/offer.py applies them to every published slot; see README "Caps and limits").
    min_notice = models.DurationField(
        _("minimum notice"), default=timedelta(hours=24),
        help_text=_("No session is offered that starts sooner than this."))
    booking_window = models.DurationField(
        _("booking window"), null=True, blank=True,
        help_text=_("No session is offered further ahead than this. Empty: the whole published offer."))
    monthly_cap = models.PositiveSmallIntegerField(
        _("at most this many booked free sessions a month"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(200)])
    weekly_cap = models.PositiveSmallIntegerField(
        _("at most this many booked free sessions a week"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)])
    daily_cap = models.PositiveSmallIntegerField(
        _("at most this many booked free sessions a day"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)])
    holiday_country = models.CharField(
        _("public holidays of"), max_length=4, blank=True, default="", choices=HolidayCountry.choices,
        help_text=_("Empty: the country of your time zone."))
    skip_holidays = models.BooleanField(_("no sessions on public holidays"), default=True)
    # First day of the last month the automatic publisher claimed; the conditional update on it makes the
    # task safe to run twice.
    last_published_month = models.DateField(null=True, blank=True, editable=False)
    # The NPS companies gave after their sessions, kept up to date by the feedback app (consultant_set_nps), and
    # shown to visitors only with the consultant's consent and once enough companies have answered.
    show_nps = models.BooleanField(_("show my NPS on my profile"), default=False)
    nps_score = models.SmallIntegerField(_("NPS"), null=True, blank=True, editable=False)
    nps_answers = models.PositiveIntegerField(_("NPS answers"), default=0, editable=False)
    # The websites that may show the booking widget (consultants/origins.py checks each; integrations/widget.py
    # puts them in the widget's CSP frame-ancestors and posts the booking's outcome only to them).
    widget_origins = models.JSONField(_("websites that may show my booking widget"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    NPS_MIN_ANSWERS = 5

    class Meta:
        verbose_name = _("consultant")
        verbose_name_plural = _("consultants")
        ordering = ["display_name"]
        constraints = [
            models.CheckConstraint(condition=Q(publish_ahead_days__gte=1, publish_ahead_days__lte=60),
                                   name="consultant_publish_ahead_1_to_60"),
        ]

    def __str__(self):
        return self.display_name

    def widget_origin_allowed(self, origin: str | None) -> bool:
        """Whether `origin` (untrusted: a query parameter, a Referer) is one of this consultant's widget websites."""
        return bool(origin) and origin in (self.widget_origins or [])

    @property
    def is_listed(self) -> bool:
        return self.is_public and not self.hidden_by_staff

    @property
    def public_nps(self) -> int | None:
        """The NPS visitors may see: with consent and at least NPS_MIN_ANSWERS answers, else None."""
        if self.show_nps and self.nps_answers >= self.NPS_MIN_ANSWERS:
            return self.nps_score
        return None

    @property
    def initials(self) -> str:
        """'Anna Lindqvist' → 'AL': the generated avatar of a consultant without a photo."""
        parts = [p for p in self.display_name.split() if p[:1].isalpha()]
        return "".join(p[0] for p in (parts[:1] + parts[1:][-1:])).upper() or "?"

    @property
    def avatar_tone(self) -> int:
        """One of six background colours, the same for a name on every page (CSS classes avatar-0 … avatar-5)."""
        return sum(map(ord, self.display_name)) % 6


class ConsultantExpertise(models.Model):
    consultant = models.ForeignKey(Consultant, on_delete=models.CASCADE, related_name="expertise")
    area = models.CharField(_("area"), max_length=32, choices=Expertise.choices)

    class Meta:
        ordering = ["area"]
        constraints = [models.UniqueConstraint(fields=["consultant", "area"], name="consultant_expertise_unique")]

    def __str__(self):
        return self.get_area_display()


class ConsultantLanguage(models.Model):
    consultant = models.ForeignKey(Consultant, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)

    class Meta:
        ordering = ["language"]
        constraints = [models.UniqueConstraint(fields=["consultant", "language"], name="consultant_language_unique")]

    def __str__(self):
        return self.get_language_display()


class AvailabilityRule(models.Model):
    """When a consultant gives free sessions, in wall-clock time of the consultant's zone.

    See consultants/availability.py for how a rule becomes concrete times (and what happens at DST changes).
    """

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Monthly (e.g. the first Monday)")
        WEEKLY = "weekly", _("Weekly (every week on one weekday)")
        DATE = "date", _("A single date")

    class Ordinal(models.IntegerChoices):
        FIRST = 1, _("first")
        SECOND = 2, _("second")
        THIRD = 3, _("third")
        FOURTH = 4, _("fourth")
        LAST = -1, _("last")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    consultant = models.ForeignKey(Consultant, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("repeats"), max_length=8, choices=Kind.choices, default=Kind.MONTHLY)
    ordinal = models.SmallIntegerField(_("which"), choices=Ordinal.choices, null=True, blank=True,
                                       default=Ordinal.FIRST)
    weekday = models.SmallIntegerField(_("weekday"), choices=Weekday.choices, null=True, blank=True,
                                       default=Weekday.MONDAY)
    on_date = models.DateField(_("date"), null=True, blank=True)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    session_minutes = models.PositiveSmallIntegerField(
        _("session length (minutes)"), default=60, validators=[MinValueValidator(15), MaxValueValidator(480)])
    buffer_minutes = models.PositiveSmallIntegerField(
        _("break between sessions (minutes)"), default=15, validators=[MaxValueValidator(240)])
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(start_time__lt=F("end_time")), name="rule_starts_before_it_ends"),
            models.CheckConstraint(condition=Q(session_minutes__gte=15), name="rule_session_at_least_15_min"),
            models.CheckConstraint(
                condition=(Q(kind="monthly", ordinal__isnull=False, ordinal__in=[1, 2, 3, 4, -1],
                             weekday__isnull=False, weekday__range=(0, 6))
                           | Q(kind="weekly", weekday__isnull=False, weekday__range=(0, 6))
                           | Q(kind="date", on_date__isnull=False)),
                name="rule_kind_has_its_fields",
            ),
        ]

    def __str__(self):
        return f"{self.consultant}: {self.describe()}"

    def describe(self) -> str:
        from django.utils.formats import date_format
        from django.utils.translation import gettext

        times = f"{self.start_time:%H:%M}–{self.end_time:%H:%M}"
        if self.kind == self.Kind.MONTHLY:
            what = gettext("The %(which)s %(weekday)s of every month") % {
                "which": self.get_ordinal_display(), "weekday": self.get_weekday_display()}
        elif self.kind == self.Kind.WEEKLY:
            what = gettext("Every %(weekday)s") % {"weekday": self.get_weekday_display()}
        else:
            what = date_format(self.on_date, "DATE_FORMAT") if self.on_date else "?"
        return f"{what}, {times}"


class Blackout(models.Model):
    """Time off: dates in the consultant's zone (inclusive), the whole day or from–until on each of them.

    Sessions that overlap it are not made, and published ones stop being offered at once; a booked session
    inside it is flagged as a conflict (never cancelled). The class keeps its old name (it was whole days only).
    """

    consultant = models.ForeignKey(Consultant, on_delete=models.CASCADE, related_name="blackouts")
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    start_time = models.TimeField(_("from"), null=True, blank=True, help_text=_("Empty: the whole day."))
    end_time = models.TimeField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("time off")
        verbose_name_plural = _("time off")
        ordering = ["start_date", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(start_date__lte=F("end_date")), name="blackout_start_not_after_end"),
            models.CheckConstraint(
                condition=Q(start_time__isnull=True, end_time__isnull=True)
                | Q(start_time__isnull=False, end_time__isnull=False, start_time__lt=F("end_time")),
                name="blackout_times_both_or_none"),
        ]

    def __str__(self):
        return f"{self.consultant}: {self.start_date}–{self.end_date}"

    @property
    def whole_day(self) -> bool:
        return self.start_time is None


class DateOverride(models.Model):
    """'On this date my hours are 13:00–15:00 instead' (one row per window) or 'not available' (no times).

    Replaces every rule's hours on that local date, for drafts and for the published offer.
    """

    consultant = models.ForeignKey(Consultant, on_delete=models.CASCADE, related_name="overrides")
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("from"), null=True, blank=True,
                                  help_text=_("Empty: not available that day."))
    end_time = models.TimeField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("date override")
        verbose_name_plural = _("date overrides")
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__isnull=True, end_time__isnull=True)
                | Q(start_time__isnull=False, end_time__isnull=False, start_time__lt=F("end_time")),
                name="override_times_both_or_none"),
        ]
        indexes = [models.Index(fields=["consultant", "date"], name="override_consultant_date_idx")]

    def __str__(self):
        return f"{self.consultant}: {self.date}"

    @property
    def unavailable(self) -> bool:
        return self.start_time is None


class HolidayOpening(models.Model):
    """A public holiday the consultant opens for sessions although "no sessions on public holidays" is on."""

    consultant = models.ForeignKey(Consultant, on_delete=models.CASCADE, related_name="holiday_openings")
    date = models.DateField(_("date"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consultant", "date"], name="holiday_opening_unique")]

    def __str__(self):
        return f"{self.consultant}: {self.date}"


class OffReason(models.TextChoices):
    """Why a slot that is not blocked is still not offered (Slot.off_reason)."""

    TIME_OFF = "time_off", _("time off")
    HOLIDAY = "holiday", _("public holiday")
    OVERRIDE = "override", _("outside this date's hours")
    CAP_DAY = "cap_day", _("daily limit reached")
    CAP_WEEK = "cap_week", _("weekly limit reached")
    CAP_MONTH = "cap_month", _("monthly limit reached")


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
    # Which rule made it (null for a slot the consultant added by hand, or when the rule was deleted).
    rule = models.ForeignKey(AvailabilityRule, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="slots", editable=False)
    # Regeneration never removes a slot the consultant added themselves.
    added_by_hand = models.BooleanField(default=False, editable=False)
    # Until when a waitlist offer holds this published slot for one company (written by booking's waitlist);
    # the public lists leave it out until then.
    held_until = models.DateTimeField(_("held for the waitlist until"), null=True, blank=True, editable=False)
    # Written by the calendars app after each sync of the consultant's other calendars; a busy slot is never
    # offered (consultants.selectors.slot_list_bookable), whatever its status.
    busy = models.BooleanField(
        _("busy"), default=False, editable=False,
        help_text=_("covered by busy time from the consultant's other calendars; set by the calendars app"))
    # Why a published (or booked) slot is not offered now although nobody blocked it: the consultant's time
    # off, a public holiday, a date override or a booking cap. Recomputed by consultants.offer whenever one of
    # those changes, so the change reaches published slots at once; empty means nothing of the kind applies.
    off_reason = models.CharField(_("not offered because"), max_length=16, blank=True, default="",
                                  choices=OffReason.choices, editable=False)
    # A booked session whose time became unavailable (off_reason set) is flagged, never cancelled; the consultant
    # is e-mailed once per conflict (claimed with a conditional update of this column).
    conflict_mailed = models.BooleanField(default=False, editable=False)
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
            # Reports filter every figure by when the session took place, across all consultants and statuses.
            models.Index(fields=["starts_at"], name="slot_start_idx"),
        ]

    def __str__(self):
        return f"{self.consultant} {self.starts_at:%Y-%m-%d %H:%M} UTC ({self.status})"

    @property
    def conflict(self) -> str:
        """For a booked session whose time became unavailable: "conflicts with your time off on 16 June" (in the
        active language and zone), else "". Reads only this row. consultants.offer.conflict_text also names
        the holiday."""
        from django.utils import timezone
        from django.utils.formats import date_format
        from django.utils.translation import gettext

        if self.status != self.Status.BOOKED:
            return ""
        if self.busy and self.off_reason not in (OffReason.TIME_OFF, OffReason.HOLIDAY, OffReason.OVERRIDE):
            # Set by the calendars app: busy time in the consultant's other calendar (break included).
            return gettext("conflicts with busy time in your other calendar")
        if not self.off_reason:
            return ""
        when = date_format(timezone.localtime(self.starts_at).date(), "DATE_FORMAT")
        if self.off_reason == OffReason.TIME_OFF:
            return gettext("conflicts with your time off on %(date)s") % {"date": when}
        if self.off_reason == OffReason.HOLIDAY:
            return gettext("conflicts with a public holiday on %(date)s") % {"date": when}
        if self.off_reason == OffReason.OVERRIDE:
            return gettext("is outside your hours for %(date)s") % {"date": when}
        return ""
