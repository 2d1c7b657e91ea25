"""The daily roll-up (issue 19): the report read from one row per consultant and day equals the report computed
from the raw rows, across day boundaries in the report's zone, and follows a change at once."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Booking
from booking.services import booking_cancel, booking_create
from consultants.models import Slot
from reports import rollup, selectors
from reports.models import DailyFigures
from reports.selectors import Period, conversion_report, month_period, period_fits, quarter_period, year_period
from reports.tasks import reports_figures_refresh_recent
from tests.booking.helpers import answers_for
from tests.factories import (
    BookingFactory,
    ConsultantFactory,
    EngagementFactory,
    FeedbackFactory,
    MembershipFactory,
)
from tests.reports.conftest import at, booking, slot

pytestmark = pytest.mark.django_db

STOCKHOLM = "Europe/Stockholm"


@pytest.fixture
def boundaries(world):
    """The hand-made March 2030 of conftest plus sessions around midnight in Stockholm (UTC+1 in winter, +2 in
    summer): the last evening of a month in UTC that is the next month's first morning in Stockholm, and back."""
    anna, bo = world.anna, world.bo
    late = booking(anna, at(2, 28, 23, 30), "held")  # 1 March 00:30 in Stockholm: March there, February in UTC
    EngagementFactory(booking=late, status="paid", amount_minor=700_000, currency="SEK",
                      paid_at=at(3, 2), accepted_at=at(3, 1))
    FeedbackFactory(booking=late, score=3, answered_at=at(3, 1))
    booking(anna, at(3, 31, 21, 30), "no_show")  # 31 March 23:30 in Stockholm (summer time from 31 March 2030)
    booking(bo, at(3, 31, 22, 30), "held")  # 1 April 00:30 in Stockholm
    booking(bo, at(6, 30, 22, 15), "confirmed")  # 1 July 00:15 in Stockholm
    slot(bo, at(3, 31, 22, 0), status="published")  # 1 April 00:00 in Stockholm: April
    slot(anna, at(12, 31, 22, 59), status="published")  # 31 December 23:59 in Stockholm: still December
    FeedbackFactory(booking=booking(anna, at(3, 15, 23, 5), "held"), score=10, answered_at=at(3, 16))
    return world


def _figures(report):
    fields = ("published", "booked", "held", "no_shows", "proposals", "won", "pro_bono_minutes", "promoters",
              "passives", "detractors")
    rows = {r.consultant_id: ({f: getattr(r, f) for f in fields}, r.revenue, r.pro_bono_value,
                              sorted(round(d, 6) for d in r.payment_days)) for r in report.rows}
    total = ({f: getattr(report.total, f) for f in fields}, report.total.revenue, report.total.pro_bono_value)
    trend = [(p.month, p.held, p.won, p.promoters, p.detractors, p.responses) for p in report.trend]
    return rows, total, trend


PERIODS = [
    month_period(dt.date(2030, 3, 1), STOCKHOLM),
    month_period(dt.date(2030, 4, 1), STOCKHOLM),
    month_period(dt.date(2030, 2, 1), STOCKHOLM),
    quarter_period(2030, 1, STOCKHOLM),
    quarter_period(2030, 3, STOCKHOLM),
    year_period(2030, STOCKHOLM),
    Period(dt.date(2030, 3, 4), dt.date(2030, 3, 12), STOCKHOLM),
    month_period(dt.date(2030, 3, 1), "Europe/Copenhagen"),  # the same offsets: the roll-up's days fit
    month_period(dt.date(2030, 3, 1), "Europe/Oslo"),
]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p.first}..{p.last} {p.zone}")
def test_the_rolled_up_report_equals_the_report_from_the_raw_rows(boundaries, period):
    rollup.figures_rebuild()
    assert DailyFigures.objects.exists()
    assert period_fits(period)

    rolled_up = selectors._conversion_report_rolled_up(period)
    raw = selectors._conversion_report_raw(period)

    assert _figures(rolled_up) == _figures(raw)
    assert _figures(conversion_report(period=period)) == _figures(raw)


