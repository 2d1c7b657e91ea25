"""The hourly task that publishes each consultant's next month N days ahead."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.management import call_command
from django_q.models import Schedule

from consultants.models import Consultant, Slot
from consultants.tasks import slot_publish_due
from tests.factories import AvailabilityRuleFactory, ConsultantFactory

pytestmark = pytest.mark.django_db


def test_the_next_month_is_published_once_it_is_due_and_the_consultant_gets_a_summary(
        mailoutbox, django_capture_on_commit_callbacks):
    rule = AvailabilityRuleFactory(consultant=ConsultantFactory(publish_ahead_days=14))
    c = rule.consultant
    with time_machine.travel(datetime(2027, 2, 13, 12, tzinfo=UTC), tick=False):  # 16 days before March
        with django_capture_on_commit_callbacks(execute=True):
            assert slot_publish_due() == {}
    assert not Slot.objects.exists() and mailoutbox == []

    with time_machine.travel(datetime(2027, 2, 15, 12, tzinfo=UTC), tick=False):  # 14 days before
        with django_capture_on_commit_callbacks(execute=True):
            assert slot_publish_due() == {c.pk: 5}
    assert Slot.objects.filter(consultant=c, status="published").count() == 5
    c.refresh_from_db()
    assert c.last_published_month == date(2027, 3, 1)
    [mail] = mailoutbox
    assert mail.to == [c.user.email]
    assert "5 free slots open for March 2027" in mail.subject
    assert "5 of them were published just now" in mail.body
    assert "Monday 1 March, 09:00" in mail.body  # in the consultant's zone
    assert "/me/month/2027/3/" in mail.body
    html = mail.alternatives[0][0]
    assert "<li>Monday 1 March, 09:00–10:00</li>" in html and 'href="http' in html


def test_running_the_task_twice_publishes_and_mails_once(mailoutbox, django_capture_on_commit_callbacks):
    rule = AvailabilityRuleFactory()
    with time_machine.travel(datetime(2027, 2, 20, 12, tzinfo=UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            first = slot_publish_due()
            # Meanwhile the consultant removes one slot: a second run must not undo that or mail again.
            Slot.objects.filter(consultant=rule.consultant).order_by("starts_at").first().delete()
            second = slot_publish_due()
    assert first == {rule.consultant_id: 5} and second == {}
    assert Slot.objects.filter(consultant=rule.consultant).count() == 4
    assert len(mailoutbox) == 1


def test_a_claimed_month_is_not_claimed_again_by_a_stale_copy_of_the_consultant(mailoutbox,
                                                                                django_capture_on_commit_callbacks):
    from consultants.services import slot_publish_due_for

    rule = AvailabilityRuleFactory()
    stale = Consultant.objects.get(pk=rule.consultant_id)  # loaded before the other worker's claim
    now = datetime(2027, 2, 20, 12, tzinfo=UTC)
    with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert slot_publish_due_for(consultant=rule.consultant, now=now) == 5
        assert slot_publish_due_for(consultant=stale, now=now) is None
    assert len(mailoutbox) == 1


def test_consultants_without_active_rules_or_with_inactive_accounts_are_skipped(mailoutbox):
    AvailabilityRuleFactory(is_active=False)
    inactive = AvailabilityRuleFactory()
    inactive.consultant.user.is_active = False
    inactive.consultant.user.save()
    with time_machine.travel(datetime(2027, 2, 25, 12, tzinfo=UTC), tick=False):
        assert slot_publish_due() == {}
    assert not Slot.objects.exists()


def test_each_consultants_own_days_ahead_and_zone_decide_when_it_is_due():
    early = AvailabilityRuleFactory(consultant=ConsultantFactory(publish_ahead_days=30)).consultant
    late = AvailabilityRuleFactory(consultant=ConsultantFactory(publish_ahead_days=3)).consultant
    with time_machine.travel(datetime(2027, 2, 10, 12, tzinfo=UTC), tick=False):
        assert slot_publish_due() == {early.pk: 5}
    with time_machine.travel(datetime(2027, 2, 25, 23, 30, tzinfo=UTC), tick=False):  # 26 Feb 00:30 in Stockholm
        assert slot_publish_due() == {late.pk: 5}


def test_one_consultants_failure_rolls_back_their_claim_and_does_not_stop_the_others(monkeypatch):
    broken = AvailabilityRuleFactory().consultant
    fine = AvailabilityRuleFactory().consultant
    from consultants import services

    real = services.slot_publish_month

    def flaky(*, consultant, month, now):
        if consultant.pk == broken.pk:
            raise RuntimeError("boom")  # after the claim and the generation, inside the transaction
        return real(consultant=consultant, month=month, now=now)

    monkeypatch.setattr(services, "slot_publish_month", flaky)
    with time_machine.travel(datetime(2027, 2, 25, 12, tzinfo=UTC), tick=False):
        assert slot_publish_due() == {fine.pk: 5}
    broken.refresh_from_db()
    assert broken.last_published_month is None  # rolled back: retried next hour
    assert not Slot.objects.filter(consultant=broken).exists()


def test_the_hourly_schedule_is_registered_once_by_the_migration():
    schedules = Schedule.objects.filter(func="consultants.tasks.slot_publish_due")
    assert [(s.name, s.schedule_type, s.repeats) for s in schedules] == [
        ("consultants.slot_publish_due", Schedule.HOURLY, -1)]
    # Re-running the registration (what every `migrate` does) does not add a second one.
    from accounts.schedules import schedules_sync

    schedules_sync()
    assert Schedule.objects.filter(func="consultants.tasks.slot_publish_due").count() == 1
    call_command("check")
