"""Every figure of the conversion report on the hand-made data set in conftest.py (March 2030, UTC)."""

import datetime as dt

import pytest

from reports.selectors import Period, conversion_report, month_period, nps, percent, quarter_period, year_period

MARCH = Period(dt.date(2030, 3, 1), dt.date(2030, 3, 31), "UTC")


@pytest.fixture
def report(world):
    return conversion_report(period=MARCH)


def rows(report):
    return {r.name: r for r in report.rows}


# --- NPS and percentages ---------------------------------------------------------------------------------
def test_nps_of_only_promoters_is_100():
    assert nps(promoters=5, detractors=0, responses=5) == 100


def test_nps_of_only_detractors_is_minus_100():
    assert nps(promoters=0, detractors=3, responses=3) == -100


def test_nps_without_answers_is_none():
    assert nps(0, 0, 0) is None


def test_nps_of_only_passives_is_0():
    assert nps(0, 0, 4) == 0


@pytest.mark.parametrize(("promoters", "detractors", "responses", "expected"), [
    (1, 0, 8, 13),    # 12.5 → 13: half rounds away from zero ...
    (0, 1, 8, -13),   # ... on both sides (−12.5 → −13), unlike Python's round() (banker's: 12)
    (2, 1, 3, 33),    # 33.33 → 33
    (2, 0, 3, 67),    # 66.67 → 67
    (1, 2, 3, -33),
    (3, 1, 8, 25),
    (1, 0, 40, 3),    # 2.5 → 3
])
def test_nps_rounds_to_a_whole_number_half_away_from_zero(promoters, detractors, responses, expected):
    assert nps(promoters, detractors, responses) == expected


def test_percent_rounds_like_nps_and_is_none_without_a_whole():
    assert percent(1, 8) == 13 and percent(1, 3) == 33 and percent(0, 0) is None


def test_periods_cover_whole_calendar_days_in_the_zone():
    march = month_period(dt.date(2030, 3, 17), "Europe/Stockholm")
    assert (march.first, march.last) == (dt.date(2030, 3, 1), dt.date(2030, 3, 31))
    assert march.start_at.isoformat() == "2030-03-01T00:00:00+01:00"
    assert march.end_at.isoformat() == "2030-04-01T00:00:00+02:00"  # after the DST change
    q4 = quarter_period(2030, 4, "UTC")
    assert (q4.first, q4.last) == (dt.date(2030, 10, 1), dt.date(2030, 12, 31))
    assert year_period(2030, "UTC").last == dt.date(2030, 12, 31)


# --- per consultant ---------------------------------------------------------------------------------------
def test_anna_figures(report):
    a = rows(report)["Anna"]
    assert (a.published, a.booked, a.utilisation) == (5, 3, 60)
    assert (a.held, a.no_shows, a.no_show_rate) == (2, 1, 33)
    assert (a.proposals, a.won, a.conversion) == (2, 1, 50)  # the draft is not a proposal
    assert a.revenue == {"SEK": 1_000_000}
    assert a.median_days == 10.0
    assert (a.pro_bono_minutes, a.pro_bono_hours) == (150, 2.5)
    assert a.pro_bono_value == {"SEK": 375_000}  # 2.5 h × 1 500.00 SEK
    assert (a.promoters, a.passives, a.detractors, a.responses, a.nps) == (2, 0, 1, 3, 33)


def test_bo_figures(report):
    b = rows(report)["Bo"]
    assert (b.published, b.booked, b.utilisation) == (3, 3, 100)
    assert (b.held, b.no_shows, b.no_show_rate) == (2, 0, 0)
    assert (b.proposals, b.won, b.conversion) == (2, 1, 50)  # two won engagements, one won lead
    assert b.revenue == {"DKK": 500_000, "EUR": 200_000}  # the refunded one is not revenue
    assert b.median_days == 4.5  # median of 3 and 6 days
    assert (b.pro_bono_minutes, b.pro_bono_hours) == (105, 1.75)
    assert b.pro_bono_value == {"DKK": 175_000}
    assert (b.promoters, b.passives, b.detractors, b.responses, b.nps) == (0, 2, 0, 2, 0)


def test_a_consultant_without_activity_has_zeros_and_no_rates(report):
    c = rows(report)["Cleo"]
    assert (c.published, c.booked, c.held, c.proposals, c.won, c.responses) == (0, 0, 0, 0, 0, 0)
    assert (c.utilisation, c.no_show_rate, c.conversion, c.median_days, c.nps) == (None, None, None, None, None)
    assert c.revenue == {} and c.pro_bono_value == {}


def test_totals(report):
    t = report.total
    assert (t.published, t.booked, t.utilisation) == (8, 6, 75)
    assert (t.held, t.no_shows, t.no_show_rate) == (4, 1, 20)
    assert (t.proposals, t.won, t.conversion) == (4, 2, 50)
    assert t.revenue == {"SEK": 1_000_000, "DKK": 500_000, "EUR": 200_000}
    assert t.median_days == 6.0  # median of 10, 3 and 6
    assert (t.pro_bono_minutes, t.pro_bono_hours) == (255, 4.25)
    assert t.pro_bono_value == {"SEK": 375_000, "DKK": 175_000}
    assert (t.promoters, t.passives, t.detractors, t.responses, t.nps) == (2, 2, 1, 5, 20)


def test_the_funnel(report):
    assert report.funnel == [("published", 8), ("booked", 6), ("held", 4), ("proposal", 4), ("won", 2)]


def test_the_trend_covers_twelve_months_by_month_of_the_session(report):
    assert [p.month for p in report.trend][0] == dt.date(2029, 4, 1)
    assert [p.month for p in report.trend][-1] == dt.date(2030, 3, 1)
    by_month = {p.month: p for p in report.trend}
    march, february, january = (by_month[dt.date(2030, m, 1)] for m in (3, 2, 1))
    assert (march.held, march.won, march.nps) == (4, 2, 20)
    assert (february.held, february.won, february.nps) == (1, 0, -100)
    assert (january.held, january.won, january.nps) == (1, 0, 100)
    assert sum(p.held for p in report.trend) == 6  # April 2030 is outside


def test_the_period_boundaries_follow_the_time_zone(world):
    # In Stockholm, 28 Feb 23:30 UTC is already 1 March, and 1 April 00:30 UTC is 1 April (not March).
    stockholm = conversion_report(period=Period(dt.date(2030, 3, 1), dt.date(2030, 3, 31), "Europe/Stockholm"))
    bo = {r.name: r for r in stockholm.rows}["Bo"]
    assert bo.held == 3
    assert (bo.detractors, bo.nps) == (1, -33)  # (0 promoters − 1 detractor) / 3
