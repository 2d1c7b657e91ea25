"""The engagement's allowed-transitions table, and that every service refuses what the table refuses."""

import itertools

import pytest

from engagements.models import Engagement
from engagements.services import (
    EngagementError,
    _move,
    engagement_accept,
    engagement_cancel,
    engagement_complete,
    engagement_decline,
    engagement_propose,
)
from tests.factories import EngagementFactory

pytestmark = pytest.mark.django_db
S = Engagement.Status

ALLOWED = {
    ("draft", "proposed"), ("draft", "cancelled"),
    ("proposed", "accepted"), ("proposed", "declined"), ("proposed", "expired"), ("proposed", "cancelled"),
    ("accepted", "paid"), ("accepted", "cancelled"),
    ("paid", "completed"), ("paid", "refunded"),
    ("completed", "refunded"),
}
PAIRS = list(itertools.product(S.values, S.values))


def test_the_table_in_the_model_is_the_one_we_agreed_on():
    table = {(frm, to) for frm, targets in Engagement.TRANSITIONS.items() for to in targets}
    assert table == ALLOWED
    assert set(Engagement.TRANSITIONS) == set(S.values)


@pytest.mark.parametrize(("frm", "to"), sorted(ALLOWED))
def test_an_allowed_transition_moves_the_engagement(frm, to):
    engagement = EngagementFactory(status=frm)
    _move(engagement, to)
    engagement.refresh_from_db()
    assert engagement.status == to


@pytest.mark.parametrize(("frm", "to"), [p for p in PAIRS if p not in ALLOWED])
def test_a_refused_transition_raises_a_clear_error_and_changes_nothing(frm, to):
    engagement = EngagementFactory(status=frm)
    with pytest.raises(EngagementError) as e:
        _move(engagement, to)
    assert e.value.code == "invalid_transition"
    assert str(S(frm).label) in e.value.message and str(S(to).label) in e.value.message
    engagement.refresh_from_db()
    assert engagement.status == frm


def test_a_stale_copy_cannot_move_an_engagement_someone_else_moved():
    engagement = EngagementFactory(status="proposed")
    stale = Engagement.objects.get(pk=engagement.pk)
    _move(engagement, "declined")
    with pytest.raises(EngagementError) as e:
        _move(stale, "accepted")  # allowed from "proposed", but it is no longer proposed
    assert e.value.code == "invalid_transition"
    assert Engagement.objects.get(pk=engagement.pk).status == "declined"


SERVICES = {
    "propose": (lambda e: engagement_propose(engagement=e, by=e.consultant.user), "proposed"),
    "accept": (lambda e: engagement_accept(engagement=e, by=e.booking.booked_by), "accepted"),
    "decline": (lambda e: engagement_decline(engagement=e, by=e.booking.booked_by, reason="no"), "declined"),
    "complete": (lambda e: engagement_complete(engagement=e, by=e.consultant.user), "completed"),
    "cancel": (lambda e: engagement_cancel(engagement=e, by=e.consultant.user), "cancelled"),
}


@pytest.mark.parametrize(("service", "frm"), list(itertools.product(SERVICES, S.values)))
def test_each_service_follows_the_table(service, frm, no_stripe):
    call, target = SERVICES[service]
    engagement = EngagementFactory(status=frm)
    if (frm, target) in ALLOWED:
        call(engagement)
        engagement.refresh_from_db()
        assert engagement.status == target
    else:
        with pytest.raises(EngagementError) as e:
            call(engagement)
        assert e.value.code == "invalid_transition"
        engagement.refresh_from_db()
        assert engagement.status == frm
