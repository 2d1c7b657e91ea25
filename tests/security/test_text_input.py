"""Control and bidirectional characters never reach the database: every form with free text refuses them with an
error on the field, and so does every model text field (the admin's and the API's way in).

A company named with U+202E (RIGHT-TO-LEFT OVERRIDE) rendered reversed in the consultant's sessions, the pipeline,
e-mails and the CSV; NUL and BEL break e-mail headers and terminals; a 100 kB "name" is no name.
"""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models

from accounts.text import OUR_APPS
from booking.questionnaires import questionnaire_get_current
from tests.fuzz.hostile import shows_an_error
from tests.fuzz.test_accounts_forms import COMPANY, INVITATION, PROFILE, SIGNUP
from tests.fuzz.test_booking_forms import BUILDER
from tests.fuzz.test_consultant_forms import BLACKOUT
from tests.fuzz.test_consultant_forms import PROFILE as CONSULTANT_PROFILE
from tests.fuzz.test_engagement_forms import GAP_REPORT, PROPOSAL

pytestmark = pytest.mark.django_db


HOSTILE = {
    "U+202E right-to-left override": "Acme \u202eBA ynapmoC",
    "U+0000 NUL": "Acme\x00AB",
    "U+0007 BEL": "Acme\x07AB",
    "U+2066 left-to-right isolate": "Acme \u2066AB\u2069",
    "100 kB": "y" * 100_000,
}


def _intake(w, consultant) -> dict:
    data = {}
    for q in questionnaire_get_current(consultant).questions.all():
        data[f"q_{q.pk}"] = {"single_choice": q.choices[0] if q.choices else "x", "multiple_choice": q.choices[:1],
                             "scale": "7", "number": "12", "yes_no": "yes", "company_size": "1-9",
                             "company_industry": "retail"}.get(q.kind, "We measure nothing yet")
    return data


def _intake_text_fields(w, consultant) -> list[str]:
    return [f"q_{q.pk}" for q in questionnaire_get_current(consultant).questions.all()
            if q.kind in ("short_text", "long_text")]


def _prefixed(prefix: str, fields: dict) -> dict:
    return {f"{prefix}-{k}": v for k, v in fields.items()}


# name: (actor, url, valid data, the free-text fields) — each a function of the world.
FORMS = {
    "sign-up": ("anonymous", lambda w: "/accounts/signup/", lambda w: SIGNUP, ["name", "company_name"]),
    "profile": ("member", lambda w: "/me/profile/", lambda w: PROFILE, ["name"]),
    "company details": ("member", lambda w: "/company/", lambda w: COMPANY, ["company_name"]),
    "invitation": ("anonymous",
                   lambda w: f"/accounts/invitation/{w.tokens['invitation_uidb64']}/{w.tokens['invitation']}/",
                   lambda w: INVITATION, ["name"]),
    "consultant profile": ("consultant", lambda w: "/me/consultant/profile/", lambda w: CONSULTANT_PROFILE,
                           ["display_name", "headline", "bio", "city"]),
    "time off": ("consultant", lambda w: "/me/rules/",
                 lambda w: {"form": "blackout", **_prefixed("blackout", BLACKOUT)}, ["blackout-note"]),
    "questionnaire builder": ("consultant", lambda w: "/me/questionnaire/", lambda w: BUILDER,
                              ["q-0-label", "q-0-help_text", "q-1-choices"]),
    "booking questions": ("other_member", lambda w: f"/book/{w.free_slot.pk}/",
                          lambda w: _intake(w, w.consultant_profile), "intake"),
    "waitlist claim": ("member", lambda w: f"/waitlist/claim/{w.tokens['waitlist_claim']}/",
                       lambda w: _intake(w, w.consultant_profile), "intake"),
    "declining a request": ("consultant", lambda w: f"/me/sessions/{w.requested_booking.pk}/decline/",
                            lambda w: {"message": "Sorry, I am ill."}, ["message"]),
    "consultant cancelling": ("consultant", lambda w: f"/me/sessions/{w.booking.pk}/cancel/",
                              lambda w: {"reason": "Sorry, I am ill."}, ["reason"]),
    "company cancelling": ("member", lambda w: f"/company/sessions/{w.booking.pk}/",
                           lambda w: {"action": "cancel", "reason": "Budget"}, ["reason"]),
    "manage link": ("anonymous", lambda w: f"/manage/{w.tokens['manage']}/",
                    lambda w: {"action": "cancel", "reason": "Budget"}, ["reason"]),
    "survey": ("anonymous", lambda w: f"/feedback/{w.tokens['survey']}/",
               lambda w: {"score": "9", "comment": "Very helpful", "show_company": "on"}, ["comment"]),
    "new proposal": ("consultant", lambda w: f"/me/sessions/{w.held_booking.pk}/proposals/new/",
                     lambda w: PROPOSAL, ["title", "scope"]),
    "editing a proposal": ("consultant", lambda w: f"/me/proposals/{w.engagement_draft.pk}/edit/",
                           lambda w: PROPOSAL, ["title", "scope"]),
    "gap report": ("consultant", lambda w: f"/me/sessions/{w.held_booking.pk}/gap-report/", lambda w: GAP_REPORT,
                   ["summary", "recommendations", "next_steps", "gaps-0-title", "gaps-0-detail"]),
    "declining a proposal": ("member", lambda w: f"/proposals/{w.engagement_proposed.pk}/decline/",
                             lambda w: {"reason": "Too expensive"}, ["reason"]),
}


