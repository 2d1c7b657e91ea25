import pytest
from django.utils import translation

from booking import questionnaires
from booking.models import IntakeAnswer, Question, Questionnaire
from booking.questionnaires import IntakeForm, questionnaire_get_current, questionnaire_save
from tests.factories import BookingFactory, ConsultantFactory, QuestionFactory, QuestionnaireFactory

pytestmark = pytest.mark.django_db


def _formset_post(rows: list[dict], extra_blank: bool = True) -> dict:
    # A browser sends the blank row with its initial values (type short text, required ticked).
    forms = rows + ([{"kind": "short_text", "required": "on"}] if extra_blank else [])
    data = {"q-TOTAL_FORMS": str(len(forms)), "q-INITIAL_FORMS": str(len(rows)), "q-MIN_NUM_FORMS": "0",
            "q-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(forms):
        for key, value in row.items():
            data[f"q-{i}-{key}"] = value
    return data


def _rows(questionnaire) -> list[dict]:
    rows = []
    for i, q in enumerate(questionnaire.questions.all()):
        row = {"kind": q.kind, "label": q.label, "help_text": q.help_text, "choices": "\n".join(q.choices),
               "ORDER": str(i + 1)}
        if q.required:
            row["required"] = "on"
        rows.append(row)
    return rows


def test_a_new_consultant_starts_with_the_default_gap_analysis_questionnaire():
    consultant = ConsultantFactory()

    q = questionnaire_get_current(consultant)

    assert q.version == 1
    questions = list(q.questions.all())
    assert [x.kind for x in questions] == ["company_size", "company_industry", "multiple_choice", "long_text",
                                           "long_text"]
    assert "How do you measure customer satisfaction today?" == questions[2].label
    assert questions[2].choices[0].startswith("NPS") and "CSI" in questions[2].choices[1]
    assert questions[2].choices[-1] == "We do not measure it yet"
    assert questionnaire_get_current(consultant) == q  # created once
    assert Questionnaire.objects.filter(consultant=consultant).count() == 1


def test_the_default_questionnaire_is_written_in_the_consultants_language(monkeypatch):
    monkeypatch.setattr(questionnaires, "_", lambda text: f"[{translation.get_language()}] {text}")
    consultant = ConsultantFactory(user__language="sv")

    q = questionnaire_get_current(consultant)

    assert all(x.label.startswith("[sv] ") for x in q.questions.all())


def test_saving_changed_questions_creates_a_new_version_and_old_answers_keep_their_wording():
    consultant = ConsultantFactory()
    v1 = questionnaire_get_current(consultant)
    first = v1.questions.first()
    booking = BookingFactory(slot__consultant=consultant, questionnaire=v1)
    IntakeAnswer.objects.create(booking=booking, question=first, question_label=first.label,
                                question_kind=first.kind, value="10–49")

    v2 = questionnaire_save(consultant=consultant, questions=[
        {"kind": "scale", "label": "How likely are you to recommend us?", "help_text": "", "required": True,
         "choices": []},
    ])

    assert v2.version == 2
    assert questionnaire_get_current(consultant) == v2
    assert [q.label for q in v2.questions.all()] == ["How likely are you to recommend us?"]
    assert v1.questions.count() == 5  # untouched
    answer = booking.answers.get()
    assert answer.question_label == "How many people work in your company?"
    assert answer.question.questionnaire == v1


def test_saving_without_changes_creates_no_version():
    consultant = ConsultantFactory()
    v1 = questionnaire_get_current(consultant)
    same = [{"kind": q.kind, "label": q.label, "help_text": q.help_text, "required": q.required,
             "choices": q.choices, "translations": q.translations} for q in v1.questions.all()]
    assert questionnaire_save(consultant=consultant, questions=same) == v1


def test_the_builder_adds_edits_reorders_and_removes_questions(client):
    consultant = ConsultantFactory()
    current = questionnaire_get_current(consultant)
    client.force_login(consultant.user)
    page = client.get("/me/questionnaire/").content.decode()
    assert "How many people work in your company?" in page
    assert "version 1" in page

    rows = _rows(current)
    rows[1]["label"] = "Which sector are you in?"           # edit
    rows[0]["ORDER"], rows[1]["ORDER"] = "2", "1"          # swap the first two
    rows[4]["DELETE"] = "on"                               # remove the last
    new = {"kind": "scale", "label": "How happy are your customers today?", "ORDER": "9", "required": "on"}
    response = client.post("/me/questionnaire/", _formset_post(rows + [new], extra_blank=True) | {
        "q-INITIAL_FORMS": "5"})

    assert response.status_code == 302
    v2 = questionnaire_get_current(consultant)
    assert v2.version == 2
    assert [q.label for q in v2.questions.all()] == [
        "Which sector are you in?", "How many people work in your company?",
        "How do you measure customer satisfaction today?",
        "What is your main customer-experience challenge right now?", "How happy are your customers today?"]
    assert v2.questions.get(label="How happy are your customers today?").kind == "scale"


def test_a_choice_question_needs_two_choices_and_errors_keep_the_input(client):
    consultant = ConsultantFactory()
    client.force_login(consultant.user)
    rows = [{"kind": "single_choice", "label": "Which plan do you use?", "choices": "Only one", "ORDER": "1",
             "required": "on"}]

    response = client.post("/me/questionnaire/", _formset_post(rows))

    assert response.status_code == 400
    body = response.content.decode()
    assert "Give at least two choices" in body
    assert "Which plan do you use?" in body
    assert questionnaire_get_current(consultant).version == 1


def test_removing_every_question_is_refused(client):
    consultant = ConsultantFactory()
    rows = _rows(questionnaire_get_current(consultant))
    for row in rows:
        row["DELETE"] = "on"
    client.force_login(consultant.user)

    response = client.post("/me/questionnaire/", _formset_post(rows))

    assert response.status_code == 400
    assert "Keep at least one question." in response.content.decode()


@pytest.mark.parametrize(("kind", "raw", "stored"), [
    ("short_text", "Retail", "Retail"),
    ("scale", "7", 7),
    ("number", "120", 120),
    ("number", "12.5", 12.5),
    ("yes_no", "no", False),
    ("single_choice", "Two", "Two"),
    ("multiple_choice", ["One", "Three"], ["One", "Three"]),
])
def test_every_question_type_becomes_a_form_field_and_a_json_answer(kind, raw, stored):
    question = QuestionFactory(questionnaire=QuestionnaireFactory(), kind=kind)
    form = IntakeForm({f"q_{question.pk}": raw}, questions=[question])
    assert form.is_valid(), form.errors
    assert form.answers() == {question.pk: stored}


def test_a_scale_answer_outside_0_to_10_is_invalid():
    question = QuestionFactory(kind="scale")
    assert not IntakeForm({f"q_{question.pk}": "11"}, questions=[question]).is_valid()


def test_an_optional_question_may_stay_empty():
    question = QuestionFactory(kind="long_text", required=False)
    form = IntakeForm({}, questions=[question])
    assert form.is_valid()
    assert form.answers() == {question.pk: None}
    assert Question.objects.count() == 1
