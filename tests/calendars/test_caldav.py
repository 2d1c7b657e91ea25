"""CalDAV against a real Radicale server: list the account's calendars, sync the chosen ones, plain-word errors."""

import uuid
from datetime import UTC, datetime

import caldav
import pytest
from django.utils import translation

from calendars.errors import source_error_text
from calendars.models import BusyPeriod, CalendarSource
from calendars.services import source_add_caldav, source_choose_calendars, source_discover, source_sync

pytestmark = pytest.mark.django_db


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def account(radicale):
    """Two fresh calendars of the Radicale user: "Work <id>" with events, "Birthdays <id>" with an all-day one."""
    url, username, password = radicale
    principal = caldav.DAVClient(url=url, username=username, password=password).principal()
    tag = uuid.uuid4().hex[:8]
    work = principal.make_calendar(name=f"Work {tag}", cal_id=f"work-{tag}")
    birthdays = principal.make_calendar(name=f"Birthdays {tag}", cal_id=f"birthdays-{tag}")
    work.save_event(dtstart=utc(2027, 3, 1, 9), dtend=utc(2027, 3, 1, 10), summary="Client workshop",
                    rrule={"FREQ": "WEEKLY", "COUNT": 3})
    work.save_event(dtstart=utc(2027, 3, 2, 13), dtend=utc(2027, 3, 2, 14), summary="Free lunch",
                    transp="TRANSPARENT")
    birthdays.save_event(dtstart=datetime(2027, 3, 4).date(), dtend=datetime(2027, 3, 5).date(),
                         summary="Birthday")
    return {"url": url, "username": username, "password": password, "work": work, "birthdays": birthdays,
            "tag": tag}


def _added(consultant, account, password=None, django_capture_on_commit_callbacks=None):
    with django_capture_on_commit_callbacks(execute=True):
        return source_add_caldav(consultant=consultant, name="Fastmail", url=account["url"],
                                 username=account["username"], password=password or account["password"])


def test_a_caldav_account_lists_its_calendars_then_syncs_the_chosen_ones(
        consultant, account, clock, django_capture_on_commit_callbacks):
    source = _added(consultant, account, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    source.refresh_from_db()
    names = {c["name"] for c in source.available_calendars}
    assert {f"Work {account['tag']}", f"Birthdays {account['tag']}"} <= names
    assert source.calendars == [] and not BusyPeriod.objects.exists()  # nothing counts until chosen
    work_url = next(c["url"] for c in source.available_calendars if c["name"] == f"Work {account['tag']}")
    with django_capture_on_commit_callbacks(execute=True):
        source_choose_calendars(source=source, urls=[work_url])
    periods = list(BusyPeriod.objects.filter(source=source).values_list("starts_at", "ends_at"))
    assert periods == [(utc(2027, 3, 1, 9), utc(2027, 3, 1, 10)), (utc(2027, 3, 8, 9), utc(2027, 3, 8, 10)),
                       (utc(2027, 3, 15, 9), utc(2027, 3, 15, 10))]  # three weekly occurrences; lunch is free
    source.refresh_from_db()
    assert source.last_synced_at is not None


def test_a_chosen_birthday_calendar_blocks_the_day_unless_all_day_events_are_switched_off(
        consultant, account, clock, django_capture_on_commit_callbacks):
    source = _added(consultant, account, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    source.refresh_from_db()
    url = next(c["url"] for c in source.available_calendars if c["name"].startswith("Birthdays"))
    source_choose_calendars(source=source, urls=[url])
    source_sync(source_id=source.pk)
    assert list(BusyPeriod.objects.values_list("starts_at", "ends_at")) == [(utc(2027, 3, 3, 23), utc(2027, 3, 4, 23))]
    CalendarSource.objects.filter(pk=source.pk).update(all_day_blocks=False)
    source_sync(source_id=source.pk)
    assert not BusyPeriod.objects.exists()


def test_a_wrong_password_is_said_in_plain_words(consultant, account, clock, django_capture_on_commit_callbacks):
    source = _added(consultant, account, password="not-the-password",
                    django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    source.refresh_from_db()
    assert source.available_calendars == []
    with translation.override("en"):
        assert source_error_text(source) == "The server refused the user name or password."


def test_a_server_that_is_not_caldav_is_said_in_plain_words(consultant, httpserver, clock):
    httpserver.expect_request("/").respond_with_data("<html>hello</html>", content_type="text/html")
    source = CalendarSource(consultant=consultant, kind="caldav", name="x")
    source.set_secret({"url": httpserver.url_for("/"), "username": "a", "password": "b"})
    source.save()
    assert source_discover(source_id=source.pk) is False
    source.refresh_from_db()
    assert source.last_error_code in {"not_caldav", "server"}


def test_the_password_is_stored_encrypted(consultant, account, clock, django_capture_on_commit_callbacks):
    source = _added(consultant, account, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    stored = CalendarSource.objects.values_list("secret", "address_hint").get(pk=source.pk)
    assert account["password"] not in stored[0] and account["username"] not in stored[0]
    assert stored[1] == "http://127.0.0.1/…"
    assert source.get_secret()["password"] == account["password"]
