"""Data protection for companies: export everything we hold about a company, and delete the company account.

Not a report: it lives in reports/ only because it must reach into every app's tables (accounts, booking,
waitlist, feedback, engagements), and reports is the one app above all of them. reports/ is otherwise read-only
for product data; this module is the one, deliberate exception, with the deletion next to the export that must
list the same tables.

Deletion anonymises instead of deleting where the reports need the row: bookings keep status, times,
consultant and slot; feedback keeps its score and dates; engagements keep amounts, currency, VAT rate, status
and dates. Everything that names or describes a person or the company goes: the company's name and
organisation number, member accounts (e-mail, name, password, verified addresses — unless the person also
belongs to another company or is a consultant or staff, then only the membership goes), intake answers,
cancellation reasons and messages, feedback comments, gap report texts, proposal titles, scopes and decline
reasons, timeline names, and the object labels and old/new values in staff's audit log. Invoices are the
exception: bookkeeping law (Sweden 7 years, Denmark 5) requires keeping them as issued, so the invoice rows
keep the buyer's name and number (GDPR art. 17(3)(b)).
"""


from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEntry, Company, Membership, User
from accounts.tokens import token_new
from booking.models import Booking, IntakeAnswer, PipelineEvent
from engagements.models import Engagement, GapItem, GapReport
from feedback.models import CustomerNpsRequest, CustomerNpsSnapshot, Feedback
from reports.models import DataRequestLog
from waitlist.models import WaitlistEntry

# Timeline data keys that may hold free text typed by a person; codes written by the system are kept.
FREE_TEXT_KEYS = ("reason", "message", "comment", "note")
SYSTEM_REASON_CODES = {"proposal_cancelled", "proposal_expired"}


class DataProtectionError(Exception):
    MESSAGES = {
        "not_owner": _("Only an owner of the company can do this."),
        "upcoming_sessions": _("Cancel your upcoming sessions before deleting the company account."),
        "open_payments": _("Pay or cancel your accepted proposals before deleting the company account."),
    }

    def __init__(self, code: str, message: str = ""):
        self.code = code
        self.message = message or str(self.MESSAGES.get(code, code))
        super().__init__(self.message)


def _require_owner(company: Company, by: User) -> None:
    if not Membership.objects.filter(company=company, user=by, role=Membership.Role.OWNER).exists():
        raise DataProtectionError("not_owner")


