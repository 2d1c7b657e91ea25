"""Questions in the company's language, size and industry from the company's details, and long answers' limit."""

import pytest
from django.utils import translation

from accounts.models import Company
from booking.models import Booking, IntakeAnswer
from booking.questionnaires import questionnaire_get_current, questionnaire_save
from consultants.models import ConsultantLanguage
from tests.booking.helpers import post_data_for
from tests.factories import ConsultantFactory, MembershipFactory, SlotFactory

pytestmark = pytest.mark.django_db

CHALLENGE_SV = "Vad är er största utmaning med kundupplevelsen?"


@pytest.fixture
def swedish_consultant(db):
    consultant = ConsultantFactory(user__language="sv")
    for lang in ("sv", "da"):
        ConsultantLanguage.objects.create(consultant=consultant, language=lang)
    return consultant


def _own_questions(consultant):
    """A questionnaire the consultant wrote in Swedish, with a Danish version of the first two questions only."""
    return questionnaire_save(consultant=consultant, questions=[
        {"kind": "single_choice", "label": "Hur mäter ni kundnöjdhet?", "help_text": "Välj ett.", "required": True,
         "choices": ["NPS", "Egna enkäter"],
         "translations": {"da": {"label": "Hvordan måler I kundetilfredshed?", "help_text": "Vælg én.",
                                 "choices": ["NPS", "Egne undersøgelser"]}}},
        {"kind": "long_text", "label": CHALLENGE_SV, "help_text": "", "required": True, "choices": [],
         "translations": {"da": {"label": "Hvad er jeres største udfordring?", "help_text": "", "choices": []}}},
        {"kind": "short_text", "label": "Vem mer deltar?", "help_text": "", "required": False, "choices": []},
    ])


