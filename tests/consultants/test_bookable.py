"""The one "bookable now" rule: slot_list_bookable (lists) and slot_bookable_check (one locked slot).

Every path that offers or books a time reads it: the profile, the directory's next free time, the booking
steps and booking_create, the reschedule list. Busy time (written by the calendars app) and an `off_reason`
(time off, holiday, override, caps) take a published slot out of all of them at once.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from booking.services import BookingError, booking_create
from consultants.models import OffReason, Slot
from consultants.selectors import slot_bookable_check, slot_list_bookable
from tests.booking.helpers import answers_for, post_data_for
from tests.factories import ConsultantFactory, MembershipFactory, SlotFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 3, 10, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def consultant():
    return ConsultantFactory(display_name="Anna Lindqvist", slug="anna")


@pytest.fixture
def member():
    return MembershipFactory(role="owner").user


def _slot(consultant, days: int, **kw) -> Slot:
    return SlotFactory(consultant=consultant, starts_at=NOW + timedelta(days=days), **kw)


@pytest.mark.parametrize("unbookable", [{"busy": True}, {"off_reason": OffReason.TIME_OFF},
                                        {"off_reason": OffReason.HOLIDAY}, {"status": "draft"},
                                        {"status": "blocked"}, {"status": "booked"},
                                        {"held_until": NOW + timedelta(hours=3)}])
def test_only_published_free_unheld_slots_outside_busy_time_and_time_off_are_bookable(consultant, unbookable):
    good = _slot(consultant, 3)
    bad = _slot(consultant, 2, **unbookable)
    _slot(consultant, -1)  # past
    assert list(slot_list_bookable(consultant=consultant)) == [good]
    assert slot_bookable_check(good, now=NOW) is None
    if "held_until" not in unbookable:  # the waitlist enforces holds itself, under the same lock
        assert slot_bookable_check(bad, now=NOW) is not None


def test_the_selector_bounds_by_start_and_end(consultant):
    a, b, c = _slot(consultant, 1), _slot(consultant, 2), _slot(consultant, 3)
    got = slot_list_bookable(consultant=consultant, start=b.starts_at, end=c.starts_at)
    assert list(got) == [b]
    assert set(slot_list_bookable()) == {a, b, c}


def test_a_busy_slot_is_left_out_of_the_profile_and_the_directorys_next_free_time(client, consultant):
    busy = _slot(consultant, 1, busy=True)
    later = _slot(consultant, 5)
    profile = client.get("/consultants/anna/").content.decode()
    assert f"/book/{busy.pk}/" not in profile and f"/book/{later.pk}/" in profile
    directory = client.get("/consultants/").context["consultants"]
    assert directory[0].next_free == later.starts_at


def test_booking_a_slot_that_became_busy_is_refused_on_the_page_and_in_the_service(client, consultant, member):
    slot = _slot(consultant, 2)
    client.force_login(member)
    assert client.post(f"/book/{slot.pk}/", post_data_for(consultant)).status_code == 302
    Slot.objects.filter(pk=slot.pk).update(busy=True)
    assert client.get(f"/book/{slot.pk}/review/").status_code == 409
    response = client.post(f"/book/{slot.pk}/review/")
    assert response.status_code == 409
    with pytest.raises(BookingError) as refused:
        slot.refresh_from_db()
        booking_create(slot=slot, company=member.memberships.get().company, user=member,
                       answers=answers_for(consultant))
    assert refused.value.code == "slot_unavailable"
    assert Slot.objects.get(pk=slot.pk).status == "published"
