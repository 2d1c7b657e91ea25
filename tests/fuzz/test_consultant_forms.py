"""Hostile input to the consultant's forms: profile, settings, availability rules, blackouts, month review."""

import datetime as dt

from django.utils import timezone
from hypothesis import given

from consultants.models import Slot
from tests.fuzz.hostile import FUZZ, check_post, field_values

PROFILE = {"display_name": "Cecilia C", "headline": "CX", "bio": "Bio", "city": "Lund",
           "time_zone": "Europe/Stockholm", "expertise": ["nps"], "languages": ["sv"], "is_public": "on"}
SETTINGS = {"requires_approval": "on", "publish_ahead_days": "14"}
RULE = {"kind": "monthly", "ordinal": "2", "weekday": "3", "on_date": "", "start_time": "10:00",
        "end_time": "12:00", "session_minutes": "60", "buffer_minutes": "15", "is_active": "on"}
BLACKOUT = {"start_date": "2031-07-01", "end_date": "2031-07-14", "start_time": "12:00", "end_time": "14:00",
            "note": "Summer"}
OVERRIDE = {"day": "2031-03-03", "unavailable": "", "start_1": "13:00", "end_1": "15:00", "start_2": "",
            "end_2": "", "start_3": "", "end_3": ""}
LIMITS = {"min_notice_hours": "24", "booking_window_days": "30", "monthly_cap": "4", "weekly_cap": "2",
          "daily_cap": "1", "holiday_country": "DK", "skip_holidays": "on"}
SLOT = {"day": "2031-03-04", "start": "10:00", "minutes": "60"}


def _prefixed(prefix: str, fields: dict) -> dict:
    return {f"{prefix}-{k}": v for k, v in fields.items()}


@FUZZ
@given(data=field_values(PROFILE))
def test_consultant_profile_survives_hostile_input(as_actor, data):
    check_post(as_actor("consultant"), "/me/consultant/profile/", data)


@FUZZ
@given(data=field_values(SETTINGS))
def test_consultant_settings_survive_hostile_input(as_actor, data):
    check_post(as_actor("consultant"), "/me/consultant/settings/", data)


@FUZZ
@given(data=field_values({"form": "rule", **_prefixed("rule", RULE)}, fixed=("form",)))
def test_a_new_availability_rule_survives_hostile_input(as_actor, data):
    check_post(as_actor("consultant"), "/me/rules/", data)


@FUZZ
@given(data=field_values(RULE))
def test_editing_a_rule_survives_hostile_input(as_actor, world, data):
    check_post(as_actor("consultant"), f"/me/rules/{world.rule.pk}/", data)


@FUZZ
@given(data=field_values({"form": "blackout", **_prefixed("blackout", BLACKOUT)}, fixed=("form",)))
def test_a_blackout_survives_hostile_input(as_actor, data):
    check_post(as_actor("consultant"), "/me/rules/", data)


@FUZZ
@given(data=field_values({"form": "override", **_prefixed("override", OVERRIDE)}, fixed=("form",)))
def test_a_date_override_survives_hostile_input(as_actor, data):
    check_post(as_actor("consultant"), "/me/rules/", data)


@FUZZ
@given(data=field_values(_prefixed("override", OVERRIDE)))
def test_a_date_override_from_the_month_review_survives_hostile_input(as_actor, data):
    response = as_actor("consultant").post("/me/overrides/", data)
    assert response.status_code == 302, response.status_code


@FUZZ
@given(data=field_values({"form": "limits", **_prefixed("limits", LIMITS)}, fixed=("form",)))
def test_limits_and_holiday_settings_survive_hostile_input(as_actor, data):
    check_post(as_actor("consultant"), "/me/rules/", data)


@FUZZ
@given(data=field_values(SLOT))
def test_adding_a_slot_in_the_month_review_survives_hostile_input(as_actor, world, data):
    """Always a redirect with a message; a slot is only ever added with a sane length, in that month."""
    before = set(Slot.objects.values_list("pk", flat=True))
    client = as_actor("consultant")
    response = client.post("/me/month/2031/3/add/", data)
    assert response.status_code == 302, response.status_code
    for slot in Slot.objects.exclude(pk__in=before):
        minutes = (slot.ends_at - slot.starts_at) / dt.timedelta(minutes=1)
        assert 15 <= minutes <= 480, (data, minutes)
        assert slot.consultant_id == world.consultant_profile.pk
        assert slot.status == "draft" and slot.starts_at > timezone.now()
    page = client.get("/me/month/2031/3/")
    assert page.status_code == 200
