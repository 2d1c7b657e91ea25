"""Hostile input to the booking flow (questionnaire and confirm), the questionnaire builder, the consultant's
decline/cancel forms, the manage link, the waitlist claim and the NPS survey."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking.models import Booking
from booking.questionnaires import questionnaire_get_current
from feedback.models import Feedback
from tests.factories import MembershipFactory
from tests.fuzz.hostile import FUZZ, HOSTILE, check_post, field_values


def _intake_baseline(consultant) -> dict:
    data = {}
    for q in questionnaire_get_current(consultant).questions.all():
        name = f"q_{q.pk}"
        data[name] = {"single_choice": q.choices[0] if q.choices else "x", "multiple_choice": q.choices[:1],
                      "scale": "7", "number": "12", "yes_no": "yes"}.get(q.kind, "We measure nothing yet")
    return data


# The default questionnaire has five questions; their field names are only known once the world exists, so the
# strategy draws a choice per position and the test maps it onto the real names.
INTAKE_CHOICE = st.lists(st.one_of(st.just("keep"), st.just("missing"), HOSTILE,
                                   st.lists(HOSTILE, min_size=2, max_size=3)), min_size=8, max_size=8)


def _intake_data(baseline: dict, choices: list) -> dict:
    data = {}
    for (name, valid), choice in zip(baseline.items(), choices, strict=False):
        if choice == "keep":
            data[name] = valid
        elif choice != "missing":
            data[name] = choice
    return data


@FUZZ
@given(choices=INTAKE_CHOICE)
def test_the_booking_questionnaire_survives_hostile_input(client, world, choices):
    data = _intake_data(_intake_baseline(world.consultant_profile), choices)
    check_post(client, f"/book/{world.free_slot.pk}/", data)


@FUZZ
@given(choices=INTAKE_CHOICE, extra=st.dictionaries(st.sampled_from(["slot", "company", "action", "status"]), HOSTILE,
                                                    max_size=3))
def test_confirming_a_booking_survives_hostile_input_and_books_at_most_once(client, world, choices, extra):
    member = MembershipFactory(role="owner").user  # a company without sessions, so fair use lets it book
    client.force_login(member)
    baseline = _intake_baseline(world.consultant_profile)
    answered = client.post(f"/book/{world.free_slot.pk}/", _intake_data(baseline, choices))
    assert answered.status_code < 500
    response = client.post(f"/book/{world.free_slot.pk}/review/", extra)
    assert response.status_code < 500
    assert Booking.objects.filter(slot=world.free_slot).count() <= 1


BUILDER = {"q-TOTAL_FORMS": "2", "q-INITIAL_FORMS": "0", "q-MIN_NUM_FORMS": "0", "q-MAX_NUM_FORMS": "30",
           "q-0-kind": "short_text", "q-0-label": "What do you sell?", "q-0-help_text": "", "q-0-required": "on",
           "q-0-choices": "", "q-0-ORDER": "1", "q-1-kind": "single_choice", "q-1-label": "Size?",
           "q-1-choices": "Small\nLarge", "q-1-ORDER": "2", "q-1-DELETE": ""}


@FUZZ
@given(data=field_values(BUILDER, fixed=("q-TOTAL_FORMS", "q-INITIAL_FORMS", "q-MIN_NUM_FORMS", "q-MAX_NUM_FORMS")))
def test_the_questionnaire_builder_survives_hostile_input(as_actor, data):
    check_post(as_actor("consultant"), "/me/questionnaire/", data)


@pytest.mark.parametrize("total", ["-1", "abc", "", "\x00", "1e3", "31", "1001", str(10**30), ["2", "3"], None])
def test_a_tampered_builder_formset_is_refused_with_an_error(as_actor, total):
    data = dict(BUILDER)
    if total is None:
        del data["q-TOTAL_FORMS"]
    else:
        data["q-TOTAL_FORMS"] = total
    check_post(as_actor("consultant"), "/me/questionnaire/", data)


@FUZZ
@given(data=field_values({"message": "Sorry, I am ill."}))
def test_declining_a_request_survives_hostile_input(as_actor, world, data):
    check_post(as_actor("consultant"), f"/me/sessions/{world.requested_booking.pk}/decline/", data)


@FUZZ
@given(data=field_values({"reason": "Sorry, I am ill."}))
def test_the_consultant_cancelling_survives_hostile_input(as_actor, world, data):
    check_post(as_actor("consultant"), f"/me/sessions/{world.booking.pk}/cancel/", data)


@FUZZ
@given(data=field_values({"action": "reschedule", "slot": "1", "reason": "Moved"}))
def test_the_manage_link_survives_hostile_input(client, world, data):
    client.logout()
    check_post(client, f"/manage/{world.tokens['manage']}/", data, error_shown=False)


@FUZZ
@given(choices=INTAKE_CHOICE)
def test_the_waitlist_claim_survives_hostile_input(as_actor, world, choices):
    data = _intake_data(_intake_baseline(world.consultant_profile), choices)
    check_post(as_actor("member"), f"/waitlist/claim/{world.tokens['waitlist_claim']}/", data)


@FUZZ
@given(data=field_values({"score": "9", "comment": "Very helpful", "show_company": "on"}))
def test_the_survey_survives_hostile_input(client, world, data):
    client.logout()
    response = check_post(client, f"/feedback/{world.tokens['survey']}/", data)
    survey = Feedback.objects.get(pk=world.survey.pk)
    assert survey.score is None or 0 <= survey.score <= 10
    assert "\x00" not in survey.comment
    if response.status_code == 302:
        assert survey.answered_at is not None
