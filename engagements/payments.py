"""Payment providers behind one small interface.

`prepare` runs inside the accepting transaction and records what must exist exactly when the acceptance
commits (an invoice number, a Stripe attempt with its idempotency key). `start` runs after commit, outside
any transaction (it may call Stripe), and returns where to send the payer: a URL, or None to stay with us.
Both are safe to call again: a retried `start` re-uses the stored invoice or idempotency key.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.mail import Attachment, Recipient, email_queue
from engagements import references
from engagements import stripe as stripe_api
from engagements.invoice_pdf import invoice_pdf
from engagements.models import Engagement, Invoice, InvoiceCounter, Payment, PaymentAttempt, SellerSettings

log = logging.getLogger(__name__)

INVOICE_DUE_DAYS = 30
# A Checkout Session lives this long after its attempt was created (Stripe allows at most 24 hours, and keeps
# idempotency keys for 24 hours), so an attempt and its key are never reused after Stripe forgot them.
SESSION_LIFETIME = timedelta(hours=23)


class PaymentProvider:
    name: str = ""

    def prepare(self, *, payment: Payment) -> None:
        """Inside the accepting transaction. Must not touch the network."""

    def start(self, *, payment: Payment) -> str | None:  # redirect url or None
        raise NotImplementedError


# --- Invoice -----------------------------------------------------------------------------------
def invoice_next_number(*, year: int) -> int:
    """The next number of `year`'s sequence. Call only inside the transaction that creates the invoice.

    The counter row is created if missing (ignore_conflicts: two first invoices of a year may race), then
    incremented with a conditional UPDATE, which takes the row's write lock until commit: concurrent
    acceptances take turns (PostgreSQL row lock; SQLite's BEGIN IMMEDIATE), and a rollback returns the number.
    """
    InvoiceCounter.objects.bulk_create([InvoiceCounter(year=year, last_number=0)], ignore_conflicts=True)
    InvoiceCounter.objects.filter(year=year).update(last_number=F("last_number") + 1)
    return InvoiceCounter.objects.values_list("last_number", flat=True).get(year=year)


def vat_rate_for(*, engagement: Engagement, seller: SellerSettings | None = None) -> int:
    """The VAT rate (basis points) a sale is charged with: none for a reverse-charge sale to an EU business in
    another country than the seller (the buyer accounts for the VAT), the engagement's rate otherwise."""
    seller = seller or SellerSettings.current()
    if references.reverse_charge_applies(seller_country=seller.country,
                                         buyer_vat_number=engagement.company.vat_number):
        return 0
    return engagement.vat_rate_bp


def invoice_issue(*, payment: Payment) -> Invoice:
    """The payment's invoice, created (and mailed to the person who accepted) on first call."""
    existing = Invoice.objects.filter(payment=payment).first()
    if existing:
        return existing
    engagement = payment.engagement
    company = engagement.company
    today = timezone.localdate()
    seller = SellerSettings.current()
    reverse_charge = references.reverse_charge_applies(seller_country=seller.country,
                                                       buyer_vat_number=company.vat_number)
    try:
        with transaction.atomic():
            sequence = invoice_next_number(year=today.year)
            base = references.invoice_reference_base(year=today.year, sequence=sequence)
            invoice = Invoice.objects.create(
                payment=payment, year=today.year, sequence=sequence, number=f"{today.year}-{sequence:05d}",
                issued_on=today, due_on=today + timedelta(days=INVOICE_DUE_DAYS),
                company_name=company.name, company_org_number=company.org_number, company_country=company.country,
                company_address=company.billing_address, company_vat_number=company.vat_number,
                seller=seller.snapshot(), reverse_charge=reverse_charge,
                ocr_reference=references.ocr_reference(base, length_digit=seller.ocr_length_digit),
                fik_payment_id=references.fik_payment_id(base),
                seller_name=engagement.consultant.display_name, description=engagement.title[:200],
                amount_minor=payment.amount_minor, vat_rate_bp=0 if reverse_charge else engagement.vat_rate_bp,
                vat_minor=payment.vat_minor, total_minor=payment.total_minor, currency=payment.currency,
            )
            if engagement.accepted_by_id:
                recipient = Recipient.for_user(engagement.accepted_by)
                email_queue(
                    template="engagements_invoice",
                    context={"engagement": engagement, "invoice": invoice,
                             "link": settings.SITE_URL + reverse("engagements:invoice", args=[invoice.pk])},
                    recipient=recipient,
                    attachments=[invoice_attachment(invoice=invoice, language=recipient.language)],
                )
    except IntegrityError:  # a concurrent call issued it first; its number is the one that counts
        return Invoice.objects.get(payment=payment)
    return invoice


def invoice_attachment(*, invoice: Invoice, language: str) -> Attachment:
    return Attachment(filename=f"invoice-{invoice.number}.pdf", content=invoice_pdf(invoice=invoice, language=language),
                      mimetype="application/pdf")


class InvoiceProvider(PaymentProvider):
    name = Payment.Provider.INVOICE

    def prepare(self, *, payment: Payment) -> None:
        invoice_issue(payment=payment)

    def start(self, *, payment: Payment) -> str | None:
        invoice_issue(payment=payment)  # a no-op unless prepare was skipped
        return None


# --- Stripe Checkout -------------------------------------------------------------------------
def attempt_open(*, payment: Payment) -> PaymentAttempt:
    """The one attempt to (re)use, so a payment never has two Checkout Sessions open at once.

    Each session expires at its attempt's `created_at + SESSION_LIFETIME` (we set `expires_at`), so an attempt
    older than that is closed here and a new one (new idempotency key) is opened. An attempt that never got
    its session is not reused within the last hour of that window (Stripe wants `expires_at` ≥ 30 min ahead).
    The payment row is locked so two concurrent "Pay now" clicks share one attempt. The block is durable: called
    inside another transaction (where the Stripe call that follows must never run) it raises RuntimeError.
    """
    now = timezone.now()
    with transaction.atomic(durable=True):
        Payment.objects.select_for_update().filter(pk=payment.pk).first()
        PaymentAttempt.objects.filter(payment=payment, status=PaymentAttempt.Status.OPEN).filter(
            Q(created_at__lte=now - SESSION_LIFETIME)
            | Q(session_id__isnull=True, created_at__lte=now - SESSION_LIFETIME + timedelta(hours=1))
        ).update(status=PaymentAttempt.Status.EXPIRED, closed_at=now)
        attempt = (PaymentAttempt.objects.filter(payment=payment, status=PaymentAttempt.Status.OPEN)
                   .order_by("-created_at", "-pk").first())
        return attempt or PaymentAttempt.objects.create(payment=payment)


def checkout_params(*, payment: Payment, attempt: PaymentAttempt) -> dict:
    engagement = payment.engagement
    ids = {"engagement_id": str(engagement.pk), "payment_id": str(payment.pk), "attempt_id": str(attempt.pk)}
    success = reverse("engagements:checkout_success", args=[engagement.pk])
    back = reverse("engagements:engagement", args=[engagement.pk])
    params = {
        "mode": "payment",
        "client_reference_id": str(engagement.pk),
        "metadata": ids,
        "payment_intent_data": {"metadata": ids},
        "line_items": [{
            "quantity": 1,
            "price_data": {
                "currency": payment.currency.lower(),
                "unit_amount": payment.total_minor,  # incl. VAT; the VAT split is on our receipt
                "product_data": {"name": engagement.title[:250]},
            },
        }],
        "expires_at": int((attempt.created_at + SESSION_LIFETIME).timestamp()),
        "success_url": f"{settings.SITE_URL}{success}?session_id={{CHECKOUT_SESSION_ID}}",
        "cancel_url": f"{settings.SITE_URL}{back}?checkout=cancelled",
    }
    if engagement.accepted_by_id:
        params["customer_email"] = engagement.accepted_by.email
        if engagement.accepted_by.language in ("sv", "da", "en"):
            params["locale"] = engagement.accepted_by.language
    return params


class StripeProvider(PaymentProvider):
    name = Payment.Provider.STRIPE

    def prepare(self, *, payment: Payment) -> None:
        PaymentAttempt.objects.create(payment=payment)

    def start(self, *, payment: Payment) -> str | None:
        if payment.status != Payment.Status.PENDING:
            return None
        attempt = attempt_open(payment=payment)  # durable: raises inside a transaction, before any network call
        if attempt.session_id and attempt.checkout_url:
            return attempt.checkout_url
        session = stripe_api.checkout_session_create(params=checkout_params(payment=payment, attempt=attempt),
                                                     idempotency_key=str(attempt.idempotency_key))
        # Two concurrent starts share the key, so Stripe gave both the same session; storing it twice is harmless.
        PaymentAttempt.objects.filter(pk=attempt.pk).update(session_id=session.id, checkout_url=session.url)
        return session.url


PROVIDERS: dict[str, PaymentProvider] = {
    Payment.Provider.INVOICE: InvoiceProvider(),
    Payment.Provider.STRIPE: StripeProvider(),
}


def provider_default() -> PaymentProvider:
    """Stripe when a secret key is configured, otherwise invoice."""
    return PROVIDERS[Payment.Provider.STRIPE if stripe_api.is_configured() else Payment.Provider.INVOICE]


def provider_for(payment: Payment) -> PaymentProvider:
    return PROVIDERS[payment.provider]
