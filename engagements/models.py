"""Follow-up work after a free session: gap reports, paid engagements, and how they are paid.

Money is integer minor units + ISO currency everywhere; VAT is computed from basis points with integer
arithmetic (round half up), never floats. Status changes happen only in engagements/services.py, with a
conditional UPDATE on the old status, so two requests can never both move the same row.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from engagements import references


class Currency(models.TextChoices):
    SEK = "SEK", "SEK"
    DKK = "DKK", "DKK"
    EUR = "EUR", "EUR"


def vat_of(amount_minor: int, vat_rate_bp: int) -> int:
    """VAT in minor units, rounded half up: 25 % (2500 bp) of 1 002 öre is 250.5 → 251."""
    if amount_minor < 0 or vat_rate_bp < 0:
        raise ValueError("amount and VAT rate must not be negative")
    return (amount_minor * vat_rate_bp + 5000) // 10000


# --- Gap report ---------------------------------------------------------------------------------
class GapReport(models.Model):
    """The consultant's short gap analysis of one held session. A draft until `shared_at` is set."""

    booking = models.OneToOneField("booking.Booking", on_delete=models.CASCADE, related_name="gap_report")
    summary = models.TextField(_("summary"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    shared_at = models.DateTimeField(_("shared at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("gap report")
        verbose_name_plural = _("gap reports")

    def __str__(self):
        return f"Gap report for booking {self.booking_id}"

    @property
    def is_shared(self) -> bool:
        return self.shared_at is not None


class GapItem(models.Model):
    class Priority(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    report = models.ForeignKey(GapReport, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("gap"), max_length=200)
    detail = models.TextField(_("detail"), blank=True)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.MEDIUM)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("gap")
        verbose_name_plural = _("gaps")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(priority__in=["high", "medium", "low"]), name="gap_item_priority_valid"),
        ]

    def __str__(self):
        return self.title


# --- Engagement ---------------------------------------------------------------------------------
class Engagement(models.Model):
    """A paid follow-up the consultant proposes after a held session."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted, awaiting payment")
        PAID = "paid", _("Paid")
        COMPLETED = "completed", _("Completed")
        DECLINED = "declined", _("Declined")
        # Words shared with bookings and payments take another form in Swedish and Danish for a proposal.
        EXPIRED = "expired", pgettext_lazy("proposal status", "Expired")
        CANCELLED = "cancelled", pgettext_lazy("proposal status", "Cancelled")
        REFUNDED = "refunded", _("Refunded")

    # Every allowed move; anything else is refused with EngagementError("invalid_transition").
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.DRAFT: frozenset({Status.PROPOSED, Status.CANCELLED}),
        Status.PROPOSED: frozenset({Status.ACCEPTED, Status.DECLINED, Status.EXPIRED, Status.CANCELLED}),
        Status.ACCEPTED: frozenset({Status.PAID, Status.CANCELLED}),
        Status.PAID: frozenset({Status.COMPLETED, Status.REFUNDED}),
        Status.COMPLETED: frozenset({Status.REFUNDED}),
        Status.DECLINED: frozenset(),
        Status.EXPIRED: frozenset(),
        Status.CANCELLED: frozenset(),
        Status.REFUNDED: frozenset(),
    }
    OPEN = (Status.PROPOSED, Status.ACCEPTED)
    WON = (Status.PAID, Status.COMPLETED)
    LOST = (Status.DECLINED, Status.EXPIRED, Status.CANCELLED, Status.REFUNDED)

    booking = models.ForeignKey("booking.Booking", on_delete=models.PROTECT, related_name="engagements")
    consultant = models.ForeignKey("consultants.Consultant", on_delete=models.PROTECT, related_name="engagements")
    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="engagements")
    title = models.CharField(_("title"), max_length=200)
    scope = models.TextField(_("scope"))
    amount_minor = models.PositiveBigIntegerField(_("price excl. VAT (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.SEK)
    vat_rate_bp = models.PositiveIntegerField(_("VAT rate (basis points)"), default=2500)
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    proposed_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # declined / expired / cancelled / refunded
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="engagement_amount_positive"),
            models.CheckConstraint(condition=Q(vat_rate_bp__gte=0, vat_rate_bp__lte=10000),
                                   name="engagement_vat_rate_0_to_100_percent"),
            models.CheckConstraint(condition=Q(currency__in=["SEK", "DKK", "EUR"]), name="engagement_currency_known"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "proposed", "accepted", "paid", "completed", "declined", "expired",
                                        "cancelled", "refunded"]),
                name="engagement_status_known"),
        ]
        indexes = [
            models.Index(fields=["booking", "status"], name="engagement_booking_status_idx"),
            models.Index(fields=["status", "valid_until"], name="engagement_status_valid_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def vat_minor(self) -> int:
        return vat_of(self.amount_minor, self.vat_rate_bp)

    @property
    def total_minor(self) -> int:
        return self.amount_minor + self.vat_minor

    @property
    def vat_percent(self) -> str:
        """25 for 2500 bp, 12.5 for 1250 bp: a label, computed without floats."""
        whole, rest = divmod(self.vat_rate_bp, 100)
        return f"{whole}" if not rest else f"{whole}.{rest:02d}".rstrip("0")

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, frozenset())


# --- Payment ----------------------------------------------------------------------------------
class Payment(models.Model):
    """What the company owes for one accepted engagement; `payment_fulfil` marks it paid exactly once."""

    class Provider(models.TextChoices):
        STRIPE = "stripe", _("Card (Stripe)")
        INVOICE = "invoice", _("Invoice")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", pgettext_lazy("payment status", "Paid")
        REFUNDED = "refunded", pgettext_lazy("payment status", "Refunded")
        CANCELLED = "cancelled", pgettext_lazy("payment status", "Cancelled")

    engagement = models.OneToOneField(Engagement, on_delete=models.PROTECT, related_name="payment")
    provider = models.CharField(_("provider"), max_length=10, choices=Provider.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    amount_minor = models.PositiveBigIntegerField(_("amount excl. VAT (minor units)"))
    vat_minor = models.PositiveBigIntegerField(_("VAT (minor units)"))
    total_minor = models.PositiveBigIntegerField(_("total (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    # Stripe: the PaymentIntent of the completed Checkout Session, so charge.refunded finds its payment.
    provider_reference = models.CharField(max_length=255, blank=True, db_index=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    marked_paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(total_minor=models.F("amount_minor") + models.F("vat_minor")),
                                   name="payment_total_is_amount_plus_vat"),
            models.CheckConstraint(condition=Q(status="pending") | Q(status="cancelled") | Q(paid_at__isnull=False),
                                   name="payment_paid_has_paid_at"),
        ]

    def __str__(self):
        return f"Payment {self.pk} ({self.provider}, {self.status})"


class PaymentAttempt(models.Model):
    """One Stripe Checkout Session for a payment. The idempotency key is stored before Stripe is called, so a
    retried request after a crash re-uses it and Stripe answers with the same session instead of a second one."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="attempts")
    idempotency_key = models.CharField(max_length=64, unique=True, default=uuid.uuid4)
    session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payment attempt")
        verbose_name_plural = _("payment attempts")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Attempt {self.pk} for payment {self.payment_id} ({self.status})"


class StripeEvent(models.Model):
    """Each webhook event id is processed once: the unique constraint is what makes duplicates harmless."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.event_id}"


# --- Invoice ----------------------------------------------------------------------------------
class SellerSettings(models.Model):
    """Who sells on our invoices: one row, edited by staff in the admin. Each invoice keeps a copy of what this
    said when it was issued, so a later change (a new bank account) never rewrites a sent invoice."""

    class Country(models.TextChoices):
        SE = "SE", _("Sweden")
        DK = "DK", _("Denmark")

    legal_name = models.CharField(_("legal name"), max_length=200, default="Probono AB")
    address = models.TextField(_("address"), default="", blank=True,
                               help_text=_("Street, postal code and town, one per line."))
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, default=Country.SE)
    org_number = models.CharField(_("organisation or CVR number"), max_length=32, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    f_tax = models.BooleanField(_("approved for F-tax"), default=True,
                                help_text=_("Swedish invoices say “Godkänd för F-skatt” when this is set."))
    email = models.EmailField(_("billing e-mail"), blank=True)
    bankgiro = models.CharField(_("bankgiro"), max_length=12, blank=True)
    plusgiro = models.CharField(_("plusgiro"), max_length=12, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    fi_creditor_number = models.CharField(
        _("FI creditor number"), max_length=8, blank=True,
        help_text=_("Danish FI-kort (kortart 71) creditor number, 8 digits; invoices in DKK show the +71 line."))
    ocr_length_digit = models.BooleanField(
        _("OCR with length digit"), default=True,
        help_text=_("As agreed with Bankgirot: OCR references end in a length digit and a check digit."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("seller details")
        verbose_name_plural = _("seller details")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="seller_settings_single_row")]

    def __str__(self):
        return self.legal_name

    @classmethod
    def current(cls) -> "SellerSettings":
        return cls.objects.get_or_create(pk=1)[0]

    def snapshot(self) -> dict:
        fields = ["legal_name", "address", "country", "org_number", "vat_number", "f_tax", "email", "bankgiro",
                  "plusgiro", "iban", "bic", "fi_creditor_number", "ocr_length_digit"]
        return {f: getattr(self, f) for f in fields}


class InvoiceCounter(models.Model):
    """One row per year. Incremented in the same transaction that creates the invoice: a rolled-back
    acceptance also rolls back its number, so the sequence has no gaps, and the row lock (or SQLite's
    write lock) makes concurrent acceptances take turns, so it has no duplicates."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice counter")
        verbose_name_plural = _("invoice counters")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Invoice(models.Model):
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="invoice")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("invoice number"), max_length=20, unique=True)
    issued_on = models.DateField(_("invoice date"))
    due_on = models.DateField(_("due date"))
    # The buyer as it was when invoiced: later edits of the company must not change a sent invoice.
    company_name = models.CharField(_("company"), max_length=200)
    company_org_number = models.CharField(_("organisation number"), max_length=32, blank=True)
    company_country = models.CharField(_("country"), max_length=2, blank=True)
    company_address = models.TextField(_("billing address"), blank=True)
    company_vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    # The seller as SellerSettings said when the invoice was issued (SellerSettings.snapshot()).
    seller = models.JSONField(_("seller"), default=dict, blank=True)
    reverse_charge = models.BooleanField(_("reverse charge"), default=False)
    ocr_reference = models.CharField(_("OCR reference"), max_length=25, blank=True)
    fik_payment_id = models.CharField(_("FI-kort payment id"), max_length=15, blank=True)
    seller_name = models.CharField(_("consultant"), max_length=150)
    description = models.CharField(_("description"), max_length=200)
    amount_minor = models.PositiveBigIntegerField()
    vat_rate_bp = models.PositiveIntegerField()
    vat_minor = models.PositiveBigIntegerField()
    total_minor = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, choices=Currency.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="invoice_number_unique_per_year"),
            models.CheckConstraint(condition=Q(issued_on__lte=models.F("due_on")), name="invoice_due_after_issue"),
        ]

    def __str__(self):
        return self.number

    @property
    def vat_percent(self) -> str:
        whole, rest = divmod(self.vat_rate_bp, 100)
        return f"{whole}" if not rest else f"{whole}.{rest:02d}".rstrip("0")

    @property
    def fik_code_line(self) -> str:
        creditor = self.seller.get("fi_creditor_number", "")
        if not (self.fik_payment_id and creditor):
            return ""
        return references.fik_code_line(self.fik_payment_id, creditor)

    @property
    def seller_address_lines(self) -> list[str]:
        return [line.strip() for line in self.seller.get("address", "").splitlines() if line.strip()]

    @property
    def company_address_lines(self) -> list[str]:
        return [line.strip() for line in self.company_address.splitlines() if line.strip()]
