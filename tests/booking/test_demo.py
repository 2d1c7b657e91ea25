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


def test_after_the_whole_demo_one_demo_company_can_book_every_consultant(django_capture_on_commit_callbacks):
    from django.core.management import call_command

    from accounts.models import Company
    from booking.fair_use import fair_use_check
    from consultants.models import Consultant
    from consultants.selectors import free_slots

    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo_data", verbosity=0)
    company = Company.objects.get(org_number="559123-4561")
    for consultant in Consultant.objects.filter(user__email__endswith="@probono.test"):
        slot = free_slots().filter(consultant=consultant).order_by("starts_at").first()
        assert slot is not None, consultant
        fair_use_check(company=company, slot=slot)  # raises FairUseRefusal if the demo login could not book
