"""Every state change after a free session: outcome, gap report, engagement, payment. One transaction each.

Status moves are conditional UPDATEs on the old status (`_move`), so of two concurrent requests exactly one
wins and the other gets EngagementError("invalid_transition"). Mail is queued on commit; Stripe is called
only from engagements/payments.py, after commit.
"""

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.mail import Recipient, email_queue
from accounts.models import Membership, User
from booking.errors import BookingError
from booking.models import Booking, PipelineEvent
from booking.services import booking_record_outcome, pipeline_event_record
from engagements import stripe as stripe_api
from engagements.models import (
    Currency,
    Engagement,
    GapItem,
    GapReport,
    Invoice,
    Payment,
    PaymentAttempt,
    StripeEvent,
    vat_of,
)
from engagements.payments import provider_default, provider_for, vat_rate_for
from feedback.customer_nps import customer_nps_request_send

log = logging.getLogger(__name__)
E = Engagement.Status
Kind = PipelineEvent.Kind


class EngagementError(Exception):
    """A refused change; `code` says which rule, `message` is for people."""

    MESSAGES = {
        "not_allowed": _("You cannot do that."),
        "not_confirmed": _("Only a confirmed session can be marked as held or no-show."),
        "too_early": _("The outcome can be recorded once the session has ended."),
        "invalid_outcome": _("Choose held or no-show."),
        "not_held": _("This is only possible for a session that was held."),
        "empty_report": _("Add at least one gap or a recommendation before sharing."),
        "already_shared": _("This gap report has already been shared."),
        "invalid_amount": _("The price must be more than zero."),
        "invalid_vat": _("The VAT rate must be between 0 and 100 %."),
        "invalid_currency": _("Choose SEK, DKK or EUR."),
        "past_valid_until": _("The valid-until date must not be in the past."),
        "proposal_expired": _("This proposal is no longer valid."),
        "not_pending": _("This payment is not awaiting payment."),
        "invalid_transition": _("That change is not possible in the proposal's current state."),
    }

    def __init__(self, code: str, message: str = ""):
        self.code = code
        self.message = message or str(self.MESSAGES.get(code, code))
        super().__init__(self.message)


# --- helpers ---------------------------------------------------------------------------------
def _name(user: User | None) -> str:
    if user is None:
        return ""
    consultant = getattr(user, "consultant", None)
    return (consultant.display_name if consultant else "") or user.name or user.email


def _event(*, booking: Booking, kind: str, actor: User | None, **data) -> PipelineEvent:
    # The timeline shows `data["reason"]` verbatim, so only people's own words go there; codes go in "cause".
    return pipeline_event_record(booking=booking, kind=kind, actor=actor, actor_name=_name(actor)[:150], data=data)


def _is_consultant_of(user: User, booking_or_engagement) -> bool:
    return user.is_authenticated and booking_or_engagement.consultant.user_id == user.pk


def _is_member(user: User, company_id: int) -> bool:
    return user.is_authenticated and Membership.objects.filter(user=user, company_id=company_id).exists()


def _member_recipients(company_id: int) -> list[Recipient]:
    members = User.objects.filter(memberships__company_id=company_id, is_active=True).order_by("pk").distinct()
    return [Recipient.for_user(u) for u in members]


def _local_today() -> date:
    # Valid-until dates are calendar days for Nordic companies; the day ends in Nordic time, not UTC.
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE))


def _move(engagement: Engagement, to: str, **fields) -> Engagement:
    """Move `engagement` to status `to` if the table allows it and nobody moved it first."""
    frm = engagement.status
    if not engagement.can_move_to(to):
        raise EngagementError("invalid_transition", str(_invalid_message(frm, to)))
    now = timezone.now()
    updated = Engagement.objects.filter(pk=engagement.pk, status=frm).update(status=to, updated_at=now, **fields)
    if updated != 1:
        engagement.refresh_from_db(fields=["status"])
        raise EngagementError("invalid_transition", str(_invalid_message(engagement.status, to)))
    engagement.status = to
    for key, value in fields.items():
        setattr(engagement, key, value)
    return engagement


