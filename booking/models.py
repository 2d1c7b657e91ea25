"""Booking data: versioned intake questionnaires, bookings with their answers, the lead timeline, fair use.

Invariants that must hold under concurrency live here as constraints: one active booking (requested or
confirmed) per slot, one questionnaire version number per consultant.
"""

import uuid
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import tokens
from accounts.models import Company
from consultants.meeting import MeetingPlace


def _new_invite_uid() -> str:
    return f"booking-{uuid.uuid4()}@probono"


class Questionnaire(models.Model):
    """One version of a consultant's intake questions. Never edited once answered: a change is a new version."""

    consultant = models.ForeignKey("consultants.Consultant", on_delete=models.CASCADE,
                                   related_name="questionnaires")
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["consultant_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["consultant", "version"], name="questionnaire_version_unique"),
            models.CheckConstraint(condition=Q(version__gte=1), name="questionnaire_version_positive"),
        ]

    def __str__(self):
        return f"{self.consultant} v{self.version}"


class Question(models.Model):
    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        SINGLE_CHOICE = "single_choice", _("One choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Several choices")
        SCALE = "scale", _("Scale 0–10")
        NUMBER = "number", _("Number")
        YES_NO = "yes_no", _("Yes / no")
        # The company's own NPS: answered by uploading its survey export (or typing counts) on the booking.
        CUSTOMER_NPS = "customer_nps", _("Your customers' recommendation scores")
        # Answered from the company's own record (pre-filled, editable; an edit is saved back to the record).
        COMPANY_SIZE = "company_size", _("Company size (from the company's details)")
        COMPANY_INDUSTRY = "company_industry", _("Industry (from the company's details)")

    CHOICE_KINDS = (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE)
    COMPANY_KINDS = {Kind.COMPANY_SIZE: "size", Kind.COMPANY_INDUSTRY: "industry"}  # kind -> Company field

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.SHORT_TEXT)
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # For choice questions: the options, as a list of strings.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    # The language label, help text and choices are written in (the consultant's), and the same question in
    # the other languages of their profile: {"da": {"label": …, "help_text": …, "choices": […]}}.
    language = models.CharField(_("written in"), max_length=8, blank=True)
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.label

    def text_in(self, language: str) -> "QuestionText":
        """The wording a reader of `language` sees: their own version when the consultant wrote one, otherwise
        the consultant's (`fallback` is then True). Choice values stay the consultant's, so answers read the
        same for them whatever language the company used."""
        base = QuestionText(self.label, self.help_text, [(c, c) for c in self.choices or []], False)
        if not language or language == self.language or not self.language:
            return base
        other = (self.translations or {}).get(language) or {}
        if not other.get("label"):
            return base._replace(fallback=True)
        choices = other.get("choices") or []
        if len(choices) != len(self.choices or []):  # a translation that lost a choice keeps the original ones
            choices = list(self.choices or [])
        return QuestionText(other["label"], other.get("help_text") or "", list(zip(self.choices or [], choices,
                                                                                   strict=True)), False)


class QuestionText(NamedTuple):
    label: str
    help_text: str
    choices: list  # [(stored value, shown text)]
    fallback: bool


class Booking(MeetingPlace):
    """A company's claim on a slot. Active (requested/confirmed) bookings hold the slot exclusively.

    Its meeting place (the `place_*` fields) is a copy of the consultant's default taken when it was booked,
    which the consultant may change for this one session (booking_change_place).
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting approval")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Request expired")
        HELD = "held", _("Held")
        NO_SHOW = "no_show", _("No-show")

    ACTIVE = (Status.REQUESTED, Status.CONFIRMED)

    slot = models.ForeignKey("consultants.Slot", on_delete=models.PROTECT, related_name="bookings")
    consultant = models.ForeignKey("consultants.Consultant", on_delete=models.PROTECT, related_name="bookings")
    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="bookings")
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    questionnaire = models.ForeignKey(Questionnaire, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="bookings")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(_("reason"), blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    # The manage link's token is shown once; only its SHA-256 is stored.
    manage_token_hash = models.CharField(max_length=64, unique=True)
    # Calendar identity: the UID never changes, SEQUENCE grows with each change (reschedule, cancellation).
    invite_uid = models.CharField(max_length=120, unique=True, default=_new_invite_uid, editable=False)
    invite_sequence = models.PositiveIntegerField(default=0)
    request_expires_at = models.DateTimeField(null=True, blank=True)
    # A new video room per session (consultants.meeting.video_room_new, 160 random bits): made at booking, kept
    # across moves; shown only to the company's members and the consultant.
    video_room = models.CharField(_("video room"), max_length=64, blank=True, editable=False)
    # The number the consultant calls (E.164), asked in the booking steps when the consultant calls.
    company_phone = models.CharField(_("company's phone number"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["slot"], condition=Q(status__in=["requested", "confirmed"]),
                                    name="booking_one_active_per_slot"),
            models.CheckConstraint(condition=~Q(status="requested") | Q(request_expires_at__isnull=False),
                                   name="booking_request_has_expiry"),
            models.CheckConstraint(condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                                   name="booking_cancelled_has_time"),
            models.CheckConstraint(condition=Q(status__in=["requested", "confirmed", "cancelled", "declined",
                                                           "expired", "held", "no_show"]),
                                   name="booking_status_valid"),
        ]
        indexes = [
            models.Index(fields=["company", "status"], name="booking_company_status_idx"),
            models.Index(fields=["consultant", "status"], name="booking_consultant_status_idx"),
            models.Index(fields=["status", "request_expires_at"], name="booking_request_expiry_idx"),
        ]

    def __str__(self):
        return f"{self.company} with {self.consultant} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    new_manage_token = staticmethod(tokens.token_new)
    hash_token = staticmethod(tokens.token_hash)


class IntakeAnswer(models.Model):
    """One answer, with the wording and type of the question as it was asked."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers")
    question_label = models.CharField(max_length=300)
    question_kind = models.CharField(max_length=20, choices=Question.Kind.choices)
    value = models.JSONField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("intake answer")
        verbose_name_plural = _("intake answers")
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.question_label}: {self.display_value}"

    @property
    def display_value(self) -> str:
        v = self.value
        if v is None or v == "" or v == []:
            return "—"
        if isinstance(v, bool):
            return str(_("Yes") if v else _("No"))
        if self.question_kind == Question.Kind.COMPANY_SIZE and v in Company.Size.values:
            return str(Company.Size(v).label)
        if self.question_kind == Question.Kind.COMPANY_INDUSTRY and v in Company.Industry.values:
            return str(Company.Industry(v).label)
        if isinstance(v, list):
            return ", ".join(str(x) for x in v)
        return str(v)


