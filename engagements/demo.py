"""Demo follow-ups: held sessions with gap reports, proposals in every state, a paid invoice, a Stripe payment.

Runs after booking/demo.py. Written straight to the tables (never through the services) so loading demo data
never queues e-mail or calls Stripe. Each scenario is marked with `data["demo"]` on its first timeline event;
a scenario found marked is skipped, so running the seed twice changes nothing.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from accounts.demo import CUSTOMER_ORGS
from accounts.models import Company, Membership
from booking.models import Booking, PipelineEvent
from consultants.models import Consultant, Slot
from engagements import references
from engagements.models import (
    Engagement,
    GapItem,
    GapReport,
    Invoice,
    Payment,
    PaymentAttempt,
    SellerSettings,
    vat_of,
)
from engagements.payments import invoice_next_number

# The demo seller (made-up numbers with valid check digits): a Swedish AB with bankgiro, IBAN and a Danish FI
# creditor number, so invoices in SEK show an OCR reference and invoices in DKK a +71 line.
DEMO_SELLER = dict(
    legal_name="Probono Nordic AB", address="Storgatan 1\n111 22 Stockholm", country="SE",
    org_number="559123-4561", vat_number="SE559123456101", f_tax=True, email="faktura@probono.test",
    bankgiro="5050-1055", iban="SE4550000000058398257466", bic="ESSESESS", fi_creditor_number="81234567")

E = Engagement.Status


@dataclass
class Offer:
    status: str
    title: str
    amount_minor: int
    provider: str = ""  # "invoice" or "stripe" for accepted and later


@dataclass
class Scenario:
    key: str
    org_number: str
    consultant: str
    days_ago: int
    outcome: str = "held"  # or "confirmed" (ended, outcome not recorded yet)
    report: str = ""  # "", "draft", "shared"
    offers: list[Offer] = field(default_factory=list)


# The three demo companies one logs in with each stay within fair use with booking/demo.py's sessions (at most
# two in 12 months, with different consultants); the other stories belong to accounts/demo.py's CUSTOMERS.
C = CUSTOMER_ORGS
SCENARIOS = [
    Scenario("won-invoice", "556677-8899", "sofia-berg", 20, report="shared",
             offers=[Offer(E.PAID, "Complaint handling review for repairs", 3_600_000, "invoice")]),
    Scenario("open", "10150817", "anna-lindqvist", 15, report="shared",
             offers=[Offer(E.PROPOSED, "NPS in every shop: set-up and coaching", 4_200_000)]),
    # Long enough ago that the engagement has been completed (never "completed" in the future).
    Scenario("won-stripe", "556036-0793", "anna-lindqvist", 40, report="shared",
             offers=[Offer(E.COMPLETED, "Family contact journey map", 1_900_000, "stripe")]),
    Scenario("lost-declined", C[10], "mads-norgaard", 40, report="shared",
             offers=[Offer(E.CANCELLED, "Tenant survey redesign (first draft)", 2_500_000),
                     Offer(E.DECLINED, "Tenant survey redesign", 2_200_000)]),
    Scenario("lost-expired", C[10], "anna-lindqvist", 45, report="shared",
             offers=[Offer(E.REFUNDED, "Half-day workshop", 900_000, "invoice"),
                     Offer(E.EXPIRED, "Customer-focused leadership programme", 6_000_000)]),
    Scenario("awaiting-payment", C[11], "anna-lindqvist", 30, report="draft",
             offers=[Offer(E.ACCEPTED, "Satisfaction measurement starter", 1_500_000, "invoice"),
                     Offer(E.DRAFT, "Follow-up measurement in spring", 800_000)]),
    Scenario("held-writing-report", C[12], "anna-lindqvist", 6, report="draft"),
    # Every consultant has a session that has ended and waits to be marked held or no-show.
    Scenario("outcome-pending", C[13], "anna-lindqvist", 3, outcome="confirmed"),
    Scenario("outcome-pending-mads", C[11], "mads-norgaard", 2, outcome="confirmed"),
    Scenario("outcome-pending-sofia", C[12], "sofia-berg", 4, outcome="confirmed"),
]

GAPS = [("Feedback is collected but nobody owns acting on it", "high"),
        ("Complaints are logged in three different places", "medium"),
        ("The survey has 32 questions; few finish it", "low")]


def _event(booking, kind, actor, name, when, **data):
    event = PipelineEvent.objects.create(booking=booking, kind=kind, actor=actor, actor_name=name, data=data)
    PipelineEvent.objects.filter(pk=event.pk).update(created_at=when)  # auto_now_add: set the story's time after


def _booking(s: Scenario, company: Company, consultant: Consultant, member) -> Booking:
    now = timezone.now()
    start = (now - timedelta(days=s.days_ago)).replace(hour=9, minute=0, second=0, microsecond=0)
    while Slot.objects.filter(consultant=consultant, starts_at=start).exists():
        start += timedelta(hours=1)
    slot = Slot.objects.create(consultant=consultant, starts_at=start, ends_at=start + timedelta(hours=1),
                               status=Slot.Status.BOOKED, added_by_hand=True)
    _token, token_hash = Booking.new_manage_token()
    booking = Booking.objects.create(slot=slot, consultant=consultant, company=company, booked_by=member,
                                     status=s.outcome, confirmed_at=start - timedelta(days=7),
                                     manage_token_hash=token_hash)
    _event(booking, "booked", member, member.name or member.email, start - timedelta(days=7), demo=s.key)
    if s.outcome == "held":
        _event(booking, "held", consultant.user, consultant.display_name, slot.ends_at + timedelta(hours=1))
    return booking


def _report(s: Scenario, booking: Booking, consultant: Consultant) -> None:
    shared_at = booking.slot.ends_at + timedelta(days=1) if s.report == "shared" else None
    report = GapReport.objects.create(
        booking=booking, shared_at=shared_at,
        summary="You listen to customers more than most, but what you hear rarely changes anything.",
        recommendations="Give one person the job of closing the loop, and report on it monthly.",
        next_steps="1. Name an owner. 2. Shorten the survey. 3. Call back every detractor within a week.")
    GapItem.objects.bulk_create([GapItem(report=report, title=t, priority=p, position=i)
                                 for i, (t, p) in enumerate(GAPS)])
    if shared_at:
        _event(booking, "gap_report_shared", consultant.user, consultant.display_name, shared_at,
               gap_report_id=report.pk)


def _offer(o: Offer, booking: Booking, consultant: Consultant, member) -> None:
    sent = booking.slot.ends_at + timedelta(days=2)
    valid_until = (timezone.localdate() - timedelta(days=3)) if o.status == E.EXPIRED \
        else timezone.localdate() + timedelta(days=21)
    later = {E.PROPOSED, E.ACCEPTED, E.PAID, E.COMPLETED, E.DECLINED, E.EXPIRED, E.CANCELLED, E.REFUNDED}
    accepted = o.status in {E.ACCEPTED, E.PAID, E.COMPLETED, E.REFUNDED}
    paid = o.status in {E.PAID, E.COMPLETED, E.REFUNDED}
    engagement = Engagement.objects.create(
        booking=booking, consultant=consultant, company=booking.company, title=o.title,
        scope="Kick-off workshop, interviews with staff and customers, a written action plan and a follow-up call.",
        amount_minor=o.amount_minor, currency=consultant.currency, valid_until=valid_until, status=o.status,
        decline_reason="The budget for this year is spent; ask us again in January." if o.status == E.DECLINED else "",
        proposed_at=sent if o.status != E.DRAFT else None,
        accepted_by=member if accepted else None, accepted_at=sent + timedelta(days=1) if accepted else None,
        paid_at=sent + timedelta(days=2) if paid else None,
        completed_at=sent + timedelta(days=20) if o.status == E.COMPLETED else None,
        closed_at=sent + timedelta(days=3) if o.status in {E.DECLINED, E.EXPIRED, E.CANCELLED, E.REFUNDED} else None)
    who = member.name or member.email
    if o.status in later:
        _event(booking, "proposal_sent", consultant.user, consultant.display_name, sent, engagement_id=engagement.pk,
               title=o.title, amount_minor=o.amount_minor, currency=engagement.currency)
    if o.status == E.DECLINED:
        _event(booking, "declined", member, who, sent + timedelta(days=3), engagement_id=engagement.pk,
               reason=engagement.decline_reason)
    if o.status in {E.EXPIRED, E.CANCELLED}:
        _event(booking, "lost", consultant.user, consultant.display_name, sent + timedelta(days=3),
               engagement_id=engagement.pk, cause=f"proposal_{o.status}")
    if not accepted:
        return
    _event(booking, "accepted", member, who, engagement.accepted_at, engagement_id=engagement.pk, provider=o.provider)
    seller = SellerSettings.current()
    reverse_charge = references.reverse_charge_applies(seller_country=seller.country,
                                                       buyer_vat_number=booking.company.vat_number)
    vat = 0 if reverse_charge else vat_of(o.amount_minor, engagement.vat_rate_bp)
    payment_status = {E.ACCEPTED: Payment.Status.PENDING, E.REFUNDED: Payment.Status.REFUNDED}
    status = payment_status.get(o.status, Payment.Status.PAID)
    payment = Payment.objects.create(
        engagement=engagement, provider=o.provider, status=status, amount_minor=o.amount_minor, vat_minor=vat,
        total_minor=o.amount_minor + vat, currency=engagement.currency, paid_at=engagement.paid_at,
        refunded_at=engagement.closed_at if o.status == E.REFUNDED else None,
        provider_reference="pi_demo_not_real" if o.provider == "stripe" else "")
    if o.provider == "stripe":
        PaymentAttempt.objects.create(payment=payment, session_id=f"cs_demo_{engagement.pk}_not_real",
                                      status=PaymentAttempt.Status.SUCCEEDED, closed_at=engagement.paid_at)
    else:
        issued = timezone.localdate()
        sequence = invoice_next_number(year=issued.year)
        company = booking.company
        base = references.invoice_reference_base(year=issued.year, sequence=sequence)
        Invoice.objects.create(
            payment=payment, year=issued.year, sequence=sequence, number=f"{issued.year}-{sequence:05d}",
            issued_on=issued, due_on=issued + timedelta(days=30), company_name=company.name,
            company_org_number=company.org_number, company_country=company.country,
            company_address=company.billing_address, company_vat_number=company.vat_number,
            seller=seller.snapshot(), reverse_charge=reverse_charge, ocr_reference=references.ocr_reference(base),
            fik_payment_id=references.fik_payment_id(base),
            seller_name=consultant.display_name, description=o.title, amount_minor=o.amount_minor,
            vat_rate_bp=0 if reverse_charge else engagement.vat_rate_bp, vat_minor=vat,
            total_minor=o.amount_minor + vat, currency=engagement.currency)
    if paid:
        _event(booking, "paid", member, who, engagement.paid_at, engagement_id=engagement.pk, provider=o.provider)
    if o.status == E.COMPLETED:
        _event(booking, "completed", consultant.user, consultant.display_name, engagement.completed_at,
               engagement_id=engagement.pk)
    if o.status == E.REFUNDED:
        _event(booking, "refunded", consultant.user, consultant.display_name, engagement.closed_at,
               engagement_id=engagement.pk)


def seed() -> list:
    if not SellerSettings.objects.exists():
        SellerSettings.objects.create(pk=1, **DEMO_SELLER)
    # booking/demo.py's held sessions get a shared gap report too (not later demos' sessions, which are marked
    # with data["demo"] and are created after this seed: touching them would make a second run change things).
    for booking in (Booking.objects.filter(status=Booking.Status.HELD, gap_report__isnull=True,
                                           events__kind="booked")
                    .exclude(events__data__has_key="demo").select_related("consultant__user", "slot").distinct()):
        _report(Scenario("booking-demo", "", "", 0, report="shared"), booking, booking.consultant)
    for s in SCENARIOS:
        if PipelineEvent.objects.filter(kind="booked", data__demo=s.key).exists():
            continue  # seeded before
        company = Company.objects.filter(org_number=s.org_number).first()
        consultant = Consultant.objects.filter(slug=s.consultant).select_related("user").first()
        membership = Membership.objects.filter(company=company).select_related("user").order_by("created_at").first()
        if company is None or consultant is None or membership is None:
            continue  # the demo people are not there (apps seeded selectively)
        booking = _booking(s, company, consultant, membership.user)
        if s.report:
            _report(s, booking, consultant)
        for offer in s.offers:
            _offer(offer, booking, consultant, membership.user)
    return []
