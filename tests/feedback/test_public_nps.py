"""Profiles that sell: with the consultant's consent and at least five answers, the directory card and the profile
show the NPS companies gave and how many answered; the visitors' cached pages show it at once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultants.models import Consultant
from feedback.services import feedback_answer, feedback_nps_refresh
from tests.factories import ConsultantFactory, FeedbackFactory, HeldBookingFactory, SlotFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 3, 10, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _answered(consultant, scores):
    for score in scores:
        FeedbackFactory(booking=HeldBookingFactory(consultant=consultant, slot__consultant=consultant), score=score)
    feedback_nps_refresh(consultant_id=consultant.pk)
    consultant.refresh_from_db()


def test_the_stored_nps_uses_the_one_arithmetic():
    anna = ConsultantFactory()
    _answered(anna, [10, 9, 7, 3, 10, 6, 9, 8])  # 4 promoters, 2 detractors of 8: 25
    assert (anna.nps_score, anna.nps_answers) == (25, 8)


def test_the_nps_shows_only_with_consent_and_at_least_five_answers(client):
    anna = ConsultantFactory(display_name="Anna Lindqvist", slug="anna", show_nps=True)
    SlotFactory(consultant=anna, starts_at=NOW + timedelta(days=3))
    _answered(anna, [10, 9, 10, 3])
    assert "consultant-nps" not in client.get("/consultants/").content.decode()  # four answers: too few

    _answered(anna, [9])
    directory = client.get("/consultants/").content.decode()
    profile = client.get("/consultants/anna/").content.decode()
    for page in (directory, profile):
        assert "<strong>NPS +60</strong> from 5 companies" in page

    Consultant.objects.filter(pk=anna.pk).update(show_nps=False)  # (a raw update bumps nothing: new client view)
    anna.refresh_from_db()
    assert anna.public_nps is None


def test_a_fifth_answer_shows_at_once_on_the_visitors_cached_pages(client):
    anna = ConsultantFactory(display_name="Anna Lindqvist", slug="anna", show_nps=True)
    SlotFactory(consultant=anna, starts_at=NOW + timedelta(days=3))
    _answered(anna, [10, 10, 10, 10])
    pending = FeedbackFactory(booking=HeldBookingFactory(consultant=anna, slot__consultant=anna))
    for url in ("/consultants/", "/consultants/anna/"):
        assert "consultant-nps" not in client.get(url).content.decode()  # now cached

    feedback_answer(feedback=pending, score=0)

    for url in ("/consultants/", "/consultants/anna/"):
        assert "<strong>NPS +60</strong> from 5 companies" in client.get(url).content.decode()


def test_the_consent_is_given_on_the_profile_form_and_shows_at_once(client):
    anna = ConsultantFactory(display_name="Anna Lindqvist", slug="anna")
    _answered(anna, [10, 9, 9, 9, 9])
    assert "consultant-nps" not in client.get("/consultants/anna/").content.decode()
    owner = type(client)()
    owner.force_login(anna.user)
    assert 'name="show_nps"' in owner.get("/me/consultant/profile/").content.decode()
    response = owner.post("/me/consultant/profile/", {"display_name": "Anna Lindqvist", "time_zone": "Europe/Stockholm",
                                           "is_public": "on", "show_nps": "on"})
    assert response.status_code == 302
    assert "<strong>NPS +100</strong> from 5 companies" in client.get("/consultants/anna/").content.decode()


def test_the_profile_says_languages_meeting_kind_and_the_next_free_time(client):
    anna = ConsultantFactory(display_name="Anna Lindqvist", slug="anna", place_kind="video_link",
                             place_video_url="https://meet.example.org/anna")
    anna.languages.create(language="sv")
    SlotFactory(consultant=anna, starts_at=datetime(2027, 3, 15, 8, tzinfo=UTC))
    page = client.get("/consultants/anna/").content.decode()
    header = page.split('class="profile-head"', 1)[1].split("</header>", 1)[0]
    assert "Languages: Swedish" in header
    assert "Sessions:" in header
    assert 'Next free slot: <time datetime="2027-03-15T09:00:00+01:00">' in header


@pytest.mark.parametrize("n", [3, 24])
def test_the_directory_shows_nps_with_the_same_number_of_queries_for_few_or_many(client, n):
    for i in range(n):
        c = ConsultantFactory(show_nps=True, nps_score=40 + i, nps_answers=5 + i)
        SlotFactory(consultant=c, starts_at=NOW + timedelta(days=1 + i % 5))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/consultants/")
    page_queries = [q["sql"] for q in ctx.captured_queries if "probono_cache" not in q["sql"]
                    and "SAVEPOINT" not in q["sql"].upper()]
    assert len(page_queries) <= 4, page_queries  # count, consultants, expertise, languages
    assert response.content.decode().count("consultant-nps") == n