class PipelineEvent(models.Model):
    """One step of a lead's life (one timeline per booking). Later apps add their kinds here."""

    class Kind(models.TextChoices):
        BOOKED = "booked", _("Booked")
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Request expired")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        PLACE_CHANGED = "place_changed", _("Meeting place changed")
        CANCELLED = "cancelled", _("Cancelled")
        REMINDER_SENT = "reminder_sent", _("Reminder sent")
        HELD = "held", _("Session held")
        NO_SHOW = "no_show", _("No-show")
        GAP_REPORT_SHARED = "gap_report_shared", _("Gap report shared")
        PROPOSAL_SENT = "proposal_sent", _("Proposal sent")
        ACCEPTED = "accepted", _("Proposal accepted")
        PAID = "paid", _("Paid")
        COMPLETED = "completed", _("Completed")
        REFUNDED = "refunded", _("Refunded")
        LOST = "lost", _("Lost")
        CUSTOMER_NPS = "customer_nps", _("Customer NPS")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    # Denormalised so a timeline reads "Anna Lindqvist cancelled" even after the user is gone.
    actor_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("pipeline event")
        verbose_name_plural = _("pipeline events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["kind", "created_at"], name="pipeline_kind_created_idx")]

    def __str__(self):
        return f"{self.booking_id}: {self.kind} by {self.actor_name or '—'}"


class FairUsePolicy(models.Model):
    """The limits on free sessions. One row, edited by staff in the admin; `current()` creates it on first use."""

    max_upcoming = models.PositiveSmallIntegerField(
        _("upcoming free sessions a company may hold"), default=1, validators=[MinValueValidator(1)])
    max_per_12_months = models.PositiveSmallIntegerField(
        _("free sessions per company in 12 months"), default=2, validators=[MinValueValidator(1)])
    max_same_consultant_12_months = models.PositiveSmallIntegerField(
        _("free sessions with the same consultant in 12 months"), default=1, validators=[MinValueValidator(1)])
    no_show_limit = models.PositiveSmallIntegerField(
        _("no-shows in 12 months that block booking"), default=2, validators=[MinValueValidator(1)])
    no_show_block_months = models.PositiveSmallIntegerField(
        _("months a company is blocked after too many no-shows"), default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)])
    approval_expiry_hours = models.PositiveSmallIntegerField(
        _("hours a request waits for approval before it expires"), default=48,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 14)])
    waitlist_claim_hours = models.PositiveSmallIntegerField(
        _("hours a waitlist offer holds a slot"), default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 7)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fair-use policy")
        verbose_name_plural = _("fair-use policy")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="fair_use_policy_single_row")]

    def __str__(self):
        return str(_("Fair-use policy"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        self.forget()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.forget()
        return result

    CACHE_KEY = "booking:fair-use-policy"
    CACHE_SECONDS = 300  # a bound for a change that bypasses save() (a queryset update); save() forgets at once

    @classmethod
    def forget(cls) -> None:
        """Drop the cached row now and again after commit (a reader in between could cache the old row)."""
        cache.delete(cls.CACHE_KEY)
        transaction.on_commit(lambda: cache.delete(cls.CACHE_KEY))

    @classmethod
    def current(cls) -> "FairUsePolicy":
        """The one row, from the cache: every booking reads it and staff change it rarely (issue 19)."""
        obj = cache.get(cls.CACHE_KEY)
        if obj is None:
            obj, _created = cls.objects.get_or_create(pk=1)
            cache.set(cls.CACHE_KEY, obj, cls.CACHE_SECONDS)
        return obj


class BookingNotice(models.Model):
    """One e-mail about one booking to one audience, claimed before sending so it goes out once however often a
    task runs (`sent_at` once it went out; `sending_until` while a sender holds the claim, which lapses if that
    sender's worker dies, see booking/mails.py `send_once`). Reminders are notices keyed by the session's start
    time, so a moved booking gets fresh reminders for its new time and the old ones can never be sent."""

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmation")
        REQUESTED = "requested", _("Request received")
        DECLINED = "declined", _("Request declined")
        CANCELLED = "cancelled", _("Cancellation")
        RESCHEDULED = "rescheduled", _("New time")
        PLACE_CHANGED = "place_changed", _("New meeting place")
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
