"""Hostile input to "My other calendars": adding an ICS address or a CalDAV account, changing a source."""

from hypothesis import given

from tests.fuzz.hostile import FUZZ, check_post, field_values

ICS = {"ics-name": "Work", "ics-url": "https://calendar.example/private-token/basic.ics", "ics-all_day_blocks": "on"}
CALDAV = {"caldav-name": "Fastmail", "caldav-url": "https://caldav.example/", "caldav-username": "anna",
          "caldav-password": "app-password", "caldav-all_day_blocks": "on"}


@FUZZ
@given(data=field_values(ICS))
def test_adding_an_ics_address_survives_hostile_input(as_actor, data):
    check_post(as_actor("consultant"), "/me/calendars/add/ics/", data)


@FUZZ
@given(data=field_values(CALDAV))
def test_adding_a_caldav_account_survives_hostile_input(as_actor, data):
    check_post(as_actor("consultant"), "/me/calendars/add/caldav/", data)


@FUZZ
@given(data=field_values({"name": "Renamed", "all_day_blocks": "on"}))
def test_changing_a_source_survives_hostile_input(as_actor, world, data):
    pk = world.calendar_source.pk
    check_post(as_actor("consultant"), f"/me/calendars/{pk}/edit/", {f"e{pk}-{k}": v for k, v in data.items()},
               error_shown=False)


@FUZZ
@given(data=field_values({"calendars": ["https://caldav.example/anna/work/"]}))
def test_choosing_calendars_survives_hostile_input(as_actor, world, data):
    pk = world.calendar_source.pk
    check_post(as_actor("consultant"), f"/me/calendars/{pk}/calendars/",
               {f"s{pk}-{k}": v for k, v in data.items()}, error_shown=False)