# --- export -----------------------------------------------------------------------------------------------
def company_export_data(*, company: Company, by: User) -> dict:
    """Everything Probono holds about `company`, as JSON-ready data; logged for staff. A fixed number of
    queries (prefetches), whatever the number of bookings. Raises DataProtectionError("not_owner")."""
    _require_owner(company, by)
    memberships = Membership.objects.filter(company=company).select_related("user").order_by("pk")
    bookings = (Booking.objects.filter(company=company).select_related("consultant", "slot", "booked_by")
                .prefetch_related(Prefetch("answers", queryset=IntakeAnswer.objects.order_by("order", "pk")),
                                  Prefetch("events", queryset=PipelineEvent.objects.order_by("created_at", "pk")),
                                  Prefetch("feedback", queryset=Feedback.objects.order_by("pk")),
                                  Prefetch("customer_nps", queryset=CustomerNpsSnapshot.objects.order_by("phase")
                                           .prefetch_related("comments")))
                .order_by("slot__starts_at", "pk"))
    reports = (GapReport.objects.filter(booking__company=company, shared_at__isnull=False)
               .prefetch_related("items").order_by("pk"))
    engagements = (Engagement.objects.filter(company=company).exclude(status=Engagement.Status.DRAFT)
                   .select_related("consultant", "payment", "payment__invoice").order_by("pk"))
    waitlist = WaitlistEntry.objects.filter(company=company).select_related("consultant", "user").order_by("pk")

    def payment_of(e):
        p = getattr(e, "payment", None)
        if p is None:
            return None
        invoice = getattr(p, "invoice", None)
        return {"provider": p.provider, "status": p.status, "amount_minor": p.amount_minor,
                "vat_minor": p.vat_minor, "total_minor": p.total_minor, "currency": p.currency,
                "paid_at": p.paid_at, "refunded_at": p.refunded_at,
                "invoice": None if invoice is None else {
                    "number": invoice.number, "issued_on": invoice.issued_on, "due_on": invoice.due_on,
                    "company_name": invoice.company_name, "total_minor": invoice.total_minor}}

    data = {
        "exported_at": timezone.now(),
        "company": {"id": company.pk, "name": company.name, "org_number": company.org_number,
                    "billing_address": company.billing_address, "vat_number": company.vat_number,
                    "country": company.country, "industry": company.industry, "size": company.size,
                    "created_at": company.created_at},
        "members": [{"name": m.user.name, "email": m.user.email, "role": m.role, "language": m.user.language,
                     "time_zone": m.user.time_zone, "member_since": m.created_at} for m in memberships],
        "bookings": [{
            "id": b.pk, "consultant": b.consultant.display_name, "starts_at": b.slot.starts_at,
            "ends_at": b.slot.ends_at, "status": b.status, "booked_by": b.booked_by.email,
            "created_at": b.created_at, "cancelled_at": b.cancelled_at, "cancel_reason": b.cancel_reason,
            "meeting_place": b.place_kind, "company_phone": b.company_phone,
            "intake_answers": [{"question": a.question_label, "answer": a.value} for a in b.answers.all()],
            "timeline": [{"step": e.kind, "by": e.actor_name, "at": e.created_at, "data": e.data}
                         for e in b.events.all()],
            "feedback": [{"survey": f.kind, "score": f.score, "comment": f.comment, "show_company": f.show_company,
                          "answered_at": f.answered_at} for f in b.feedback.all()],
            "customer_nps": [{"when": s.phase, "answers_per_score": s.counts, "answers_per_month": s.monthly,
                              "file": s.filename, "public_consent": s.public_consent, "saved_at": s.created_at,
                              "comments": [{"score": c.score, "date": c.answered_on, "segment": c.segment,
                                            "comment": c.text} for c in s.comments.all()]}
                             for s in b.customer_nps.all()],
        } for b in bookings],
        "gap_reports": [{"booking_id": r.booking_id, "summary": r.summary, "recommendations": r.recommendations,
                         "next_steps": r.next_steps, "shared_at": r.shared_at,
                         "gaps": [{"title": i.title, "detail": i.detail, "priority": i.priority}
                                  for i in r.items.all()]} for r in reports],
        "engagements": [{"id": e.pk, "booking_id": e.booking_id, "consultant": e.consultant.display_name,
                         "title": e.title, "scope": e.scope, "amount_minor": e.amount_minor, "currency": e.currency,
                         "vat_rate_bp": e.vat_rate_bp, "status": e.status, "decline_reason": e.decline_reason,
                         "proposed_at": e.proposed_at, "accepted_at": e.accepted_at, "paid_at": e.paid_at,
                         "completed_at": e.completed_at, "payment": payment_of(e)} for e in engagements],
        "waitlist": [{"consultant": w.consultant.display_name, "person": w.user.email, "status": w.status,
                      "since": w.created_at} for w in waitlist],
    }
    DataRequestLog.objects.create(kind=DataRequestLog.Kind.EXPORT, company_id_ref=company.pk, requested_by=by,
                                  details={"bookings": len(data["bookings"]), "members": len(data["members"])})
    return data


# --- deletion ---------------------------------------------------------------------------------------------
def _scrub(data: dict) -> dict:
    return {k: v for k, v in (data or {}).items()
            if k not in FREE_TEXT_KEYS or (isinstance(v, str) and v in SYSTEM_REASON_CODES)}


def _audit_forget(targets: dict) -> None:
    """Staff's audit entries about the deleted company's objects keep who did what and when, but lose the
    snapshots (object labels, old and new values), which may quote names and texts. Invoices and payments
    are not listed: they are kept as issued."""
    match = Q(pk__in=[])
    for model, ids in targets.items():
        match |= Q(target_type=ContentType.objects.get_for_model(model), target_id__in=[str(pk) for pk in ids])
    AuditEntry.objects.filter(match).update(target_label="", data={})