def test_the_stockholm_month_counts_the_session_at_half_past_midnight_on_the_first(boundaries):
    rollup.figures_rebuild()
    march = conversion_report(period=month_period(dt.date(2030, 3, 1), STOCKHOLM))
    anna = next(r for r in march.rows if r.consultant_id == boundaries.anna.pk)
    assert anna.revenue["SEK"] == 1_000_000 + 700_000  # the 4 March engagement and the 00:30 one
    assert anna.no_shows == 2  # 6 March and 31 March 23:30 (21:30 UTC)
    april = conversion_report(period=month_period(dt.date(2030, 4, 1), STOCKHOLM))
    bo = next(r for r in april.rows if r.consultant_id == boundaries.bo.pk)
    assert (bo.held, bo.published) == (1, 2)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_a_period_in_a_zone_whose_midnights_differ_reads_the_raw_rows(boundaries, zone):
    rollup.figures_rebuild()
    period = month_period(dt.date(2030, 3, 1), zone)
    assert not period_fits(period)
    assert _figures(conversion_report(period=period)) == _figures(selectors._conversion_report_raw(period))


def test_before_the_first_build_reports_read_the_raw_rows_and_the_periodic_task_builds_it(boundaries):
    period = month_period(dt.date(2030, 3, 1), STOCKHOLM)
    raw = _figures(selectors._conversion_report_raw(period))
    DailyFigures.objects.all().delete()
    assert not rollup.figures_ready()
    assert _figures(conversion_report(period=period)) == raw

    reports_figures_refresh_recent()

    assert rollup.figures_ready()
    assert _figures(selectors._conversion_report_rolled_up(period)) == raw


def _march(consultant_id):
    report = conversion_report(period=month_period(dt.date(2030, 3, 1), STOCKHOLM))
    return next(r for r in report.rows if r.consultant_id == consultant_id)


def test_a_booking_a_cancellation_and_an_outcome_show_in_the_report_right_after_they_happen(
        world, django_capture_on_commit_callbacks, time_machine):
    time_machine.move_to(dt.datetime(2030, 2, 20, 12, tzinfo=dt.UTC), tick=False)
    rollup.figures_rebuild()
    anna = world.anna
    member = MembershipFactory(role="owner")
    before = _march(anna.pk)
    free = Slot.objects.get(consultant=anna, starts_at=at(3, 8))  # a free published slot on 8 March

    with django_capture_on_commit_callbacks(execute=True):
        made = booking_create(slot=free, company=member.company, user=member.user, answers=answers_for(anna))
    assert _march(anna.pk).booked == before.booked + 1

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=made, by=member.user)
    assert _march(anna.pk).booked == before.booked

    done = Booking.objects.filter(consultant=anna, status="no_show").first()
    with django_capture_on_commit_callbacks(execute=True):
        done.status = "held"
        done.save(update_fields=["status"])
    after = _march(anna.pk)
    assert (after.held, after.no_shows) == (before.held + 1, before.no_shows - 1)

    with django_capture_on_commit_callbacks(execute=True):
        FeedbackFactory(booking=done, score=2, answered_at=at(3, 7))
    assert _march(anna.pk).detractors == before.detractors + 1


def test_bulk_changes_without_signals_are_caught_by_the_periodic_refresh(world, time_machine):
    time_machine.move_to(dt.datetime(2030, 3, 1, 12, tzinfo=dt.UTC), tick=False)
    rollup.figures_rebuild()
    anna = world.anna
    before = _march(anna.pk).published
    Slot.objects.filter(consultant=anna, status="draft").update(status="published")  # as publishing a month does

    reports_figures_refresh_recent()

    assert _march(anna.pk).published == before + 1


@pytest.mark.parametrize("scale", [1, 10])
def test_the_rolled_up_report_runs_the_same_queries_for_ten_times_the_history(db, scale):
    consultants = [ConsultantFactory() for _ in range(2)]
    for c in consultants:
        Slot.objects.bulk_create([
            Slot(consultant=c, starts_at=at(1, 1, 8) + dt.timedelta(hours=7 * i),
                 ends_at=at(1, 1, 9) + dt.timedelta(hours=7 * i), status="published") for i in range(30 * scale)])
    for s in Slot.objects.all()[: 10 * scale]:
        Slot.objects.filter(pk=s.pk).update(status="booked")
        BookingFactory(slot=s, consultant=s.consultant, status="held")
    rollup.figures_rebuild()
    period = year_period(2030, STOCKHOLM)
    with CaptureQueriesContext(connection) as ctx:
        report = conversion_report(period=period)
    assert report.total.held == 10 * scale
    assert len(ctx.captured_queries) == 7  # ready?, consultants, sums, revenue, payment days, trend + ready?
