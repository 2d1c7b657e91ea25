"""NPS feedback after a held session or a completed engagement.

One row per booking and kind. The row is created when the survey is due; the send task claims it with a
conditional UPDATE (a `sending_until` lease, booking/mails.py `send_once`) that also stores the SHA-256 of a
fresh 256-bit token (the plain token is only in the e-mail), so each survey is sent once and the link cannot be
guessed or read from the database. The link works only once `sent_at` is set.

The table keeps the name it had when the model lived in booking/ (`booking_feedback`): the move changed no
database (feedback/migrations/0001_initial.py).
"""


from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import tokens


class Feedback(models.Model):
    class Kind(models.TextChoices):
        SESSION = "session", _("After the free session")
        ENGAGEMENT = "engagement", _("After the paid engagement")

    PROMOTER_MIN = 9
    DETRACTOR_MAX = 6

    booking = models.ForeignKey("booking.Booking", on_delete=models.CASCADE, related_name="feedback")
    kind = models.CharField(_("survey"), max_length=12, choices=Kind.choices, default=Kind.SESSION)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # The company agreed to be named on the promoter wall.
    show_company = models.BooleanField(_("company may be named on the wall"), default=False)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # A sender's claim (booking/mails.py `send_once`): while it lasts nobody else sends; then it lapses.
    sending_until = models.DateTimeField(null=True, blank=True, editable=False)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # The consultant was alerted about a detractor answer (claimed once, like the survey itself).
    alerted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "booking_feedback"
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-answered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "kind"], name="feedback_one_per_booking_and_kind"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=10),
                                   name="feedback_score_0_to_10"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(answered_at__isnull=False),
                                   name="feedback_score_has_answer_time"),
            models.CheckConstraint(condition=Q(kind__in=["session", "engagement"]), name="feedback_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["answered_at", "score"], name="feedback_answered_score_idx"),
            models.Index(fields=["sent_at", "due_at"], name="feedback_sent_due_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} feedback for booking {self.booking_id}: {self.score}"

    @property
    def is_promoter(self) -> bool:
        return self.score is not None and self.score >= self.PROMOTER_MIN

    @property
    def is_detractor(self) -> bool:
        return self.score is not None and self.score <= self.DETRACTOR_MAX

    new_token = staticmethod(tokens.token_new)
    hash_token = staticmethod(tokens.token_hash)


# --- The company's own customers' NPS ---------------------------------------------------------------------
class CustomerNpsSnapshot(models.Model):
    """The company's own customers' recommendation scores, as counts per score 0–10: once before the free
    session (with the intake) and once after a completed paid engagement. The counts, the answers per month
    and the comments come from an uploaded export or from counts the company typed. They are the booking's
    data: the privacy export lists them, deleting the company removes them."""

    class Phase(models.TextChoices):
        BEFORE = "before", _("Before")
        AFTER = "after", _("After")

    class Source(models.TextChoices):
        FILE = "file", _("Uploaded file")
        TYPED = "typed", _("Typed counts")

    booking = models.ForeignKey("booking.Booking", on_delete=models.CASCADE, related_name="customer_nps")
    phase = models.CharField(_("when"), max_length=6, choices=Phase.choices, default=Phase.BEFORE)
    source = models.CharField(_("source"), max_length=5, choices=Source.choices, default=Source.FILE)
    counts = models.JSONField(_("answers per score 0–10"), default=list)
    monthly = models.JSONField(_("answers per score, by month"), default=dict, blank=True)
    responses = models.PositiveIntegerField(_("answers"), default=0)
    filename = models.CharField(_("file"), max_length=200, blank=True)
    # After only: the company lets the consultant show the change on their public profile.
    public_consent = models.BooleanField(_("the consultant may show the change publicly"), default=False)
    uploaded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("customer NPS snapshot")
        verbose_name_plural = _("customer NPS snapshots")
        ordering = ["booking", "phase"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "phase"], name="customer_nps_one_per_booking_and_phase"),
            models.CheckConstraint(condition=Q(phase__in=["before", "after"]), name="customer_nps_phase_valid"),
            models.CheckConstraint(condition=Q(responses__gt=0), name="customer_nps_has_answers"),
        ]

    def __str__(self):
        return f"Customer NPS {self.phase} for booking {self.booking_id}"


class CustomerNpsComment(models.Model):
    """One comment from the company's export, with its score (and date and segment when the export had them)."""

    snapshot = models.ForeignKey(CustomerNpsSnapshot, on_delete=models.CASCADE, related_name="comments")
    score = models.PositiveSmallIntegerField(_("score"))
    answered_on = models.DateField(_("date"), null=True, blank=True)
    segment = models.CharField(_("segment"), max_length=100, blank=True)
    text = models.TextField(_("comment"))

    class Meta:
        verbose_name = _("customer comment")
        verbose_name_plural = _("customer comments")
        ordering = ["-score", "pk"]
        constraints = [models.CheckConstraint(condition=Q(score__gte=0, score__lte=10),
                                              name="customer_nps_comment_score_0_to_10")]

    def __str__(self):
        return f"{self.score}: {self.text[:40]}"


class CustomerNpsRequest(models.Model):
    """The private link that asks a company for its second snapshot after a completed engagement. Only the
    token's SHA-256 is stored; the link works until the second snapshot is in."""

    booking = models.OneToOneField("booking.Booking", on_delete=models.CASCADE, related_name="customer_nps_request")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer NPS request")
        verbose_name_plural = _("customer NPS requests")

    def __str__(self):
        return f"Customer NPS request for booking {self.booking_id}"