def company_delete(*, company: Company, by: User) -> DataRequestLog:
    """Delete the company account: anonymise what the reports count, remove everything else personal.

    Raises DataProtectionError: "not_owner", "upcoming_sessions" (a requested or confirmed session has not
    ended yet), "open_payments" (an accepted proposal awaits payment). One transaction: all or nothing.
    """
    _require_owner(company, by)
    now = timezone.now()
    with transaction.atomic():
        if Booking.objects.filter(company=company, status__in=Booking.ACTIVE, slot__ends_at__gt=now).exists():
            raise DataProtectionError("upcoming_sessions")
        if Engagement.objects.filter(company=company, status=Engagement.Status.ACCEPTED).exists():
            raise DataProtectionError("open_payments")

        members = list(Membership.objects.filter(company=company).values_list("user_id", flat=True))
        # People who belong elsewhere (another company, a consultant profile, staff) keep their account.
        keep = set(User.objects.filter(pk__in=members).filter(
            Q(is_staff=True) | Q(consultant__isnull=False) | Q(memberships__in=Membership.objects.exclude(
                company=company))).values_list("pk", flat=True))
        erase = [pk for pk in members if pk not in keep]

        bookings = Booking.objects.filter(company=company)
        booking_ids = list(bookings.values_list("pk", flat=True))
        stats = {"bookings": len(booking_ids), "people_erased": len(erase), "people_kept": len(keep)}

        IntakeAnswer.objects.filter(booking_id__in=booking_ids).update(value=None)
        # The company's own customers' scores and comments are its data, not the reports': they go entirely.
        CustomerNpsSnapshot.objects.filter(booking_id__in=booking_ids).delete()
        CustomerNpsRequest.objects.filter(booking_id__in=booking_ids).delete()
        Feedback.objects.filter(booking_id__in=booking_ids).update(comment="", show_company=False, token_hash=None)
        for pk in booking_ids:  # a fresh random hash each: old manage links stop working
            Booking.objects.filter(pk=pk).update(
                cancel_reason="", company_phone="", manage_token_hash=token_new()[1])
        Booking.objects.filter(pk__in=booking_ids, cancelled_by_id__in=members).update(cancelled_by=None)
        events = PipelineEvent.objects.filter(booking_id__in=booking_ids)
        events.filter(actor_id__in=members).update(actor=None, actor_name="")
        for event in events.only("pk", "data"):
            scrubbed = _scrub(event.data)
            if scrubbed != event.data:
                PipelineEvent.objects.filter(pk=event.pk).update(data=scrubbed)

        _audit_forget({
            Company: [company.pk], User: erase, Booking: booking_ids,
            Membership: Membership.objects.filter(company=company).values_list("pk", flat=True),
            WaitlistEntry: WaitlistEntry.objects.filter(company=company).values_list("pk", flat=True),
            Engagement: Engagement.objects.filter(company=company).values_list("pk", flat=True),
            GapReport: GapReport.objects.filter(booking_id__in=booking_ids).values_list("pk", flat=True),
            GapItem: GapItem.objects.filter(report__booking_id__in=booking_ids).values_list("pk", flat=True),
            Feedback: Feedback.objects.filter(booking_id__in=booking_ids).values_list("pk", flat=True),
        })
        GapItem.objects.filter(report__booking_id__in=booking_ids).delete()
        GapReport.objects.filter(booking_id__in=booking_ids).update(summary="", recommendations="", next_steps="")
        Engagement.objects.filter(company=company).update(title="", scope="", decline_reason="")
        Engagement.objects.filter(company=company, accepted_by_id__in=members).update(accepted_by=None)

        WaitlistEntry.objects.filter(company=company).delete()
        Membership.objects.filter(company=company).delete()
        for user in User.objects.filter(pk__in=erase):
            user.email = f"deleted-{user.pk}@deleted.invalid"
            user.name = ""
            user.is_active = False
            user.set_unusable_password()
            user.save(update_fields=["email", "name", "is_active", "password"])
            user.emailaddress_set.all().delete()

        log = DataRequestLog.objects.create(kind=DataRequestLog.Kind.DELETION, company_id_ref=company.pk,
                                            requested_by=None if by.pk in erase else by, details=stats)
        if bookings.exists() or Engagement.objects.filter(company=company).exists():
            company.name = str(_("Deleted company %(id)s")) % {"id": company.pk}
            company.org_number = company.billing_address = company.vat_number = ""
            company.save(update_fields=["name", "org_number", "billing_address", "vat_number"])
            stats["company"] = "anonymised"
        else:
            company.delete()
            stats["company"] = "removed"
        log.details = stats
        log.save(update_fields=["details"])
    return log