def test_a_company_sees_the_version_in_its_own_language_and_a_note_where_there_is_none(client, swedish_consultant):
    _own_questions(swedish_consultant)
    slot = SlotFactory(consultant=swedish_consultant)

    danish = client.get(f"/book/{slot.pk}/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Hvordan måler I kundetilfredshed?" in danish and "Egne undersøgelser" in danish
    assert "Hvad er jeres største udfordring?" in danish and CHALLENGE_SV not in danish
    assert "Vem mer deltar?" in danish  # no Danish version: the consultant's words, with a note
    assert "data-question-language" in danish

    swedish = client.get(f"/book/{slot.pk}/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert CHALLENGE_SV in swedish and "data-question-language" not in swedish

    english = client.get(f"/book/{slot.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert CHALLENGE_SV in english and "Hur mäter ni kundnöjdhet?" in english
    assert "Some questions are in Swedish" in english


def test_a_danish_answer_to_a_choice_is_stored_as_the_consultants_choice(client, swedish_consultant):
    questionnaire = _own_questions(swedish_consultant)
    first, challenge, _extra = questionnaire.questions.all()
    slot = SlotFactory(consultant=swedish_consultant)
    member = MembershipFactory(user__language="da").user
    client.force_login(member)
    response = client.post(f"/book/{slot.pk}/", {f"q_{first.pk}": "Egna enkäter", f"q_{challenge.pk}": "Klager"},
                           HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 302
    client.post(f"/book/{slot.pk}/review/", HTTP_ACCEPT_LANGUAGE="da")
    answer = IntakeAnswer.objects.get(booking=Booking.objects.get(), question=first)
    assert (answer.question_label, answer.value) == ("Hur mäter ni kundnöjdhet?", "Egna enkäter")


def test_the_default_questions_come_in_every_site_language():
    consultant = ConsultantFactory(user__language="sv")
    first = questionnaire_get_current(consultant).questions.all()[2]
    with translation.override("sv"):
        assert first.label == translation.gettext("How do you measure customer satisfaction today?")
    assert first.language == "sv"
    assert first.translations["en"]["label"] == "How do you measure customer satisfaction today?"
    assert first.text_in("en").choices[0][1] == "NPS (Net Promoter Score)"
    assert set(first.translations) == {"en", "da"}


def test_the_builder_asks_for_each_question_in_the_profiles_languages(client, swedish_consultant):
    _own_questions(swedish_consultant)
    client.force_login(swedish_consultant.user)
    page = client.get("/me/questionnaire/").content.decode()
    assert 'name="q-0-label_da"' in page and 'value="Hvordan måler I kundetilfredshed?"' in page
    assert 'name="q-0-label_en"' not in page  # English is not on the profile and no question has it

    current = questionnaire_get_current(swedish_consultant)
    data = {"q-TOTAL_FORMS": "1", "q-INITIAL_FORMS": "0", "q-MIN_NUM_FORMS": "0", "q-MAX_NUM_FORMS": "30",
            "q-0-kind": "single_choice", "q-0-label": "Hur mäter ni?", "q-0-required": "on", "q-0-ORDER": "1",
            "q-0-choices": "NPS\nEnkäter", "q-0-label_da": "Hvordan måler I?", "q-0-choices_da": "NPS"}
    response = client.post("/me/questionnaire/", data)
    assert response.status_code == 400  # a Danish version with a choice missing
    with translation.override("sv"):  # the page speaks the consultant's language
        refusal = translation.gettext("Give as many choices as in your own language, in the same order.")
    assert refusal in response.content.decode()
    assert questionnaire_get_current(swedish_consultant) == current

    response = client.post("/me/questionnaire/", {**data, "q-0-choices_da": "NPS\nUndersøgelser"})
    assert response.status_code == 302
    [question] = questionnaire_get_current(swedish_consultant).questions.all()
    assert (question.language, question.translations) == ("sv", {"da": {
        "label": "Hvordan måler I?", "help_text": "", "choices": ["NPS", "Undersøgelser"]}})


def test_size_and_industry_are_prefilled_from_the_company_and_a_change_is_saved_there(client):
    consultant = ConsultantFactory()
    slot = SlotFactory(consultant=consultant)
    member = MembershipFactory(company__size="50-249", company__industry="housing").user
    company = member.memberships.get().company
    client.force_login(member)
    questions = {q.kind: q for q in questionnaire_get_current(consultant).questions.all()}

    page = client.get(f"/book/{slot.pk}/").content.decode()
    assert f'name="q_{questions["company_size"].pk}" value="50-249"' in page
    size_input = page.split('value="50-249"', 1)[1].split(">", 1)[0]
    assert "checked" in size_input
    assert '<option value="housing" selected>' in page

    data = {**post_data_for(consultant), f"q_{questions['company_size'].pk}": "250+",
            f"q_{questions['company_industry'].pk}": "retail"}
    assert client.post(f"/book/{slot.pk}/", data).status_code == 302
    assert client.post(f"/book/{slot.pk}/review/").status_code == 302
    company.refresh_from_db()
    assert (company.size, company.industry) == ("250+", "retail")
    size = IntakeAnswer.objects.get(question=questions["company_size"])
    assert size.display_value == str(Company.Size.LARGE.label)


def test_a_long_answer_states_its_limit_and_a_longer_one_is_refused_not_cut(client):
    consultant = ConsultantFactory()
    slot = SlotFactory(consultant=consultant)
    long_q = next(q for q in questionnaire_get_current(consultant).questions.all() if q.kind == "long_text")
    page = client.get(f"/book/{slot.pk}/").content.decode()
    assert 'maxlength="4000"' in page and "data-counter" in page
    assert "Up to 4,000 characters." in page

    data = {**post_data_for(consultant), f"q_{long_q.pk}": "x" * 4001}
    response = client.post(f"/book/{slot.pk}/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ensure this value has at most 4000 characters (it has 4001)." in body
    assert "x" * 4001 in body  # kept as typed, for the company to shorten
    assert client.get(f"/book/{slot.pk}/review/").status_code == 302  # no draft was saved