def _invalid_message(frm: str, to: str) -> str:
    return _("A proposal that is “%(current)s” cannot be changed to “%(target)s”.") % {
        "current": E(frm).label, "target": E(to).label}


def _link(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


# --- Session outcome ----------------------------------------------------------------------------
OUTCOMES = {"held": Booking.Status.HELD, "no_show": Booking.Status.NO_SHOW}


def session_record_outcome(*, booking: Booking, outcome: str, by: User) -> Booking:
    """Record that a confirmed session was held or that the company did not come (the booking's status and its
    timeline change in booking's own service); a no-show tells the company.

    Raises EngagementError: "not_allowed" (not the session's consultant), "invalid_outcome", "too_early"
    (before the slot's end), "not_confirmed" (any other status, also when recorded concurrently).
    """
    if outcome not in OUTCOMES:
        raise EngagementError("invalid_outcome")
    if not _is_consultant_of(by, booking):
        raise EngagementError("not_allowed")
    with transaction.atomic():
        try:
            booking_record_outcome(booking=booking, status=OUTCOMES[outcome], by=by, actor_name=_name(by)[:150])
        except BookingError as e:
            raise EngagementError(e.code) from None
        if booking.status == Booking.Status.NO_SHOW:
            email_queue(
                template="engagements_no_show",
                context={"booking": booking, "consultant": booking.consultant,
                         "directory": _link("consultants:directory")},
                recipient=Recipient.for_user(booking.booked_by),
            )
    return booking


# --- Gap report ---------------------------------------------------------------------------------
@dataclass
class Gap:
    title: str
    priority: str = GapItem.Priority.MEDIUM
    detail: str = ""


def gap_report_save(*, booking: Booking, by: User, summary: str, recommendations: str, next_steps: str,
                    gaps: list[Gap]) -> GapReport:
    """Create or update the session's gap report (shared reports stay shared and show the new text).

    Raises EngagementError("not_allowed") for anyone but the consultant, ("not_held") unless the session was held.
    """
    if not _is_consultant_of(by, booking):
        raise EngagementError("not_allowed")
    if booking.status != Booking.Status.HELD:
        raise EngagementError("not_held")
    with transaction.atomic():
        report, _created = GapReport.objects.select_for_update().get_or_create(booking=booking)
        report.summary, report.recommendations, report.next_steps = summary, recommendations, next_steps
        report.save()
        report.items.all().delete()
        GapItem.objects.bulk_create([
            GapItem(report=report, title=g.title, detail=g.detail, priority=g.priority, position=i)
            for i, g in enumerate(gaps) if g.title.strip()
        ])
    return report


def gap_report_share(*, report: GapReport, by: User) -> GapReport:
    """Share the report with the company: every member gets an e-mail, the timeline gets a step.

    Raises EngagementError "not_allowed", "empty_report", "already_shared" (also for a concurrent second click).
    """
    booking = report.booking
    if not _is_consultant_of(by, booking):
        raise EngagementError("not_allowed")
    if not report.items.exists() and not report.recommendations.strip():
        raise EngagementError("empty_report")
    now = timezone.now()
    with transaction.atomic():
        if GapReport.objects.filter(pk=report.pk, shared_at__isnull=True).update(shared_at=now) != 1:
            raise EngagementError("already_shared")
        report.shared_at = now
        _event(booking=booking, kind=Kind.GAP_REPORT_SHARED, actor=by, gap_report_id=report.pk)
        link = _link("engagements:gap_report", booking.pk)
        for recipient in _member_recipients(booking.company_id):
            email_queue(template="engagements_gap_report",
                        context={"booking": booking, "consultant": booking.consultant, "link": link},
                        recipient=recipient)
    return report


# --- Engagement ---------------------------------------------------------------------------------
def _validate_terms(*, amount_minor: int, currency: str, vat_rate_bp: int, valid_until: date) -> None:
    if amount_minor <= 0:
        raise EngagementError("invalid_amount")
    if currency not in Currency.values:
        raise EngagementError("invalid_currency")
    if not 0 <= vat_rate_bp <= 10000:
        raise EngagementError("invalid_vat")
    if valid_until < _local_today():
        raise EngagementError("past_valid_until")


def engagement_create(*, booking: Booking, by: User, title: str, scope: str, amount_minor: int, currency: str,
                      valid_until: date, vat_rate_bp: int = 2500) -> Engagement:
    """A draft proposal for a held session. Raises EngagementError "not_allowed", "not_held" or a terms code."""
    if not _is_consultant_of(by, booking):
        raise EngagementError("not_allowed")
    if booking.status != Booking.Status.HELD:
        raise EngagementError("not_held")
    _validate_terms(amount_minor=amount_minor, currency=currency, vat_rate_bp=vat_rate_bp, valid_until=valid_until)
    with transaction.atomic():
        return Engagement.objects.create(
            booking=booking, consultant=booking.consultant, company=booking.company, title=title, scope=scope,
            amount_minor=amount_minor, currency=currency, vat_rate_bp=vat_rate_bp, valid_until=valid_until)


def engagement_update(*, engagement: Engagement, by: User, title: str, scope: str, amount_minor: int,
                      currency: str, valid_until: date, vat_rate_bp: int) -> Engagement:
    """Change a draft's terms. A sent proposal is never edited: cancel it and send a new one."""
    if not _is_consultant_of(by, engagement):
        raise EngagementError("not_allowed")
    _validate_terms(amount_minor=amount_minor, currency=currency, vat_rate_bp=vat_rate_bp, valid_until=valid_until)
    with transaction.atomic():
        updated = Engagement.objects.filter(pk=engagement.pk, status=E.DRAFT).update(
            title=title, scope=scope, amount_minor=amount_minor, currency=currency, vat_rate_bp=vat_rate_bp,
            valid_until=valid_until, updated_at=timezone.now())
        if updated != 1:
            raise EngagementError("invalid_transition", str(_("Only a draft can be edited.")))
    engagement.refresh_from_db()
    return engagement


def engagement_propose(*, engagement: Engagement, by: User) -> Engagement:
    """Send a draft to the company: every member gets an e-mail with a link to accept or decline.

    Raises EngagementError "not_allowed", "past_valid_until", "invalid_transition".
    """
    if not _is_consultant_of(by, engagement):
        raise EngagementError("not_allowed")
    if engagement.valid_until < _local_today():
        raise EngagementError("past_valid_until")
    with transaction.atomic():
        _move(engagement, E.PROPOSED, proposed_at=timezone.now())
        _event(booking=engagement.booking, kind=Kind.PROPOSAL_SENT, actor=by, engagement_id=engagement.pk,
               title=engagement.title, amount_minor=engagement.amount_minor, currency=engagement.currency)
        link = _link("engagements:engagement", engagement.pk)
        for recipient in _member_recipients(engagement.company_id):
            email_queue(template="engagements_proposal",
                        context={"engagement": engagement, "consultant": engagement.consultant, "link": link},
                        recipient=recipient)
    return engagement


def engagement_accept(*, engagement: Engagement, by: User) -> tuple[Engagement, str | None]:
    """A company member accepts; the payment is created through the configured provider.

    Returns the engagement and where to send the payer (Stripe Checkout's URL, or None for an invoice).
    The acceptance, the Payment and the invoice number (or Stripe attempt) commit together; Stripe is called
    afterwards, outside the transaction — if that call fails the acceptance stands and "Pay now" retries.
    Raises EngagementError "not_allowed", "proposal_expired", "invalid_transition".
    """
    if not _is_member(by, engagement.company_id):
        raise EngagementError("not_allowed")
    if engagement.status == E.PROPOSED and engagement.valid_until < _local_today():
        raise EngagementError("proposal_expired")
    provider = provider_default()
    with transaction.atomic():
        _move(engagement, E.ACCEPTED, accepted_at=timezone.now(), accepted_by=by)
        vat = vat_of(engagement.amount_minor, vat_rate_for(engagement=engagement))
        payment = Payment.objects.create(
            engagement=engagement, provider=provider.name, amount_minor=engagement.amount_minor, vat_minor=vat,
            total_minor=engagement.amount_minor + vat, currency=engagement.currency)
        provider.prepare(payment=payment)
        _event(booking=engagement.booking, kind=Kind.ACCEPTED, actor=by, engagement_id=engagement.pk,
               provider=provider.name)
        consultant = engagement.consultant
        email_queue(template="engagements_accepted",
                    context={"engagement": engagement, "by_name": _name(by),
                             "link": _link("engagements:session", engagement.booking_id)},
                    recipient=Recipient(email=consultant.user.email, language=consultant.user.language,
                                        time_zone=consultant.time_zone, name=consultant.display_name))
    return engagement, provider.start(payment=payment)


def engagement_decline(*, engagement: Engagement, by: User, reason: str = "") -> Engagement:
    """A company member declines, optionally saying why; the consultant is told."""
    if not _is_member(by, engagement.company_id):
        raise EngagementError("not_allowed")
    with transaction.atomic():
        _move(engagement, E.DECLINED, decline_reason=reason.strip(), closed_at=timezone.now())
        _event(booking=engagement.booking, kind=Kind.DECLINED, actor=by, engagement_id=engagement.pk,
               reason=reason.strip())
        consultant = engagement.consultant
        email_queue(template="engagements_declined",
                    context={"engagement": engagement, "by_name": _name(by), "reason": reason.strip(),
                             "link": _link("engagements:session", engagement.booking_id)},
                    recipient=Recipient(email=consultant.user.email, language=consultant.user.language,
                                        time_zone=consultant.time_zone, name=consultant.display_name))
    return engagement


def engagement_complete(*, engagement: Engagement, by: User) -> Engagement:
    """The consultant marks paid work as delivered."""
    if not _is_consultant_of(by, engagement):
        raise EngagementError("not_allowed")
    with transaction.atomic():
        _move(engagement, E.COMPLETED, completed_at=timezone.now())
        _event(booking=engagement.booking, kind=Kind.COMPLETED, actor=by, engagement_id=engagement.pk)
        # The company gave its customers' NPS before the session: ask for the second one (a private link).
        customer_nps_request_send(booking=engagement.booking)
    return engagement


def engagement_cancel(*, engagement: Engagement, by: User) -> Engagement:
    """The consultant (or staff) withdraws a draft, a proposal, or an accepted but unpaid engagement.

    An unpaid payment is cancelled with it. A Checkout Session that is still open at Stripe cannot be closed
    from here without a network call inside the transaction; if it is paid anyway, `payment_fulfil` refuses
    (the payment is no longer pending) and logs it for a manual refund.
    """
    by_consultant = _is_consultant_of(by, engagement)
    if not (by_consultant or by.is_staff):
        raise EngagementError("not_allowed")
    with transaction.atomic():
        was = engagement.status
        was_sent = was != E.DRAFT
        _move(engagement, E.CANCELLED, closed_at=timezone.now())
        payments = Payment.objects.filter(engagement=engagement, status=Payment.Status.PENDING).update(
            status=Payment.Status.CANCELLED)
        if was_sent:
            # PipelineEvent has no "proposal cancelled" kind: LOST, with the cause in data.
            _event(booking=engagement.booking, kind=Kind.LOST, actor=by, engagement_id=engagement.pk,
                   cause="proposal_cancelled")
        if not by_consultant:  # staff withdrew someone else's proposal: the audit log says who
            audit_record(actor=by, action="engagement.withdraw", target=engagement, status_from=was,
                         amount_minor=engagement.amount_minor, currency=engagement.currency,
                         booking_id=engagement.booking_id, payments_cancelled=payments)
    return engagement


def engagements_expire(*, today: date | None = None) -> int:
    """Mark proposals whose valid-until day has passed as expired. Safe to run twice or concurrently."""
    today = today or _local_today()
    expired = 0
    candidates = (Engagement.objects.filter(status=E.PROPOSED, valid_until__lt=today)
                  .select_related("booking", "consultant__user").order_by("pk"))
    for engagement in candidates:
        try:
            with transaction.atomic():
                _move(engagement, E.EXPIRED, closed_at=timezone.now())
                # The consultant's proposal ran out: LOST (no "proposal expired" kind), the cause in data.
                _event(booking=engagement.booking, kind=Kind.LOST, actor=engagement.consultant.user,
                       engagement_id=engagement.pk, cause="proposal_expired")
        except EngagementError:  # accepted, declined or expired by someone else meanwhile
            continue
        expired += 1
    return expired


# --- Payment ------------------------------------------------------------------------------------
def payment_fulfil(*, payment: Payment, by: User | None = None, reference: str = "") -> bool:
    """Mark the payment and its engagement paid — exactly once, however often and from wherever it is called
    (success redirect, webhook, staff, admin). True for the call that did it, False for every other.

    The claim is `UPDATE … SET status=paid WHERE status=pending`; only the call that sees row count 1 writes
    the timeline step and queues the receipt.
    """
    now = timezone.now()
    with transaction.atomic():
        fields = {"status": Payment.Status.PAID, "paid_at": now, "marked_paid_by": by}
        if reference:
            fields["provider_reference"] = reference
        if Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(**fields) != 1:
            current = Payment.objects.filter(pk=payment.pk).values_list("status", flat=True).first()
            if current == Payment.Status.CANCELLED:
                log.error("Payment %s was paid after its engagement was cancelled: refund it by hand", payment.pk)
            return False
        engagement = Engagement.objects.select_related("booking", "accepted_by", "consultant", "company").get(
            pk=payment.engagement_id)
        _move(engagement, E.PAID, paid_at=now)
        payment.refresh_from_db()
        payer = engagement.accepted_by
        _event(booking=engagement.booking, kind=Kind.PAID, actor=payer, engagement_id=engagement.pk,
               provider=payment.provider, marked_by=by.pk if by else None)
        if payer:
            invoice = getattr(payment, "invoice", None) if payment.provider == Payment.Provider.INVOICE else None
            email_queue(template="engagements_receipt",
                        context={"engagement": engagement, "payment": payment, "invoice": invoice,
                                 "link": _link("engagements:engagement", engagement.pk)},
                        recipient=Recipient.for_user(payer))
    return True


def invoice_mark_paid(*, payment: Payment, by: User) -> bool:
    """Staff record that an invoice was paid (from the staff page or the admin), with an entry in the audit log.

    False (and no audit entry) when the payment was no longer pending. Raises EngagementError("not_allowed")
    for non-staff and ("not_pending") for a payment that is not by invoice.
    """
    if not by.is_staff:
        raise EngagementError("not_allowed")
    if payment.provider != Payment.Provider.INVOICE:
        raise EngagementError("not_pending")
    with transaction.atomic():  # the audit entry commits or rolls back with the payment
        if not payment_fulfil(payment=payment, by=by):
            return False
        invoice = Invoice.objects.filter(payment=payment).first()
        audit_record(actor=by, action="invoice.mark_paid", target=invoice or payment, payment_id=payment.pk,
                     engagement_id=payment.engagement_id, invoice_number=invoice.number if invoice else "",
                     total_minor=payment.total_minor, currency=payment.currency)
    return True


def payment_refund(*, payment: Payment, reference: str = "") -> bool:
    """Record a full refund (Stripe's charge.refunded). True the first time, False after."""
    with transaction.atomic():
        if Payment.objects.filter(pk=payment.pk, status=Payment.Status.PAID).update(
                status=Payment.Status.REFUNDED, refunded_at=timezone.now()) != 1:
            return False
        engagement = Engagement.objects.select_related("booking", "consultant__user").get(pk=payment.engagement_id)
        _move(engagement, E.REFUNDED, closed_at=timezone.now())
        # Refunds are issued by staff at Stripe; the case is the consultant's, so the timeline names them.
        _event(booking=engagement.booking, kind=Kind.REFUNDED, actor=engagement.consultant.user,
               engagement_id=engagement.pk, reference=reference)
    return True


def payment_start(*, payment: Payment) -> str | None:
    """(Re)start paying: Stripe gives a Checkout URL, an invoice gives None. Call outside a transaction."""
    if payment.status != Payment.Status.PENDING:
        return None
    return provider_for(payment).start(payment=payment)


# --- Stripe ---------------------------------------------------------------------------------------
def _attempt_for_session(session: dict) -> PaymentAttempt | None:
    qs = PaymentAttempt.objects.select_related("payment")
    attempt = qs.filter(session_id=session.get("id")).first() if session.get("id") else None
    if attempt is None:
        # The webhook can outrun the line that stores the session id; our metadata names the attempt.
        attempt_id = stripe_api.metadata_id(session, "attempt_id")
        if attempt_id is not None:
            attempt = qs.filter(pk=attempt_id).first()
    return attempt


def checkout_session_paid(*, session: dict) -> bool:
    """A Checkout Session reports payment (webhook or success page). Fulfils once; checks amount and currency."""
    if session.get("payment_status") != "paid":
        return False
    attempt = _attempt_for_session(session)
    if attempt is None:
        log.warning("Checkout Session %s matches no payment attempt", session.get("id"))
        return False
    payment = attempt.payment
    amount, currency = session.get("amount_total"), (session.get("currency") or "").upper()
    if amount is not None and (amount != payment.total_minor or currency != payment.currency):
        log.error("Checkout Session %s paid %s %s, payment %s expects %s %s", session.get("id"), amount, currency,
                  payment.pk, payment.total_minor, payment.currency)
        return False
    with transaction.atomic():
        PaymentAttempt.objects.filter(pk=attempt.pk).exclude(status=PaymentAttempt.Status.SUCCEEDED).update(
            status=PaymentAttempt.Status.SUCCEEDED, closed_at=timezone.now(),
            session_id=attempt.session_id or session.get("id"))
        intent = session.get("payment_intent") or ""
        if isinstance(intent, dict):
            intent = intent.get("id", "")
        return payment_fulfil(payment=payment, reference=intent)


def checkout_session_closed(*, session: dict, status: str) -> bool:
    """An expired or failed Checkout Session closes its attempt; the next "Pay now" opens a new one."""
    attempt = _attempt_for_session(session)
    if attempt is None:
        return False
    return PaymentAttempt.objects.filter(pk=attempt.pk, status=PaymentAttempt.Status.OPEN).update(
        status=status, closed_at=timezone.now()) == 1


def charge_refunded(*, charge: dict) -> bool:
    if not charge.get("refunded"):  # partial refund: the engagement stays paid
        return False
    intent = charge.get("payment_intent") or ""
    if isinstance(intent, dict):
        intent = intent.get("id", "")
    payment = Payment.objects.filter(provider=Payment.Provider.STRIPE, provider_reference=intent).first() \
        if intent else None
    if payment is None:
        engagement_id = stripe_api.metadata_id(charge, "engagement_id")
        payment = Payment.objects.filter(engagement_id=engagement_id).first() if engagement_id is not None else None
    if payment is None:
        log.warning("Refunded charge %s matches no payment", charge.get("id"))
        return False
    return payment_refund(payment=payment, reference=charge.get("id", ""))


HANDLERS = {
    "checkout.session.completed": lambda obj: checkout_session_paid(session=obj),
    "checkout.session.async_payment_succeeded": lambda obj: checkout_session_paid(session=obj),
    "checkout.session.async_payment_failed": lambda obj: checkout_session_closed(
        session=obj, status=PaymentAttempt.Status.FAILED),
    "checkout.session.expired": lambda obj: checkout_session_closed(session=obj, status=PaymentAttempt.Status.EXPIRED),
    "charge.refunded": lambda obj: charge_refunded(charge=obj),
}


def stripe_event_process(*, event: dict) -> bool:
    """Store a verified event once and act on it, in one transaction. False for a duplicate (nothing done).

    If acting fails, the stored id rolls back too, so Stripe's retry is processed rather than ignored.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                StripeEvent.objects.create(event_id=event["id"], type=event.get("type", ""),
                                           livemode=bool(event.get("livemode")))
        except IntegrityError:
            return False
        handler = HANDLERS.get(event.get("type", ""))
        if handler:
            handler((event.get("data") or {}).get("object") or {})
    return True
