"""The periodic booking tasks are registered once, however often the command runs, and point at real functions."""

from importlib import import_module

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from booking.schedules import SCHEDULES

pytestmark = pytest.mark.django_db


def test_the_setup_command_registers_each_booking_schedule_once():
    call_command("booking_setup_schedules")
    call_command("booking_setup_schedules")

    for name, func, minutes in SCHEDULES:
        schedule = Schedule.objects.get(name=name)
        assert (schedule.func, schedule.schedule_type, schedule.minutes) == (func, Schedule.MINUTES, minutes)
        module, attr = func.rsplit(".", 1)
        assert callable(getattr(import_module(module), attr))
    assert {s[1] for s in SCHEDULES} >= {"booking.tasks.reminders_send_due", "waitlist.tasks.waitlist_expire_offers",
                                          "waitlist.tasks.waitlist_offer_free_slots"}


def test_the_request_expiry_task_calls_the_booking_service(monkeypatch):
    from booking import services, tasks

    calls = []
    monkeypatch.setattr(services, "booking_expire_requests", lambda: calls.append(1) or 3)
    assert tasks.booking_expire_requests() == 3
    assert calls == [1]


def test_migrating_installs_the_booking_schedules():
    # The test database was built by running the migrations.
    assert set(Schedule.objects.values_list("name", flat=True)) >= {s[0] for s in SCHEDULES}
