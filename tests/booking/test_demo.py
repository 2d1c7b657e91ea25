import pytest

from booking import demo
from booking.models import Booking
from consultants.models import Slot

pytestmark = pytest.mark.django_db


def test_demo_bookings_are_seeded_in_several_states_once(django_capture_on_commit_callbacks, mailoutbox):
    from accounts import demo as accounts_demo
    from consultants import demo as consultants_demo

    accounts_demo.seed()
    consultants_demo.seed()
    with django_capture_on_commit_callbacks(execute=True):
        assert demo.seed() == []
        demo.seed()

    statuses = sorted(Booking.objects.values_list("status", flat=True))
    assert statuses == ["cancelled", "confirmed", "held", "requested"]
    for booking in Booking.objects.filter(status__in=["confirmed", "requested", "held"]):
        assert booking.slot.status == Slot.Status.BOOKED
        assert booking.answers.count() == 5
        assert booking.events.exists()
    assert mailoutbox == []


def test_the_demo_seed_does_nothing_without_consultants():
    assert demo.seed() == []
    assert not Booking.objects.exists()
