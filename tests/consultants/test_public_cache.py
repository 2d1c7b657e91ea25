"""Visitors' directory and profile pages come from the cache, and a change shows at once (issue 19).

Each test reads the cached pages first, changes something through the service a person would use, and reads
the pages again right after: nothing may be stale.
"""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from booking.services import booking_cancel, booking_create
from consultants.models import Slot
from consultants.services import consultant_update_profile, slot_block, slot_publish_month
from tests.booking.helpers import answers_for
from tests.factories import ConsultantFactory, MembershipFactory, SlotFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 3, 10, 12, tzinfo=UTC)
PROFILE = "/consultants/anna/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def anna():
    return ConsultantFactory(display_name="Anna Lindqvist", slug="anna")


def _slot(consultant, days, **kw):
    return SlotFactory(consultant=consultant, starts_at=NOW + timedelta(days=days), **kw)


def _pages(client):
    return client.get(PROFILE).content.decode(), client.get("/consultants/").content.decode()


def test_a_visitors_second_look_is_served_from_the_cache(client, anna, django_assert_max_num_queries):
    _slot(anna, 3)
    first = client.get(PROFILE)
    with django_assert_max_num_queries(3):  # the version and the page (database cache), nothing else
        second = client.get(PROFILE)
    assert second.status_code == 200
    assert _masked(second.content) == _masked(first.content)
    assert second["Content-Type"] == first["Content-Type"]


def _masked(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


def test_a_profile_edit_shows_at_once_on_the_profile_and_in_the_directory(client, anna):
    _pages(client)
    consultant_update_profile(consultant=anna, display_name="Anna Berg", headline="Loyalty", bio="", city="Lund",
                              time_zone="Europe/Stockholm", is_public=True, expertise=[], languages=[])
    profile, directory = _pages(client)
    assert "Anna Berg" in profile and "Anna Berg" in directory
    assert "Anna Lindqvist" not in profile and "Anna Lindqvist" not in directory


def test_publishing_a_month_shows_its_slots_at_once(client, anna):
    draft = _slot(anna, 5, status=Slot.Status.DRAFT)
    profile, _directory = _pages(client)
    assert f"/book/{draft.pk}/" not in profile
    assert slot_publish_month(consultant=anna, month=date(2027, 3, 1)) == 1
    profile, directory = _pages(client)
    assert f"/book/{draft.pk}/" in profile
    assert "No free slot right now" not in directory


def test_booking_and_cancelling_show_at_once(client, anna):
    slot = _slot(anna, 4)
    member = MembershipFactory().user
    profile, _directory = _pages(client)
    assert f"/book/{slot.pk}/" in profile
    booking = booking_create(slot=slot, company=member.memberships.get().company, user=member,
                             answers=answers_for(anna))
    profile, directory = _pages(client)
    assert f"/book/{slot.pk}/" not in profile
    assert "No free slot right now" in directory
    booking_cancel(booking=booking, by=member)
    profile, directory = _pages(client)
    assert f"/book/{slot.pk}/" in profile
    assert "No free slot right now" not in directory


def test_blocking_a_slot_shows_at_once(client, anna):
    slot = _slot(anna, 4)
    assert f"/book/{slot.pk}/" in _pages(client)[0]
    slot_block(slot=slot)
    assert f"/book/{slot.pk}/" not in _pages(client)[0]


def test_each_visitor_gets_a_csrf_token_of_their_own_that_works(anna):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(PROFILE)
    page = second.get(PROFILE).content.decode()  # from the cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = second.post("/i18n/setlang/", {"language": "sv", "next": PROFILE, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_signed_in_people_and_other_languages_and_zones_never_get_a_visitors_page(client, anna):
    _slot(anna, 4)
    visitor = client.get(PROFILE).content.decode()
    swedish = Client(headers={"Accept-Language": "sv"}).get(PROFILE)
    assert swedish["Content-Language"] == "sv" and swedish.content.decode() != visitor
    tokyo = Client()
    tokyo.cookies["tz"] = "Asia/Tokyo"
    assert "Asia/Tokyo" in tokyo.get(PROFILE).content.decode()
    owner = Client()
    owner.force_login(anna.user)
    assert owner.get(PROFILE).context["is_owner"] is True


def test_odd_query_strings_are_answered_but_not_cached(client, anna, django_assert_max_num_queries):
    for _ in range(2):
        assert client.get("/consultants/?nonsense=" + "x" * 500).status_code == 200
    response = client.get("/consultants/?nonsense=1")
    assert response.context is not None  # rendered, not served from the cache
