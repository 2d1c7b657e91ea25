"""The public directory and profile pages."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultants.models import ConsultantExpertise, ConsultantLanguage, Slot
from tests.factories import ConsultantFactory, SlotFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 3, 10, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def make_consultants(n_consultants: int, slots_each: int):
    people = []
    for i in range(n_consultants):
        c = ConsultantFactory(display_name=f"Consultant {i:03}")
        ConsultantExpertise.objects.create(consultant=c, area="nps")
        ConsultantLanguage.objects.create(consultant=c, language="sv")
        Slot.objects.bulk_create([
            Slot(consultant=c, starts_at=NOW + timedelta(days=1 + i, hours=h),
                 ends_at=NOW + timedelta(days=1 + i, hours=h, minutes=60), status="published")
            for h in range(slots_each)])
        people.append(c)
    return people


def test_the_directory_lists_public_consultants_sorted_by_their_next_free_slot(client):
    late = ConsultantFactory(display_name="Late Larsson")
    soon = ConsultantFactory(display_name="Soon Svensson")
    none = ConsultantFactory(display_name="Aaron Nofree")
    SlotFactory(consultant=late, starts_at=NOW + timedelta(days=9))
    SlotFactory(consultant=soon, starts_at=NOW + timedelta(days=2))
    SlotFactory(consultant=none, starts_at=NOW - timedelta(days=2))  # past: not free
    SlotFactory(consultant=none, starts_at=NOW + timedelta(days=1), status="booked")
    body = client.get("/consultants/").content.decode()
    assert body.index("Soon Svensson") < body.index("Late Larsson") < body.index("Aaron Nofree")
    assert "No free slot right now" in body


def test_hidden_and_private_profiles_are_left_out_of_the_directory_and_404(client):
    ConsultantFactory(display_name="Hidden Hansen", slug="hidden", hidden_by_staff=True)
    ConsultantFactory(display_name="Private Petersen", slug="private", is_public=False)
    body = client.get("/consultants/").content.decode()
    assert "Hidden Hansen" not in body and "Private Petersen" not in body
    assert client.get("/consultants/hidden/").status_code == 404
    assert client.get("/consultants/private/").status_code == 404


def test_a_consultant_can_preview_their_own_hidden_profile(client):
    c = ConsultantFactory(slug="me", is_public=False)
    client.force_login(c.user)
    response = client.get("/consultants/me/")
    assert response.status_code == 200
    assert "not shown in the directory" in response.content.decode()


def test_directory_filters_by_expertise_language_and_free_slot_this_month(client):
    a = ConsultantFactory(display_name="Alpha NPS")
    b = ConsultantFactory(display_name="Beta Design")
    ConsultantExpertise.objects.create(consultant=a, area="nps")
    ConsultantExpertise.objects.create(consultant=b, area="service_design")
    ConsultantLanguage.objects.create(consultant=a, language="da")
    ConsultantLanguage.objects.create(consultant=b, language="sv")
    SlotFactory(consultant=a, starts_at=datetime(2027, 4, 2, 8, tzinfo=UTC))  # next month
    SlotFactory(consultant=b, starts_at=datetime(2027, 3, 20, 8, tzinfo=UTC))  # this month

    def names(query):
        body = client.get("/consultants/" + query).content.decode()
        return [n for n in ("Alpha NPS", "Beta Design") if n in body]

    assert names("") == ["Alpha NPS", "Beta Design"]
    assert names("?expertise=nps") == ["Alpha NPS"]
    assert names("?language=sv") == ["Beta Design"]
    assert names("?free_this_month=on") == ["Beta Design"]
    assert names("?expertise=nps&free_this_month=on") == []


@pytest.mark.parametrize("n", [3, 300])
def test_the_directory_needs_the_same_number_of_queries_for_few_or_many_rows(client, n, django_assert_max_num_queries):
    # 3 consultants with 1 slot each, or 30 with 10 each: 3 and 300 slots.
    make_consultants(3 if n == 3 else 30, 1 if n == 3 else 10)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/consultants/?language=sv")
    # count, consultants, expertise, languages -- besides the visitors' page cache (test_public_cache.py)
    page_queries = [q["sql"] for q in ctx.captured_queries if "probono_cache" not in q["sql"]
                    and "SAVEPOINT" not in q["sql"].upper()]
    assert len(page_queries) <= 4, page_queries
    assert response.status_code == 200
    assert response.content.decode().count("Next free slot") == (3 if n == 3 else 24)


def test_the_profile_shows_free_slots_in_the_viewers_time_zone(client):
    c = ConsultantFactory(slug="anna", time_zone="Europe/Stockholm")
    SlotFactory(consultant=c, starts_at=datetime(2027, 3, 15, 8, tzinfo=UTC))  # 09:00 Stockholm
    SlotFactory(consultant=c, starts_at=datetime(2027, 3, 15, 10, tzinfo=UTC), status="booked")
    SlotFactory(consultant=c, starts_at=datetime(2027, 3, 15, 11, tzinfo=UTC), status="draft")
    body = client.get("/consultants/anna/").content.decode()
    assert "09:00" in body and "11:00" not in body and "12:00" not in body
    client.cookies["tz"] = "Europe/London"
    body = client.get("/consultants/anna/").content.decode()
    assert "08:00–09:00" in body


def test_a_viewer_far_west_sees_the_slot_under_their_own_date(client):
    c = ConsultantFactory(slug="anna")
    SlotFactory(consultant=c, starts_at=datetime(2027, 3, 16, 2, tzinfo=UTC))
    client.cookies["tz"] = "America/Los_Angeles"
    body = client.get("/consultants/anna/").content.decode()
    assert "Monday 15 March 2027" in body and "19:00" in body


@pytest.mark.parametrize("n", [3, 300])
def test_the_profile_needs_the_same_number_of_queries_for_few_or_many_slots(client, n, django_assert_max_num_queries):
    [c] = make_consultants(1, n)
    viewer = UserFactory()
    client.force_login(viewer)
    # session, user, consultant, expertise, languages, slots, nav (2), booking's waitlist button (2), and the
    # companies' customer NPS change the companies agreed to show (feedback/, through public_profile_sections)
    with django_assert_max_num_queries(11):
        response = client.get(f"/consultants/{c.slug}/")
    assert response.status_code == 200


def test_cards_and_profiles_without_a_photo_show_initials_and_the_meeting_kind(client):
    from consultants.models import Consultant

    c = ConsultantFactory(display_name="Anna Lindqvist", slug="anna-l", city="Uppsala")
    Consultant.objects.filter(pk=c.pk).update(place_kind="video_link")
    page = client.get("/consultants/").content.decode()
    assert '<span class="avatar avatar-md avatar-' in page and ">AL</span>" in page
    assert "Uppsala · Video meeting" in page
    profile = client.get("/consultants/anna-l/").content.decode()
    assert "avatar-lg" in profile and ">AL</span>" in profile
