"""The report's figures in the JSON API (/api/v1/staff/reports/conversions): the same selector as the staff page.

Here, not in integrations, because reports sits above integrations: this module adds its router to the API
(reports.apps.ReportsConfig.ready imports it before the URLconf is read).
"""

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from integrations.api import api
from integrations.api.auth import SIGNED_IN
from integrations.api.errors import ApiError
from integrations.api.staff import staff_only
from reports.forms import MAX_CUSTOM_DAYS
from reports.selectors import Period, Row, conversion_report, month_period

router = Router(tags=["staff"], auth=SIGNED_IN)


class FiguresOut(Schema):
    consultant_id: int | None
    name: str
    published: int
    booked: int
    held: int
    no_shows: int
    proposals: int
    won: int
    utilisation: int | None
    no_show_rate: int | None
    conversion: int | None
    nps: int | None
    median_days_to_payment: float | None
    revenue_minor: dict[str, int]
    pro_bono_minutes: int


class ReportOut(Schema):
    first: date
    last: date
    time_zone: str
    total: FiguresOut
    consultants: list[FiguresOut]


class ReportQuery(Schema):
    start: date | None = Field(None, description="first day; default: the first of this month")
    end: date | None = Field(None, description="last day (inclusive); default: the end of start's month")


def _figures(row: Row) -> dict:
    return {"consultant_id": row.consultant_id, "name": row.name, "published": row.published, "booked": row.booked,
            "held": row.held, "no_shows": row.no_shows, "proposals": row.proposals, "won": row.won,
            "utilisation": row.utilisation, "no_show_rate": row.no_show_rate, "conversion": row.conversion,
            "nps": row.nps, "median_days_to_payment": row.median_days, "revenue_minor": dict(row.revenue),
            "pro_bono_minutes": row.pro_bono_minutes}


@router.get("/staff/reports/conversions", response=ReportOut, url_name="report_conversions")
def report_conversions(request, q: Query[ReportQuery]):
    """The conversion report (published → booked → held → proposal → won, revenue, NPS) per consultant and in
    total, for days in the caller's time zone."""
    staff_only(request)
    zone = str(timezone.get_current_timezone())
    if any(d is not None and not 2000 <= d.year <= 2100 for d in (q.start, q.end)):
        raise ApiError(422, "invalid_range", _("Choose dates between 2000 and 2100."))
    if q.start is None:
        period = month_period(q.end or timezone.localdate(), zone)
    else:
        end = q.end or month_period(q.start, zone).last
        if end < q.start or end - q.start > timedelta(days=MAX_CUSTOM_DAYS):
            raise ApiError(422, "invalid_range", _("The end must be on or after the start, at most five years later."))
        period = Period(q.start, end, zone)
    report = conversion_report(period=period)
    return {"first": period.first, "last": period.last, "time_zone": zone, "total": _figures(report.total),
            "consultants": [_figures(r) for r in report.rows]}


api.add_router("", router)
