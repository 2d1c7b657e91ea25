"""Hostile query strings on the pages that read them: directory filters, calendar and pipeline months, the
report period. Never a 5xx; bad values are ignored or shown as an error."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.hostile import FUZZ, field_values

DIRECTORY = {"expertise": "nps", "language": "sv", "free_this_month": "on", "page": "2"}
PERIOD = {"period": "custom", "year": "2026", "month": "3", "quarter": "1", "start": "2026-01-01",
          "end": "2026-03-31"}


def _get(client, path, data):
    response = client.get(path, data)
    assert response.status_code < 500, f"{response.status_code} for GET {path} {data}"
    return response


@FUZZ
@given(data=field_values(DIRECTORY))
def test_the_directory_survives_hostile_filters(client, world, data):
    client.logout()
    _get(client, "/consultants/", data)


# Up to 25 digits: "0-3000000000" once overflowed date() in engagements/forms.py MonthFilterForm (fixed).
MONTH_DIGITS = 25


@FUZZ
@given(month=st.one_of(st.from_regex(rf"\A-?[0-9]{{1,{MONTH_DIGITS}}}-[0-9]{{1,{MONTH_DIGITS}}}\Z"),
                       st.text(max_size=20)))
def test_the_calendar_and_pipeline_survive_hostile_months(as_actor, month):
    client = as_actor("consultant")
    for path in ("/me/calendar/", "/me/pipeline/"):
        assert _get(client, path, {"month": month}).status_code in (200, 404)


@FUZZ
@given(data=field_values(PERIOD))
def test_the_reports_survive_hostile_periods(as_actor, data):
    client = as_actor("staff")
    for path in ("/reports/", "/reports/conversions.csv", "/reports/leads.csv"):
        _get(client, path, data)


@pytest.mark.parametrize("month", ["0-3000000000", "99999999999999999999-1", "2026-99999999999", "-1--1"])
def test_months_too_large_for_a_date_are_refused_calmly(as_actor, month):
    client = as_actor("consultant")
    assert client.get("/me/pipeline/", {"month": month}).status_code == 200
    assert client.get("/me/calendar/", {"month": month}).status_code == 404
