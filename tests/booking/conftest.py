import pytest

from booking import notifications
from tests.factories import ConsultantFactory, MembershipFactory, SlotFactory

HOOKS = ("on_booking_confirmed", "on_booking_requested", "on_booking_declined", "on_booking_cancelled",
         "on_booking_rescheduled", "on_slot_freed")


@pytest.fixture
def hooks(monkeypatch):
    """Record the notification hooks the services call (name, args) instead of queueing mail."""
    calls = []
    for name in HOOKS:
        monkeypatch.setattr(notifications, name, lambda *args, _n=name: calls.append((_n, args)))
    return calls


@pytest.fixture
def consultant(db):
    return ConsultantFactory(display_name="Anna Lindqvist", user__name="Anna Lindqvist")


@pytest.fixture
def slot(consultant):
    return SlotFactory(consultant=consultant)


@pytest.fixture
def member(db):
    return MembershipFactory(role="owner", user__name="Karin Holm", company__name="Bostäder AB").user


@pytest.fixture
def company(member):
    return member.memberships.get().company
