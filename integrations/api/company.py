"""A company member: our bookings (create, read, cancel, reschedule), our proposals and invoices.

The same rules as the pages: "our" is the company the member acts for (their first membership); another
company's booking is a 404; every change goes through booking.services (locks, fair use, notifications).
"""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from accounts.models import Company
from accounts.selectors import company_for_user
from booking.models import Booking, IntakeAnswer
from booking.questionnaires import IntakeForm, answers_missing, questionnaire_get_current
from booking.selectors import booking_get_for_member
from booking.services import booking_cancel, booking_create, booking_reschedule
from consultants.models import Slot
from engagements.models import Engagement, Invoice
from integrations.api.auth import SIGNED_IN
from integrations.api.errors import ApiError
from integrations.api.pagination import MAX_LIMIT, paginate
from integrations.api.schemas import (
    BookingCreatedOut,
    BookingCreateIn,
    BookingOut,
    BookingPage,
    CancelIn,
    InvoicePage,
    ProposalPage,
    RescheduleIn,
)

router = Router(tags=["company"], auth=SIGNED_IN)


class PageQuery(Schema):
    cursor: str | None = Field(None, max_length=20)
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


def _company_or_404(request) -> Company:
    company = company_for_user(request.user)
    if company is None:
        raise Http404
    return company


def booking_out(b: Booking, *, for_consultant: bool = False) -> dict:
    """A booking with its answers and place (callers prefetch answers and select the slot and consultant)."""
    active = b.is_active
    return {
        "id": b.pk, "status": b.status, "consultant": b.consultant.display_name, "consultant_slug": b.consultant.slug,
        "company": b.company.name, "starts_at": b.slot.starts_at, "ends_at": b.slot.ends_at,
        "created_at": b.created_at, "cancelled_at": b.cancelled_at,
        "answers": [{"question": a.question_label, "kind": a.question_kind, "value": a.value} for a in b.answers.all()],
        "place": {"kind": b.place_kind, "join_url": b.place_join_url, "address": b.place_address_line(),
                  "phone": b.company_phone if for_consultant else b.place_phone,
                  "directions": b.place_directions} if active else None,
    }


def bookings_with_answers(qs):
    return qs.select_related("slot", "consultant", "company").prefetch_related(
        Prefetch("answers", queryset=IntakeAnswer.objects.order_by("order", "pk")))


@router.get("/bookings", response=BookingPage, url_name="booking_list")
def booking_list(request, page: Query[PageQuery]):
    """Our company's sessions, newest first, with their intake answers."""
    company = _company_or_404(request)
    rows, nxt = paginate(bookings_with_answers(Booking.objects.filter(company=company)),
                         cursor=page.cursor, limit=page.limit)
    return {"items": [booking_out(b) for b in rows], "next_cursor": nxt}


def _member_booking_or_404(request, booking_id: int) -> Booking:
    booking = booking_get_for_member(user=request.user, pk=booking_id)
    if booking is None:
        raise Http404
    return booking


@router.get("/bookings/{int:booking_id}", response=BookingOut, url_name="booking_get")
def booking_get(request, booking_id: int):
    return booking_out(_member_booking_or_404(request, booking_id))


def _answers_data(questions, answers: dict) -> MultiValueDict:
    """The JSON answers as the booking form's POST data, so the API checks them with the pages' own form."""
    data = MultiValueDict()
    known = {str(q.pk): q for q in questions}
    unknown = [k for k in answers if k not in known]
    if unknown:
        raise ApiError(422, "unknown_question", _("These are not questions of this consultant: %(ids)s")
                       % {"ids": ", ".join(sorted(unknown)[:10])})
    for key, value in answers.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "yes" if value else "no"
        data.setlist(f"q_{key}", [str(v) for v in value] if isinstance(value, list) else [str(value)])
    return data


