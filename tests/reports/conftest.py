"""A small data set for the report, every expected figure computed by hand in the tests (see `world`)."""

import datetime as dt
from types import SimpleNamespace

import pytest

from tests.factories import BookingFactory, ConsultantFactory, EngagementFactory, FeedbackFactory, SlotFactory

UTC = dt.UTC


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2030) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def slot(consultant, starts_at, minutes=60, status="booked"):
    return SlotFactory(consultant=consultant, starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=minutes),
                       status=status)


def booking(consultant, starts_at, status, minutes=60, company=None):
    extra = {"company": company} if company else {}
    return BookingFactory(slot=slot(consultant, starts_at, minutes, "booked"), status=status, **extra)


@pytest.fixture
def world(db):
    """March 2030 (UTC), three consultants.

    Anna (SEK 1 500/h): slots 4, 5, 6, 7, 8 March published (5); 9 March draft, 10 March blocked (not counted).
      4 Mar held 60 min  → engagement paid 10 000.00 SEK, 10 days after the session; a draft on it too;
                           feedback 10 (session) and 9 (engagement)
      5 Mar held 90 min  → proposal sent (proposed); feedback 6
      6 Mar no-show
      7 Mar a cancelled booking (slot published again); 8 Mar free
    Bo (DKK 1 000/h): slots 11, 12, 13 March
      11 Mar held 60 min → engagement completed 5 000.00 DKK paid after 3 days + one paid 2 000.00 EUR after 6 days;
                           feedback 7
      12 Mar held 45 min → engagement refunded; feedback 8
      13 Mar confirmed
    Cleo: nothing at all.
    Outside March: Anna held on 15 January (feedback 10) — in the 12-month trend only; Anna held on
    1 April 00:30 UTC and Bo held on 28 February 23:30 UTC, each with feedback 0 — in neither.
    """
    anna = ConsultantFactory(display_name="Anna", hourly_rate_minor=150_000, currency="SEK")
    bo = ConsultantFactory(display_name="Bo", hourly_rate_minor=100_000, currency="DKK")
    cleo = ConsultantFactory(display_name="Cleo")

    a1 = booking(anna, at(3, 4), "held", 60)
    EngagementFactory(booking=a1, status="paid", amount_minor=1_000_000, currency="SEK", paid_at=at(3, 14))
    EngagementFactory(booking=a1, status="draft", amount_minor=99_999_900, currency="SEK")
    FeedbackFactory(booking=a1, kind="session", score=10, comment="Brilliant session.")
    FeedbackFactory(booking=a1, kind="engagement", score=9)
    a2 = booking(anna, at(3, 5), "held", 90)
    EngagementFactory(booking=a2, status="proposed", amount_minor=300_000, currency="SEK")
    FeedbackFactory(booking=a2, score=6, comment="Too generic.")
    booking(anna, at(3, 6), "no_show")
    cancelled_slot = slot(anna, at(3, 7), status="published")
    BookingFactory(slot=cancelled_slot, status="cancelled")
    slot(anna, at(3, 8), status="published")
    slot(anna, at(3, 9), status="draft")
    slot(anna, at(3, 10), status="blocked")

    b1 = booking(bo, at(3, 11), "held", 60)
    EngagementFactory(booking=b1, status="completed", amount_minor=500_000, currency="DKK", paid_at=at(3, 14))
    EngagementFactory(booking=b1, status="paid", amount_minor=200_000, currency="EUR", paid_at=at(3, 17))
    FeedbackFactory(booking=b1, score=7)
    b2 = booking(bo, at(3, 12), "held", 45)
    EngagementFactory(booking=b2, status="refunded", amount_minor=400_000, currency="DKK", paid_at=at(3, 13))
    FeedbackFactory(booking=b2, score=8)
    booking(bo, at(3, 13), "confirmed")

    january = booking(anna, at(1, 15), "held")
    FeedbackFactory(booking=january, score=10, comment="Still thinking about it.")
    april = booking(anna, at(4, 1, 0, 30), "held")
    FeedbackFactory(booking=april, score=0)
    february = booking(bo, at(2, 28, 23, 30), "held")
    FeedbackFactory(booking=february, score=0)
    return SimpleNamespace(anna=anna, bo=bo, cleo=cleo, a1=a1, a2=a2, b1=b1, b2=b2)
