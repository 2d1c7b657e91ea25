from booking.questionnaires import questionnaire_get_current


def answers_for(consultant, **overrides) -> dict:
    """Valid answers to the consultant's current questionnaire, keyed by question pk."""
    q = questionnaire_get_current(consultant)
    out = {}
    for question in q.questions.all():
        if question.kind == "company_size":
            out[question.pk] = "1-9"
        elif question.kind == "company_industry":
            out[question.pk] = "housing"
        elif question.kind == "single_choice":
            out[question.pk] = question.choices[0]
        elif question.kind == "multiple_choice":
            out[question.pk] = question.choices[:2]
        elif question.kind in ("scale", "number"):
            out[question.pk] = 7
        elif question.kind == "yes_no":
            out[question.pk] = True
        else:
            out[question.pk] = "We want happier customers."
    out.update(overrides)
    return out


def post_data_for(consultant) -> dict:
    """The same answers as a POST to the booking form."""
    q = questionnaire_get_current(consultant)
    data = {}
    for question in q.questions.all():
        name = f"q_{question.pk}"
        if question.kind == "company_size":
            data[name] = "1-9"
        elif question.kind == "company_industry":
            data[name] = "housing"
        elif question.kind == "single_choice":
            data[name] = question.choices[0]
        elif question.kind == "multiple_choice":
            data[name] = question.choices[:2]
        elif question.kind in ("scale", "number"):
            data[name] = "7"
        elif question.kind == "yes_no":
            data[name] = "yes"
        else:
            data[name] = "We want happier customers."
    return data