@router.post("/bookings", response={201: BookingCreatedOut}, url_name="booking_create")
def booking_create_view(request, data: BookingCreateIn):
    """Book a free time with the answers to the consultant's current questions (`/consultants/{slug}/questions`).

    Refusals are the booking flow's own: `slot_taken`, `slot_unavailable`, `answers_missing`, `max_upcoming`, …
    The answer includes the session's manage token, shown this once.
    """
    company = _company_or_404(request)
    slot = get_object_or_404(Slot.objects.select_related("consultant__user"), pk=data.slot_id,
                             consultant__user__is_active=True, consultant__hidden_by_staff=False)
    questionnaire = questionnaire_get_current(slot.consultant)
    questions = list(questionnaire.questions.all())
    given = {q.pk: data.answers.get(str(q.pk)) for q in questions}
    if answers_missing(questions, given):
        raise ApiError(409, "answers_missing", _("Please answer every required question."))
    form = IntakeForm(_answers_data(questions, data.answers), questions=questions)
    if not form.is_valid():
        raise ApiError(422, "answers_invalid", "; ".join(
            f"{key[2:]}: {' '.join(errors)}" for key, errors in form.errors.items()))
    booking = booking_create(slot=slot, company=company, user=request.user, answers=form.answers(),
                             questionnaire=questionnaire, company_phone=data.company_phone)
    token = booking.manage_token
    fresh = bookings_with_answers(Booking.objects.filter(pk=booking.pk)).get()
    return Status(201, {**booking_out(fresh), "manage_token": token})


@router.post("/bookings/{int:booking_id}/cancel", response=BookingOut, url_name="booking_cancel")
def booking_cancel_view(request, booking_id: int, data: CancelIn):
    """Cancel our session (the time is offered again, first to the waitlist)."""
    booking = _member_booking_or_404(request, booking_id)
    booking_cancel(booking=booking, by=request.user, reason=data.reason)
    return booking_out(_member_booking_or_404(request, booking_id))


@router.post("/bookings/{int:booking_id}/reschedule", response=BookingOut, url_name="booking_reschedule")
def booking_reschedule_view(request, booking_id: int, data: RescheduleIn):
    """Move our session to another free time of the same consultant."""
    booking = _member_booking_or_404(request, booking_id)
    new_slot = Slot.objects.filter(pk=data.slot_id, consultant_id=booking.consultant_id).first()
    if new_slot is None:
        raise Http404
    booking_reschedule(booking=booking, new_slot=new_slot, by=request.user)
    return booking_out(_member_booking_or_404(request, booking_id))


@router.get("/proposals", response=ProposalPage, url_name="proposal_list")
def proposal_list(request, page: Query[PageQuery]):
    """Proposals sent to our company (never a consultant's draft)."""
    company = _company_or_404(request)
    qs = (Engagement.objects.filter(company=company).exclude(status=Engagement.Status.DRAFT)
          .select_related("consultant"))
    rows, nxt = paginate(qs, cursor=page.cursor, limit=page.limit)
    return {"items": [{"id": e.pk, "title": e.title, "scope": e.scope, "status": e.status,
                       "consultant": e.consultant.display_name, "amount_minor": e.amount_minor,
                       "vat_rate_bp": e.vat_rate_bp, "currency": e.currency, "valid_until": e.valid_until,
                       "proposed_at": e.proposed_at, "accepted_at": e.accepted_at, "paid_at": e.paid_at}
                      for e in rows], "next_cursor": nxt}


@router.get("/invoices", response=InvoicePage, url_name="invoice_list")
def invoice_list(request, page: Query[PageQuery]):
    company = _company_or_404(request)
    qs = Invoice.objects.filter(payment__engagement__company=company).select_related("payment")
    rows, nxt = paginate(qs, cursor=page.cursor, limit=page.limit)
    return {"items": [invoice_out(i) for i in rows], "next_cursor": nxt}


def invoice_out(i: Invoice) -> dict:
    return {"id": i.pk, "number": i.number, "issued_on": i.issued_on, "due_on": i.due_on,
            "description": i.description, "amount_minor": i.amount_minor, "vat_minor": i.vat_minor,
            "total_minor": i.total_minor, "currency": i.currency, "paid": i.payment.paid_at is not None}