def database_text() -> str:
    """Every row of every table (the cache and sessions aside) as one string, to search for what must not be
    there and to compare before and after."""
    parts = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in ("probono_cache", "django_session"):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            parts.append(f"{table}:{sorted(map(repr, cursor.fetchall()))}")
    return "\n".join(parts)


@pytest.mark.parametrize("form", FORMS)
def test_every_text_field_of_every_form_refuses_control_and_bidi_characters_with_a_field_error(as_actor, world,
                                                                                             form):
    actor, url, valid, fields = FORMS[form]
    url, baseline = url(world), dict(valid(world))
    if fields == "intake":
        fields = _intake_text_fields(world, world.consultant_profile)
    assert fields, form
    client = as_actor(actor)
    before = database_text()
    refused = []
    for field in fields:
        assert field in baseline, (form, field)
        for label, value in HOSTILE.items():
            response = client.post(url, {**baseline, field: value})
            assert response.status_code in (200, 400), (form, field, label, response.status_code)
            assert shows_an_error(response), (form, field, label)
            refused.append((field, label))
    after = database_text()
    assert after == before, f"{form}: a refused form changed the database"
    for value in ("\u202e", "\x00", "\x07", "\u2066", "y" * 100_000):
        assert value not in after
    assert len(refused) == len(fields) * len(HOSTILE)


def test_the_error_names_the_problem_on_the_field(as_actor, world):
    response = as_actor("member").post("/company/", {**COMPANY, "company_name": "Acme \u202eBA"})
    body = response.content.decode()
    assert "Remove the invisible control character (U+202E)" in body
    response = as_actor("member").post("/me/profile/", {**PROFILE, "name": "Maja\nMember"})
    assert "Use a single line here" in response.content.decode()


def test_multi_line_fields_keep_their_line_breaks_and_tabs(as_actor, world):
    bio = "First line.\r\nSecond line,\tindented."
    response = as_actor("consultant").post("/me/consultant/profile/", {**CONSULTANT_PROFILE, "bio": bio})
    assert response.status_code == 302
    world.consultant_profile.refresh_from_db()
    assert world.consultant_profile.bio.replace("\r\n", "\n") == bio.replace("\r\n", "\n")


def _text_fields():
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.TextField | models.CharField) and not field.choices and field.concrete:
                yield pytest.param(field, id=f"{model._meta.label}.{field.name}")


@pytest.mark.parametrize("field", list(_text_fields()))
def test_every_model_text_field_refuses_them_so_the_admin_and_full_clean_do_too(field):
    multiline = isinstance(field, models.TextField)
    for value in ("A\u202eB", "A\x00B", "A\x07B", "A\u2066B", "A\u200fB", "A\x85B"):
        with pytest.raises(ValidationError):
            field.run_validators(value)
    if multiline:
        field.run_validators("line one\nline two\tand a tab")
        with pytest.raises(ValidationError):
            field.run_validators("y" * 100_000)
    else:
        with pytest.raises(ValidationError):
            field.run_validators("line one\nline two")


def test_the_rule_stays_out_of_the_migrations():
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_the_admin_refuses_a_company_name_with_an_override(client, staff_user, company):
    client.force_login(staff_user)
    page = client.get(f"/admin/accounts/company/{company.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name, bound in form.fields.items():
        value = form.initial.get(name, bound.initial)
        if value is not None:
            data[name] = value.pk if hasattr(value, "pk") else value
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management.initial.get(name, 0)
    data["name"] = "Acme \u202eBA"
    response = client.post(f"/admin/accounts/company/{company.pk}/change/", data)
    assert response.status_code == 200
    assert "U+202E" in response.content.decode()
    company.refresh_from_db()
    assert "\u202e" not in company.name


@pytest.mark.parametrize("value,expected", [("=1+2", "'=1+2"), ("-2+3", "'-2+3"), ("-1+cmd|' /C calc'!A0",
                                            "'-1+cmd|' /C calc'!A0"), ("@SUM(A1)", "'@SUM(A1)"), ("+46", "'+46"),
                                           ("-20", "-20"), ("-4,5", "-4,5"), ("Acme AB", "Acme AB")])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(value, expected):
    from reports.views import _cell

    assert _cell(value) == expected
