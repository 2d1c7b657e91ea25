"""slot_generate_month, publishing, and the consultant's single-slot changes."""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from consultants.models import Slot
from consultants.services import (
    SlotError,
    rule_delete,
    rule_save,
    slot_add,
    slot_block,
    slot_generate_month,
    slot_publish_month,
    slot_remove,
    slot_unblock,
)
from tests.factories import AvailabilityRuleFactory, BlackoutFactory, ConsultantFactory, SlotFactory

pytestmark = pytest.mark.django_db
STHLM = zoneinfo.ZoneInfo("Europe/Stockholm")
MARCH = date(2027, 3, 1)
NOW = datetime(2027, 2, 10, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def starts(consultant, **filters):
    return [s.starts_at.astimezone(STHLM).strftime("%d %H:%M")
            for s in Slot.objects.filter(consultant=consultant, **filters).order_by("starts_at")]


def test_a_first_monday_rule_makes_five_drafts_in_the_consultants_zone():
    rule = AvailabilityRuleFactory()
    result = slot_generate_month(consultant=rule.consultant, month=MARCH)
    assert result.created == 5
    assert starts(rule.consultant, status="draft") == ["01 09:00", "01 10:15", "01 11:30", "01 12:45", "01 14:00"]
    assert Slot.objects.filter(rule=rule).count() == 5


def test_running_generation_again_adds_nothing():
    rule = AvailabilityRuleFactory()
    slot_generate_month(consultant=rule.consultant, month=MARCH)
    ids = set(Slot.objects.values_list("id", flat=True))
    again = slot_generate_month(consultant=rule.consultant, month=date(2027, 3, 17))  # any day of the month
    assert (again.created, again.removed, again.kept) == (0, 0, 5)
    assert set(Slot.objects.values_list("id", flat=True)) == ids


def test_generation_never_touches_booked_published_or_blocked_slots():
    rule = AvailabilityRuleFactory()
    c = rule.consultant
    slot_generate_month(consultant=c, month=MARCH)
    s = list(Slot.objects.filter(consultant=c).order_by("starts_at"))
    Slot.objects.filter(pk=s[0].pk).update(status="booked")
    Slot.objects.filter(pk=s[1].pk).update(status="published")
    Slot.objects.filter(pk=s[2].pk).update(status="blocked")
    # The rule changes so that none of these times would be produced any more.
    rule_save(consultant=c, rule=rule, start_time=time(7, 30), end_time=time(8, 30))
    slot_generate_month(consultant=c, month=MARCH)
    assert starts(c, status="booked") == ["01 09:00"]
    assert starts(c, status="published") == ["01 10:15"]
    assert starts(c, status="blocked") == ["01 11:30"]
    assert starts(c, status="draft") == ["01 07:30"]  # the obsolete drafts (12:45, 14:00) are gone


def test_a_candidate_overlapping_a_booked_slot_is_left_out():
    rule = AvailabilityRuleFactory()
    SlotFactory(consultant=rule.consultant, status="booked", starts_at=datetime(2027, 3, 1, 9, 30, tzinfo=UTC))
    slot_generate_month(consultant=rule.consultant, month=MARCH)
    # 10:15 local = 09:15 UTC overlaps 09:30–10:30 UTC; 11:30 local = 10:30 UTC starts as it ends, inside
    # the 15 minutes' break that every session keeps, whichever rule or hand made it.
    assert starts(rule.consultant, status="draft") == ["01 09:00", "01 12:45", "01 14:00"]


def test_drafts_no_rule_produces_any_more_are_removed_but_hand_added_ones_stay():
    rule = AvailabilityRuleFactory()
    c = rule.consultant
    slot_generate_month(consultant=c, month=MARCH)
    mine = slot_add(consultant=c, starts_at=datetime(2027, 3, 10, 12, tzinfo=UTC))
    rule.is_active = False
    rule.save()
    result = slot_generate_month(consultant=c, month=MARCH)
    assert result.removed == 5
    assert list(Slot.objects.filter(consultant=c)) == [mine]


def test_a_new_blackout_removes_that_days_drafts_on_regeneration():
    rule = AvailabilityRuleFactory(kind="weekly", ordinal=None, weekday=0, end_time=time(10))
    c = rule.consultant
    slot_generate_month(consultant=c, month=MARCH)
    assert starts(c) == ["01 09:00", "08 09:00", "15 09:00", "22 09:00"]  # 29 March 2027 is Easter Monday
    BlackoutFactory(consultant=c, start_date=date(2027, 3, 7), end_date=date(2027, 3, 16), note="Skiing")
    slot_generate_month(consultant=c, month=MARCH)
    assert starts(c) == ["01 09:00", "22 09:00"]


def test_two_rules_offering_the_same_time_make_one_slot_from_the_older_rule():
    first = AvailabilityRuleFactory(end_time=time(10))
    AvailabilityRuleFactory(consultant=first.consultant, kind="weekly", ordinal=None, weekday=0,
                            start_time=time(9, 30), end_time=time(10, 30))
    slot_generate_month(consultant=first.consultant, month=MARCH)
    monday = [s for s in Slot.objects.filter(consultant=first.consultant) if s.starts_at.day == 1]
    assert [(s.rule_id, s.starts_at.astimezone(STHLM).time()) for s in monday] == [(first.pk, time(9))]


def test_deleting_a_rule_deletes_its_drafts_and_keeps_its_published_slots():
    rule = AvailabilityRuleFactory()
    slot_generate_month(consultant=rule.consultant, month=MARCH)
    published = Slot.objects.filter(rule=rule).first()
    Slot.objects.filter(pk=published.pk).update(status="published")
    rule_delete(rule=rule)
    assert list(Slot.objects.values_list("pk", "status")) == [(published.pk, "published")]


def test_generation_respects_minimum_notice_from_now():
    rule = AvailabilityRuleFactory(consultant__min_notice=timedelta(hours=24))
    with time_machine.travel(datetime(2027, 2, 28, 9, 0, tzinfo=UTC), tick=False):  # 10:00 Sunday local
        slot_generate_month(consultant=rule.consultant, month=MARCH)
    assert starts(rule.consultant) == ["01 10:15", "01 11:30", "01 12:45", "01 14:00"]


def test_publishing_a_month_publishes_its_future_drafts_only():
    rule = AvailabilityRuleFactory()
    c = rule.consultant
    slot_generate_month(consultant=c, month=MARCH)
    april = AvailabilityRuleFactory(consultant=c, kind="date", ordinal=None, weekday=None,
                                    on_date=date(2027, 4, 7), end_time=time(10))
    slot_generate_month(consultant=c, month=date(2027, 4, 1))
    assert slot_publish_month(consultant=c, month=MARCH) == 5
    assert Slot.objects.filter(rule=april).get().status == "draft"
    assert slot_publish_month(consultant=c, month=MARCH) == 0


def test_a_dst_month_in_copenhagen_keeps_local_times_in_the_database():
    c = ConsultantFactory(time_zone="Europe/Copenhagen")
    AvailabilityRuleFactory(consultant=c, kind="weekly", ordinal=None, weekday=6, start_time=time(2, 30),
                            end_time=time(3, 30), buffer_minutes=0)
    slot_generate_month(consultant=c, month=date(2027, 10, 1))
    slot_generate_month(consultant=c, month=MARCH)
    cph = zoneinfo.ZoneInfo("Europe/Copenhagen")
    local = [s.starts_at.astimezone(cph).strftime("%m-%d %H:%M") for s in Slot.objects.filter(consultant=c)]
    assert "03-28 02:30" not in local  # spring gap: skipped
    assert "03-21 02:30" in local and "10-24 02:30" in local
    assert Slot.objects.get(consultant=c, starts_at__date=date(2027, 10, 31)).starts_at.hour == 0  # first 02:30


def test_adding_a_slot_by_hand_refuses_overlaps_and_the_past():
    c = ConsultantFactory()
    slot_add(consultant=c, starts_at=datetime(2027, 3, 3, 9, tzinfo=UTC))
    with pytest.raises(SlotError) as e:
        slot_add(consultant=c, starts_at=datetime(2027, 3, 3, 9, 30, tzinfo=UTC))
    assert e.value.code == "overlap"
    with pytest.raises(SlotError) as e:
        slot_add(consultant=c, starts_at=NOW - timedelta(hours=1))
    assert e.value.code == "past"


def test_removing_a_rule_slot_blocks_it_so_regeneration_does_not_bring_it_back():
    rule = AvailabilityRuleFactory()
    slot_generate_month(consultant=rule.consultant, month=MARCH)
    first = Slot.objects.filter(rule=rule).first()
    slot_remove(slot=first)
    first.refresh_from_db()
    assert first.status == "blocked"
    slot_generate_month(consultant=rule.consultant, month=MARCH)
    assert Slot.objects.filter(consultant=rule.consultant).count() == 5


def test_removing_a_hand_added_slot_deletes_it():
    slot = slot_add(consultant=ConsultantFactory(), starts_at=datetime(2027, 3, 3, 9, tzinfo=UTC), publish=True)
    slot_remove(slot=slot)
    assert not Slot.objects.filter(pk=slot.pk).exists()


@pytest.mark.parametrize("action", [slot_remove, slot_block])
def test_a_booked_slot_cannot_be_removed_or_blocked(action):
    slot = SlotFactory(status="booked")
    with pytest.raises(SlotError) as e:
        action(slot=slot)
    assert e.value.code == "booked"
    slot.refresh_from_db()
    assert slot.status == "booked"


def test_blocking_and_unblocking_a_published_slot():
    slot = SlotFactory(status="published")
    assert slot_block(slot=slot).status == "blocked"
    assert slot_unblock(slot=slot).status == "published"
