from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from calendars.models import CalendarSource
from tests.factories import ConsultantFactory

FEEDS = Path(__file__).parent / "feeds"
# A Monday morning before the fixture feeds' events (they start on 1 March 2027).
NOW = datetime(2027, 2, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def consultant(db):
    return ConsultantFactory(user__email="consultant@example.com", time_zone="Europe/Stockholm",
                             display_name="Cecilia Consultant")


def feed(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def make_ics_source(consultant, url: str, **kwargs) -> CalendarSource:
    source = CalendarSource(consultant=consultant, kind=CalendarSource.Kind.ICS, name=kwargs.pop("name", "Work"),
                            **kwargs)
    source.set_secret({"url": url})
    source.save()
    return source


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
