"""A consultant: my sessions with their intake answers, recording an outcome, my availability."""

from django.http import Http404
from ninja import Query, Router

from booking.models import Booking
from booking.selectors import booking_get_for_consultant
from consultants.models import Consultant
from engagements.services import session_record_outcome
from integrations.api.auth import SIGNED_IN
from integrations.api.company import PageQuery, booking_out, bookings_with_answers
from integrations.api.pagination import paginate
from integrations.api.schemas import AvailabilityOut, BookingOut, BookingPage, OutcomeIn

router = Router(tags=["consultant"], auth=SIGNED_IN)


def _consultant_or_404(request) -> Consultant:
    consultant = getattr(request.user, "consultant", None)
    if consultant is None:
        raise Http404
    return consultant


@router.get("/me/sessions", response=BookingPage, url_name="session_list")
def session_list(request, page: Query[PageQuery]):
    """My sessions, newest first, with the company's answers and where we meet."""
    consultant = _consultant_or_404(request)
    rows, nxt = paginate(bookings_with_answers(Booking.objects.filter(consultant=consultant)),
                         cursor=page.cursor, limit=page.limit)
    return {"items": [booking_out(b, for_consultant=True) for b in rows], "next_cursor": nxt}


@router.get("/me/sessions/{int:booking_id}", response=BookingOut, url_name="session_get")
def session_get(request, booking_id: int):
    _consultant_or_404(request)
    booking = booking_get_for_consultant(user=request.user, pk=booking_id)
    if booking is None:
        raise Http404
    return booking_out(booking, for_consultant=True)


@router.post("/me/sessions/{int:booking_id}/outcome", response=BookingOut, url_name="session_outcome")
def session_outcome(request, booking_id: int, data: OutcomeIn):
    """Record that a session that has ended was held, or that the company did not come (`too_early`,
    `not_confirmed` otherwise)."""
    _consultant_or_404(request)
    booking = booking_get_for_consultant(user=request.user, pk=booking_id)
    if booking is None:
        raise Http404
    session_record_outcome(booking=booking, outcome=data.outcome, by=request.user)
    return booking_out(booking_get_for_consultant(user=request.user, pk=booking_id), for_consultant=True)


@router.get("/me/availability", response=AvailabilityOut, url_name="availability")
def availability(request):
    """My weekly and monthly rules and my time off (wall-clock times in my time zone)."""
    consultant = _consultant_or_404(request)
    return {"time_zone": consultant.time_zone,
            "rules": [{"id": r.pk, "kind": r.kind, "ordinal": r.ordinal, "weekday": r.weekday, "on_date": r.on_date,
                       "start_time": _hm(r.start_time), "end_time": _hm(r.end_time),
                       "session_minutes": r.session_minutes, "buffer_minutes": r.buffer_minutes,
                       "is_active": r.is_active} for r in consultant.rules.order_by("pk")],
            "time_off": [{"id": b.pk, "start_date": b.start_date, "end_date": b.end_date,
                          "start_time": _hm(b.start_time), "end_time": _hm(b.end_time), "note": b.note}
                         for b in consultant.blackouts.order_by("start_date", "pk")]}


def _hm(value) -> str | None:
    return value.strftime("%H:%M") if value is not None else None
