from datetime import UTC, datetime

import pytest
import time_machine

from consultants import demo
from consultants.models import AvailabilityRule, Consultant, Slot

pytestmark = pytest.mark.django_db


def test_demo_consultants_have_a_first_monday_rule_and_published_slots_this_month_and_next():
    with time_machine.travel(datetime(2027, 3, 3, 9, tzinfo=UTC), tick=False):
        logins = demo.seed()
    assert [login.email for login in logins] == ["anna@probono.test", "mads@probono.test", "sofia@probono.test"]
    for c in Consultant.objects.all():
        assert AvailabilityRule.objects.filter(consultant=c, kind="monthly", ordinal=1, weekday=0).exists()
        published = Slot.objects.filter(consultant=c, status="published")
        assert published.filter(starts_at__month=3).exists(), c
        assert published.filter(starts_at__month=4).exists(), c
        assert c.expertise.exists() and c.languages.exists() and c.bio


def test_running_the_demo_seed_twice_changes_nothing():
    with time_machine.travel(datetime(2027, 3, 3, 9, tzinfo=UTC), tick=False):
        demo.seed()
        before = sorted(Slot.objects.values_list("pk", "consultant_id", "starts_at", "status"))
        rules = AvailabilityRule.objects.count()
        demo.seed()
    assert sorted(Slot.objects.values_list("pk", "consultant_id", "starts_at", "status")) == before
    assert AvailabilityRule.objects.count() == rules and Consultant.objects.count() == 3


def test_late_in_a_month_the_demo_still_offers_a_free_slot_this_month():
    # Tuesday evening 30 March 2027: no rule of any demo consultant has a day left in March.
    with time_machine.travel(datetime(2027, 3, 30, 20, tzinfo=UTC), tick=False):
        demo.seed()
        demo.seed()
        for c in Consultant.objects.all():
            free_now = Slot.objects.filter(consultant=c, status="published", starts_at__gt=datetime.now(UTC))
            assert free_now.filter(starts_at__month=3).count() >= 1, c
        assert Slot.objects.filter(added_by_hand=True).count() == 3  # one each, not one per run


def test_demo_consultants_get_their_portraits_from_the_repository_once(settings, tmp_path):
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(datetime(2027, 3, 3, 9, tzinfo=UTC), tick=False):
        demo.seed()
        photos = dict(Consultant.objects.values_list("slug", "photo"))
        demo.seed()
    assert dict(Consultant.objects.values_list("slug", "photo")) == photos  # not replaced on a second run
    for slug, name in photos.items():
        assert name, slug
        stored = tmp_path / name
        assert stored.stat().st_size < 40_000
        with Image.open(stored) as img:
            assert (img.format, img.size) == ("JPEG", (320, 320))
