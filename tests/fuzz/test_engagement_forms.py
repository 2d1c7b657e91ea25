"""Hostile input to proposals, gap reports, outcomes and the company's decline form."""

import pytest
from hypothesis import given

from engagements.models import Engagement
from tests.fuzz.hostile import FUZZ, check_post, field_values

PROPOSAL = {"title": "Two workshops", "scope": "NPS set-up and a first survey.", "amount": "12500.50",
            "currency": "SEK", "vat_percent": "25", "valid_until": "2099-12-31"}
GAP_REPORT = {"summary": "They measure nothing.", "recommendations": "Start with NPS.", "next_steps": "Workshop.",
              "gaps-TOTAL_FORMS": "2", "gaps-INITIAL_FORMS": "0", "gaps-MIN_NUM_FORMS": "0",
              "gaps-MAX_NUM_FORMS": "30", "gaps-0-title": "No NPS", "gaps-0-priority": "high",
              "gaps-0-detail": "", "gaps-1-title": "", "gaps-1-priority": "low"}


@FUZZ
@given(data=field_values(PROPOSAL))
def test_a_new_proposal_survives_hostile_input(as_actor, world, data):
    client = as_actor("consultant")
    response = check_post(client, f"/me/sessions/{world.held_booking.pk}/proposals/new/", data)
    for e in Engagement.objects.filter(booking=world.held_booking):
        assert e.amount_minor > 0 and 0 <= e.vat_rate_bp <= 10000 and e.currency in ("SEK", "DKK", "EUR")
    assert response.status_code != 200 or response.context["form"].errors


@FUZZ
@given(data=field_values(PROPOSAL))
def test_editing_a_draft_proposal_survives_hostile_input(as_actor, world, data):
    check_post(as_actor("consultant"), f"/me/proposals/{world.engagement_draft.pk}/edit/", data)


MANAGEMENT = ("gaps-TOTAL_FORMS", "gaps-INITIAL_FORMS", "gaps-MIN_NUM_FORMS", "gaps-MAX_NUM_FORMS")


@FUZZ
@given(data=field_values(GAP_REPORT, fixed=MANAGEMENT))
def test_the_gap_report_survives_hostile_input(as_actor, world, data):
    check_post(as_actor("consultant"), f"/me/sessions/{world.held_booking.pk}/gap-report/", data)


@pytest.mark.parametrize("total", ["-1", "abc", "", "\x00", "1e3", "31", "1001", str(10**30), ["2", "3"], None])
def test_a_tampered_gap_report_formset_is_refused_with_an_error(as_actor, world, total):
    """The management form is tampered with here, one value at a time (a huge count makes Django build up to
    max_num + 1000 forms, which is slow, so the hypothesis run above keeps it valid)."""
    data = dict(GAP_REPORT)
    if total is None:
        del data["gaps-TOTAL_FORMS"]
    else:
        data["gaps-TOTAL_FORMS"] = total
    check_post(as_actor("consultant"), f"/me/sessions/{world.held_booking.pk}/gap-report/", data)


@FUZZ
@given(data=field_values({"outcome": "held"}))
def test_recording_an_outcome_survives_hostile_input(as_actor, world, data):
    booking = world.past_confirmed_booking
    response = as_actor("consultant").post(f"/me/outcomes/{booking.pk}/", data)
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status in ("confirmed", "held", "no_show")


@FUZZ
@given(data=field_values({"reason": "Too expensive"}))
def test_declining_a_proposal_survives_hostile_input(as_actor, world, data):
    check_post(as_actor("member"), f"/proposals/{world.engagement_proposed.pk}/decline/", data)
