"""Wall screens: secret kiosk links per consultant and for staff — no login, revocable, hashed, ETag polling, and
nothing the naming rules forbid."""

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse

from accounts.tokens import token_hash
from reports.models import WallScreen
from reports.wall import WallScreenError, wall_screen_create, wall_screen_revoke
from tests.factories import ConsultantFactory, FeedbackFactory, HeldBookingFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2030, 3, 20, 12, tzinfo=dt.UTC)


def answer(score, comment="", *, at=NOW, consultant=None, show_company=False, company_name=None):
    booking = HeldBookingFactory(**({"slot__consultant": consultant} if consultant else {}))
    if company_name:
        booking.company.name = company_name
        booking.company.save()
    return FeedbackFactory(booking=booking, score=score, comment=comment, answered_at=at, show_company=show_company)


@pytest.fixture
def consultant():
    return ConsultantFactory(display_name="Anna Lindqvist", time_zone="Europe/Stockholm")


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def data_of(client, token, **headers):
    return client.get(reverse("reports:wall_screen_data", args=[token]), headers=headers)


# --- links -------------------------------------------------------------------------------------------------
def test_a_consultant_makes_a_screen_link_shown_once_and_stored_only_as_a_hash(client, consultant):
    client.force_login(consultant.user)
    page = client.post(reverse("reports:wall_screens"), {"name": "Office kitchen"}).content.decode()
    screen = WallScreen.objects.get()
    assert screen.consultant == consultant and screen.name == "Office kitchen"
    link = page.split('id="new-screen-link">')[1].split("<")[0]
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert screen.token_hash == token_hash(token) and token not in screen.token_hash
    assert token not in client.get(reverse("reports:wall_screens")).content.decode()  # shown once
    client.logout()
    assert client.get(link).status_code == 200  # no login needed


def test_members_cannot_make_screens_and_consultants_cannot_make_them_for_others(client, consultant):
    client.force_login(MembershipFactory().user)
    assert client.get(reverse("reports:wall_screens")).status_code == 404
    assert client.post(reverse("reports:wall_screens"), {"name": "x"}).status_code == 404
    assert not WallScreen.objects.exists()
    with pytest.raises(WallScreenError):
        wall_screen_create(by=consultant.user, name="x", consultant=ConsultantFactory())


def test_a_revoked_link_stops_at_once_and_only_its_owner_or_staff_may_revoke_it(client, consultant, staff):
    screen, token = wall_screen_create(by=consultant.user, name="TV", consultant=consultant)
    other = ConsultantFactory()
    client.force_login(other.user)
    assert client.post(reverse("reports:wall_screen_revoke", args=[screen.pk])).status_code == 404
    with pytest.raises(WallScreenError):
        wall_screen_revoke(screen=screen, by=other.user)
    client.force_login(consultant.user)
    assert client.post(reverse("reports:wall_screen_revoke", args=[screen.pk])).status_code == 302
    assert WallScreen.objects.get().revoked_at is not None
    client.logout()
    assert client.get(reverse("reports:wall_screen", args=[token])).status_code == 404
    assert data_of(client, token).status_code == 410  # the screen that is showing says so on its next poll
    assert data_of(client, "not-a-token").status_code == 404
    assert wall_screen_revoke(screen=screen, by=staff) is False  # already revoked


# --- what a screen shows -----------------------------------------------------------------------------------
def test_a_consultant_screen_shows_only_that_consultants_feedback_and_names_only_consenting_companies(
        client, consultant):
    _screen, token = wall_screen_create(by=consultant.user, name="TV", consultant=consultant)
    with time_machine.travel(NOW, tick=False):
        answer(10, "They listened!", consultant=consultant, show_company=True, company_name="Named Shop AB")
        answer(9, "Quiet but great.", consultant=consultant, company_name="Secret Shop AB")
        answer(10, "Someone else's fan", company_name="Other Fan AB")
        answer(3, "Meh.", consultant=consultant, company_name="Grumpy AB")
        page = client.get(reverse("reports:wall_screen", args=[token])).content.decode()
        body = data_of(client, token).content.decode()
    assert "They listened!" in page and "Named Shop AB" in page  # the page shows the best comment first
    assert "They listened!" in body and "Named Shop AB" in body and "Quiet but great." in body
    for text in (page, body):
        assert "Secret Shop AB" not in text and "Other Fan AB" not in text and "Someone else" not in text
        assert "Meh." not in text and "Grumpy AB" not in text
        assert "@" not in text.replace("@media", "")  # no e-mail address of anyone
    data = json.loads(body)
    assert data["consultant"] == "Anna Lindqvist"
    assert [c["company"] for c in data["comments"]] == ["Named Shop AB", ""]
    assert set(data["comments"][0]) == {"id", "score", "text", "company", "consultant"}


def test_the_staff_screen_shows_everyone_with_the_months_nps_promoters_and_a_six_month_trend(client, staff):
    _screen, token = wall_screen_create(by=staff, name="Reception")
    with time_machine.travel(NOW, tick=False):
        for score in (10, 10, 9, 8, 7, 6, 0):  # March: 3 promoters, 2 detractors of 7 → 14.28… → 14
            answer(score, "fine" if score >= 9 else "")
        for score in (10, 5):  # January: 1 promoter, 1 detractor of 2 → 0
            answer(score, at=dt.datetime(2030, 1, 10, 12, tzinfo=dt.UTC))
        answer(9, at=dt.datetime(2029, 9, 30, 12, tzinfo=dt.UTC))  # seven months ago: outside the trend
        data = json.loads(data_of(client, token).content)
    assert (data["nps"], data["promoters"], data["responses"]) == (14, 3, 7)
    assert data["month"] == "2030-03-01"
    assert [(m["month"], m["nps"], m["responses"]) for m in data["trend"]] == [
        ("2029-10-01", None, 0), ("2029-11-01", None, 0), ("2029-12-01", None, 0), ("2030-01-01", 0, 2),
        ("2030-02-01", None, 0), ("2030-03-01", 14, 7)]
    assert len(data["comments"]) == 3 and data["consultant"] == ""


def test_an_unchanged_wall_answers_304_after_one_query_and_a_new_10_changes_the_etag(
        client, consultant, django_assert_num_queries):
    _screen, token = wall_screen_create(by=consultant.user, name="TV", consultant=consultant)
    with time_machine.travel(NOW, tick=False):
        first = data_of(client, token)
        etag = first["ETag"]
        assert first.status_code == 200 and etag and "no-cache" in first["Cache-Control"]
        with django_assert_num_queries(2):  # the screen by its token hash, and the version aggregate
            again = data_of(client, token, if_none_match=etag)
        assert again.status_code == 304 and again.content == b""
        ten = answer(10, "Wow", consultant=consultant)
        fresh = data_of(client, token, if_none_match=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag
    assert json.loads(fresh.content)["newest_promoter"] == {"id": ten.pk, "score": 10}


def test_the_kiosk_page_is_full_screen_without_navigation_and_loads_only_our_script(client, consultant):
    _screen, token = wall_screen_create(by=consultant.user, name="TV", consultant=consultant)
    page = client.get(reverse("reports:wall_screen", args=[token]))
    html = page.content.decode()
    assert page.status_code == 200 and "Content-Security-Policy" in page
    assert "<nav" not in html and "kiosk.js" in html and "<script>" not in html
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
