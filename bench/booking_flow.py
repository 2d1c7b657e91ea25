"""How the bench scripts book through the real booking pages (runs with Django set up, the bench database).

The flow is booking:book (answers, kept as a draft in the session) → booking:review POST (booking_create) →
302 to booking:confirmation. The benchmark measures only the service-backed review POST: it writes each
booker's draft straight into their session first, exactly as booking:book would have left it. The load test
(bench/load.py) walks both steps over HTTP.
"""

from urllib.parse import urlencode

from django.urls import reverse

from bench.plan import CSRF_SECRET

DRAFT_KEY = "booking_draft"  # booking/views.py's session key


def answer_data(questions) -> dict[str, list[str]]:
    """A valid answer for every question, as booking:book's form would post it ({field name: [values]})."""
    data = {}
    for q in questions:
        kind = q.kind
        if kind == "company_size":
            value = ["10-49"]
        elif kind == "company_industry":
            value = ["retail"]
        elif kind in ("single_choice", "multiple_choice"):
            value = [q.choices[0]] if q.choices else []
        elif kind == "scale":
            value = ["8"]
        elif kind == "number":
            value = ["42"]
        elif kind == "yes_no":
            value = ["yes"]
        elif kind == "long_text":
            value = ["We survey customers twice a year and want to act on the answers faster."]
        else:
            value = ["Find our biggest gap in customer follow-up."]
        data[f"q_{q.pk}"] = value
    return data


def questionnaire_for(consultant_id: int):
    from booking.questionnaires import questionnaire_get_current
    from consultants.models import Consultant

    return questionnaire_get_current(Consultant.objects.select_related("user").get(pk=consultant_id))


_questionnaires: dict = {}


def booking_post(*, slot: dict, booker: dict, headers: dict) -> dict:
    """The review POST for `slot` by `booker`, after putting the draft in the booker's session."""
    from importlib import import_module

    from django.conf import settings

    from consultants.models import Slot

    consultant_id = Slot.objects.values_list("consultant_id", flat=True).get(pk=slot["id"])
    if consultant_id not in _questionnaires:
        q = questionnaire_for(consultant_id)
        _questionnaires[consultant_id] = (q, answer_data(q.questions.all()))
    questionnaire, data = _questionnaires[consultant_id]
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=booker["session"])
    store[DRAFT_KEY] = {"slot": slot["id"], "questionnaire": questionnaire.pk, "data": data}
    store.save()
    path = reverse("booking:review", kwargs={"pk": slot["id"]})
    return {"method": "POST", "path": path, "body": urlencode({"csrfmiddlewaretoken": CSRF_SECRET}),
            "headers": {**headers, "Content-Type": "application/x-www-form-urlencoded"}}
