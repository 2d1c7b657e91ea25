from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from booking.models import Booking, FairUsePolicy
from booking.services import BookingError, booking_create
from tests.booking.helpers import answers_for
from tests.factories import BookingFactory, SlotFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, 12, tzinfo=UTC)


def at(day: datetime, consultant=None, **kwargs):
    return SlotFactory(starts_at=day, ends_at=day + timedelta(hours=1),
                       **({"consultant": consultant} if consultant else {}), **kwargs)


def refusal(slot, company, user) -> BookingError:
    with pytest.raises(BookingError) as err:
        booking_create(slot=slot, company=company, user=user, answers=answers_for(slot.consultant), now=NOW)
    return err.value


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_company_may_hold_only_one_upcoming_free_session(company, member):
    BookingFactory(company=company, slot=at(datetime(2030, 3, 10, 9, tzinfo=UTC), status="booked"))

    err = refusal(at(datetime(2030, 3, 20, 9, tzinfo=UTC)), company, member)

    assert err.code == "max_upcoming"
    assert "can hold 1 upcoming free session at a time, and yours already has one" in err.message
    assert "after 10 March 2030" in err.message  # when the upcoming session has taken place
    assert "cancel" in err.message


def test_a_cancelled_session_does_not_count_against_the_limits(company, member):
    BookingFactory(company=company, status="cancelled", slot=at(datetime(2030, 3, 10, 9, tzinfo=UTC)))

    slot = at(datetime(2030, 3, 20, 9, tzinfo=UTC))
    booking = booking_create(slot=slot, company=company, user=member, answers=answers_for(slot.consultant), now=NOW)
    assert booking.status == "confirmed"


def test_a_company_may_have_two_free_sessions_in_twelve_months_and_learns_when_the_next_is_possible(company, member):
    BookingFactory(company=company, status="held", slot=at(datetime(2029, 6, 4, 9, tzinfo=UTC)))
    BookingFactory(company=company, status="held", slot=at(datetime(2029, 11, 5, 9, tzinfo=UTC)))

    err = refusal(at(datetime(2030, 3, 20, 9, tzinfo=UTC)), company, member)

    assert err.code == "max_per_12_months"
    assert "can have 2 free sessions in 12 months, and yours has had 2" in err.message
    assert "from 4 June 2030 on" in err.message
    # A session after that date is fine.
    slot = at(datetime(2030, 6, 10, 9, tzinfo=UTC))
    assert booking_create(slot=slot, company=company, user=member, answers=answers_for(slot.consultant), now=NOW)


def test_a_company_may_have_one_free_session_with_the_same_consultant_in_twelve_months(company, member, consultant):
    BookingFactory(company=company, status="held", slot=at(datetime(2029, 9, 2, 9, tzinfo=UTC), consultant))

    err = refusal(at(datetime(2030, 3, 20, 9, tzinfo=UTC), consultant), company, member)

    assert err.code == "max_same_consultant"
    assert "already had a free session with Anna Lindqvist" in err.message
    assert "from 2 September 2030 on" in err.message
    assert "another consultant" in err.message
    other = at(datetime(2030, 3, 20, 9, tzinfo=UTC))
    assert booking_create(slot=other, company=company, user=member, answers=answers_for(other.consultant), now=NOW)


def test_two_no_shows_in_twelve_months_pause_free_sessions_for_six_months(company, member):
    BookingFactory(company=company, status="no_show", slot=at(datetime(2029, 10, 1, 9, tzinfo=UTC)))
    BookingFactory(company=company, status="no_show", slot=at(datetime(2030, 1, 7, 9, tzinfo=UTC)))

    err = refusal(at(datetime(2030, 3, 20, 9, tzinfo=UTC)), company, member)

    assert err.code == "no_shows"
    assert "missed 2 booked sessions" in err.message
    assert "paused for 6 months" in err.message
    assert "from 7 July 2030" in err.message
    assert err.lifts_at == datetime(2030, 7, 7, 9, tzinfo=UTC)


def test_the_no_show_pause_ends_after_six_months(company, member):
    BookingFactory(company=company, status="no_show", slot=at(datetime(2029, 8, 1, 9, tzinfo=UTC)))
    BookingFactory(company=company, status="no_show", slot=at(datetime(2029, 8, 20, 9, tzinfo=UTC)))
    FairUsePolicy.objects.update_or_create(pk=1, defaults={"max_per_12_months": 5})

    slot = at(datetime(2030, 3, 20, 9, tzinfo=UTC))
    booking = booking_create(slot=slot, company=company, user=member, answers=answers_for(slot.consultant), now=NOW)

    assert booking.status == "confirmed"


def test_staff_can_raise_the_limits_in_the_policy(company, member):
    BookingFactory(company=company, slot=at(datetime(2030, 3, 10, 9, tzinfo=UTC), status="booked"))
    policy = FairUsePolicy.current()
    policy.max_upcoming = 2
    policy.save()

    slot = at(datetime(2030, 3, 20, 9, tzinfo=UTC))
    booking = booking_create(slot=slot, company=company, user=member, answers=answers_for(slot.consultant), now=NOW)

    assert booking.status == "confirmed"
    assert Booking.objects.filter(company=company).count() == 2


def test_the_policy_is_one_row_with_the_documented_defaults():
    policy = FairUsePolicy.current()
    assert (policy.max_upcoming, policy.max_per_12_months, policy.max_same_consultant_12_months,
            policy.no_show_limit, policy.no_show_block_months, policy.approval_expiry_hours,
            policy.waitlist_claim_hours) == (1, 2, 1, 2, 6, 48, 24)
    FairUsePolicy(max_upcoming=3).save()
    assert FairUsePolicy.objects.count() == 1
    assert FairUsePolicy.current().max_upcoming == 3


def test_the_twelve_month_refusal_names_the_limit_even_when_a_company_is_past_it(company, member):
    """Demo data and an admin lowering the limit can leave a company above it: the text must still add up."""
    for month in (5, 6, 7):
        BookingFactory(company=company, status="held", slot=at(datetime(2029, month, 4, 9, tzinfo=UTC)))

    err = refusal(at(datetime(2030, 3, 20, 9, tzinfo=UTC)), company, member)

    assert "can have 2 free sessions in 12 months, and yours has had 3" in err.message
    assert "which is the limit" not in err.message
