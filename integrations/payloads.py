"""What a webhook says: `{"type": "<event>", "timestamp": "<ISO 8601 UTC>", "data": {…}}` (README: Webhooks).

Built inside the transaction that made the event, so the payload is what was true at that moment, whatever
happens to the booking later. Only facts the endpoint's owner already sees on their pages; never a token, a
meeting link or intake answers.
"""

from datetime import datetime

from booking.models import Booking, PipelineEvent
from engagements.models import Engagement
from feedback.models import Feedback
from integrations.models import Event

# Which pipeline steps are webhook events. "requested" is a booking too (it waits for the consultant's yes).
PIPELINE_EVENTS = {
    PipelineEvent.Kind.BOOKED: Event.BOOKING_CREATED,
    PipelineEvent.Kind.REQUESTED: Event.BOOKING_CREATED,
    PipelineEvent.Kind.CANCELLED: Event.BOOKING_CANCELLED,
    PipelineEvent.Kind.RESCHEDULED: Event.BOOKING_RESCHEDULED,
    PipelineEvent.Kind.HELD: Event.SESSION_HELD,
    PipelineEvent.Kind.NO_SHOW: Event.SESSION_NO_SHOW,
    PipelineEvent.Kind.PROPOSAL_SENT: Event.PROPOSAL_SENT,
    PipelineEvent.Kind.ACCEPTED: Event.PROPOSAL_ACCEPTED,
    PipelineEvent.Kind.PAID: Event.PAYMENT_RECEIVED,
}


def event_for(step: PipelineEvent) -> str | None:
    """The webhook event a pipeline step is, if any. A request the consultant declines, or that expires, ends the
    booking as a cancellation does (`data.booking.status` tells which); "declined" on a proposal (it names an
    engagement) is not a booking event."""
    if step.kind == PipelineEvent.Kind.EXPIRED or (
            step.kind == PipelineEvent.Kind.DECLINED and not (step.data or {}).get("engagement_id")):
        return Event.BOOKING_CANCELLED
    return PIPELINE_EVENTS.get(step.kind)


# The keys of a pipeline step's data that a payload may carry (people's own words and times; no internal codes).
DETAIL_KEYS = ("reason", "by", "from", "to")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def booking_data(booking: Booking) -> dict:
    return {
        "id": booking.pk,
        "status": booking.status,
        "starts_at": _iso(booking.slot.starts_at),
        "ends_at": _iso(booking.slot.ends_at),
        "consultant": {"id": booking.consultant_id, "name": booking.consultant.display_name,
                       "slug": booking.consultant.slug},
        "company": {"id": booking.company_id, "name": booking.company.name},
        "contact": {"name": booking.booked_by.name, "email": booking.booked_by.email},
    }


def engagement_data(engagement: Engagement) -> dict:
    return {"id": engagement.pk, "title": engagement.title, "status": engagement.status,
            "amount_minor": engagement.amount_minor, "currency": engagement.currency}


def envelope(event: str, at: datetime, data: dict) -> dict:
    return {"type": str(event), "timestamp": _iso(at), "data": data}


def pipeline_payload(step: PipelineEvent) -> dict:
    booking = step.booking
    data = {"booking": booking_data(booking), "actor": {"name": step.actor_name}}
    details = {k: step.data[k] for k in DETAIL_KEYS if k in (step.data or {})}
    if "message" in (step.data or {}) and "reason" not in details:  # a declined request: the consultant's words
        details["reason"] = step.data["message"]
    if details:
        data["details"] = details
    engagement_id = (step.data or {}).get("engagement_id")
    if engagement_id:
        engagement = Engagement.objects.filter(pk=engagement_id).first()
        if engagement is not None:
            data["engagement"] = engagement_data(engagement)
    return envelope(event_for(step), step.created_at, data)


def feedback_payload(feedback: Feedback) -> dict:
    return envelope(Event.FEEDBACK_RECEIVED, feedback.updated_at or feedback.answered_at, {
        "booking": booking_data(feedback.booking),
        "feedback": {"id": feedback.pk, "survey": feedback.kind, "score": feedback.score,
                     "comment": feedback.comment, "answered_at": _iso(feedback.answered_at)},
    })
