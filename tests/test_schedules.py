"""One registry of periodic tasks: each app's tasks.py declares its SCHEDULES; `migrate` (and `manage.py
setup_schedules`) makes django-q2's schedules match it exactly, and running it again changes nothing."""

import datetime as dt
from importlib import import_module
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from accounts.schedules import Periodic, schedules_declared, schedules_sync

pytestmark = pytest.mark.django_db

# Written out on purpose: dropping a schedule from a tasks.py must be a visible change here too.
REGISTERED = {
    ("calendars.sources_sync_due", "calendars.tasks.sources_sync_due", Schedule.MINUTES, 15),
    ("booking.reminders_send_due", "booking.tasks.reminders_send_due", Schedule.MINUTES, 5),
    ("booking.booking_expire_requests", "booking.tasks.booking_expire_requests", Schedule.MINUTES, 15),
    ("waitlist.waitlist_offer_free_slots", "waitlist.tasks.waitlist_offer_free_slots", Schedule.MINUTES, 5),
    ("waitlist.waitlist_expire_offers", "waitlist.tasks.waitlist_expire_offers", Schedule.MINUTES, 5),
    ("waitlist.waitlist_mail_unsent_offers", "waitlist.tasks.waitlist_mail_unsent_offers", Schedule.MINUTES, 5),
    ("feedback.feedback_send_due", "feedback.tasks.feedback_send_due", Schedule.MINUTES, 10),
    ("consultants.slot_publish_due", "consultants.tasks.slot_publish_due", Schedule.HOURLY, None),
    ("engagements.engagements_expire", "engagements.tasks.engagements_expire", Schedule.HOURLY, None),
    ("integrations.webhook_deliveries_send_due", "integrations.tasks.webhook_deliveries_send_due",
     Schedule.MINUTES, 1),
    ("reports.reports_figures_refresh_recent", "reports.tasks.reports_figures_refresh_recent", Schedule.MINUTES, 10),
}


def _schedules() -> set[tuple]:
    return set(Schedule.objects.values_list("name", "func", "schedule_type", "minutes"))


def test_migrating_an_empty_database_installs_exactly_the_registered_schedules():
    # The test database was built by `migrate` from nothing.
    assert _schedules() == REGISTERED
    assert {(p.name, p.func) for p in schedules_declared()} == {(name, func) for name, func, *_ in REGISTERED}
    assert set(Schedule.objects.values_list("repeats", flat=True)) == {-1}


def test_every_schedule_runs_a_function_that_exists():
    for func in Schedule.objects.values_list("func", flat=True):
        module, attr = func.rsplit(".", 1)
        assert callable(getattr(import_module(module), attr)), func


def test_migrating_or_running_the_command_again_changes_nothing():
    before = list(Schedule.objects.order_by("pk").values())
    call_command("migrate", verbosity=0)
    out = StringIO()
    call_command("setup_schedules", stdout=out)
    assert out.getvalue().strip() == "schedules: nothing to change"
    assert schedules_sync() == {"created": [], "updated": [], "removed": []}
    assert list(Schedule.objects.order_by("pk").values()) == before


def test_a_database_registered_by_the_old_migrations_is_brought_in_line():
    """What the four data migrations wrote (waitlist and survey schedules under booking's names and task paths),
    plus a changed cadence, a schedule nobody declares and one made by hand in the admin."""
    Schedule.objects.filter(name__in=["waitlist.waitlist_offer_free_slots", "waitlist.waitlist_expire_offers",
                                      "feedback.feedback_send_due"]).delete()
    old = timezone.now() - dt.timedelta(days=3)
    Schedule.objects.create(name="booking.waitlist_offer_free_slots", func="booking.tasks.waitlist_offer_free_slots",
                            schedule_type=Schedule.MINUTES, minutes=5, repeats=-1, next_run=old)
    Schedule.objects.create(name="booking.feedback_send_due", func="booking.tasks_feedback.feedback_send_due",
                            schedule_type=Schedule.MINUTES, minutes=10, repeats=-1, next_run=old)
    Schedule.objects.filter(name="booking.reminders_send_due").update(minutes=30, next_run=old)
    Schedule.objects.create(name="nightly-export", func="reports.tasks.something", schedule_type=Schedule.DAILY,
                            repeats=-1, next_run=old)

    out = StringIO()
    call_command("setup_schedules", stdout=out)

    assert out.getvalue().splitlines() == [
        "created waitlist.waitlist_offer_free_slots", "created waitlist.waitlist_expire_offers",
        "created feedback.feedback_send_due", "updated booking.reminders_send_due",
        "removed booking.feedback_send_due", "removed booking.waitlist_offer_free_slots"]
    assert _schedules() == REGISTERED | {("nightly-export", "reports.tasks.something", Schedule.DAILY, None)}
    # An updated schedule keeps its place in time.
    assert Schedule.objects.get(name="booking.reminders_send_due").next_run == old


def test_a_schedule_is_every_n_minutes_or_hourly():
    with pytest.raises(ValueError):
        Periodic(schedules_sync)
    with pytest.raises(ValueError):
        Periodic(schedules_sync, minutes=5, hourly=True)
    with pytest.raises(ValueError):
        Periodic(schedules_sync, minutes=0)
    assert Periodic(schedules_sync, minutes=5).func == "accounts.schedules.schedules_sync"


def test_the_request_expiry_task_calls_the_booking_service(monkeypatch):
    from booking import services, tasks

    calls = []
    monkeypatch.setattr(services, "booking_expire_requests", lambda: calls.append(1) or 3)
    assert tasks.booking_expire_requests() == 3
    assert calls == [1]
