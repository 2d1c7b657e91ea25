"""Staff: the pipeline (bookings, engagements, payments) with filters and cursor pagination."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from booking.models import Booking
from engagements.models import Engagement, Payment
from integrations.api.auth import SIGNED_IN
from integrations.api.errors import ApiError
from integrations.api.pagination import MAX_LIMIT, paginate
from integrations.api.schemas import PaymentPage, PipelineBookingPage, PipelineEngagementPage


def staff_only(request) -> None:
    if not request.user.is_staff:
        raise ApiError(403, "staff_only", _("Only staff may read the pipeline."))


router = Router(tags=["staff"], auth=SIGNED_IN)


class PipelineFilter(Schema):
    cursor: str | None = Field(None, max_length=20)
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    status: str = Field("", max_length=16)
    consultant: str = Field("", max_length=80, description="the consultant's slug")
    company: int | None = Field(None, ge=1, le=2**62, description="the company's id")
    created_after: datetime | None = None
    created_before: datetime | None = None


def _filtered(qs, f: PipelineFilter, *, consultant_slug: str = "consultant__slug", company: str = "company_id"):
    if f.status:
        qs = qs.filter(status=f.status)
    if f.consultant:
        qs = qs.filter(**{consultant_slug: f.consultant})
    if f.company:
        qs = qs.filter(**{company: f.company})
    if f.created_after:
        qs = qs.filter(created_at__gte=f.created_after)
    if f.created_before:
        qs = qs.filter(created_at__lt=f.created_before)
    return qs


@router.get("/staff/bookings", response=PipelineBookingPage, url_name="pipeline_bookings")
def pipeline_bookings(request, f: Query[PipelineFilter]):
    """Every lead (booking), newest first. Staff see no meeting places and no intake answers."""
    staff_only(request)
    qs = _filtered(Booking.objects.select_related("slot", "consultant", "company"), f)
    rows, nxt = paginate(qs, cursor=f.cursor, limit=f.limit)
    return {"items": [{"id": b.pk, "status": b.status, "consultant": b.consultant.display_name,
                       "company": b.company.name, "starts_at": b.slot.starts_at, "created_at": b.created_at}
                      for b in rows], "next_cursor": nxt}


@router.get("/staff/engagements", response=PipelineEngagementPage, url_name="pipeline_engagements")
def pipeline_engagements(request, f: Query[PipelineFilter]):
    """Every proposal that was sent (consultants' drafts are theirs alone), newest first."""
    staff_only(request)
    qs = _filtered(Engagement.objects.exclude(status=Engagement.Status.DRAFT)
                   .select_related("consultant", "company"), f)
    rows, nxt = paginate(qs, cursor=f.cursor, limit=f.limit)
    return {"items": [{"id": e.pk, "booking_id": e.booking_id, "status": e.status, "title": e.title,
                       "consultant": e.consultant.display_name, "company": e.company.name,
                       "amount_minor": e.amount_minor, "currency": e.currency, "created_at": e.created_at}
                      for e in rows], "next_cursor": nxt}


@router.get("/staff/payments", response=PaymentPage, url_name="pipeline_payments")
def pipeline_payments(request, f: Query[PipelineFilter]):
    staff_only(request)
    qs = _filtered(Payment.objects.all(), f, consultant_slug="engagement__consultant__slug",
                   company="engagement__company_id")
    rows, nxt = paginate(qs, cursor=f.cursor, limit=f.limit)
    return {"items": [{"id": p.pk, "engagement_id": p.engagement_id, "provider": p.provider, "status": p.status,
                       "total_minor": p.total_minor, "currency": p.currency, "paid_at": p.paid_at,
                       "created_at": p.created_at} for p in rows], "next_cursor": nxt}
