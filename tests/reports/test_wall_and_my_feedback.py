"""The promoter wall (public or behind login, htmx partial) and the consultant's own feedback page."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from reports.models import WallSettings
from tests.factories import ConsultantFactory, FeedbackFactory, HeldBookingFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2030, 3, 20, 12, tzinfo=dt.UTC)


def answer(score, comment="", *, at=NOW, consultant=None, show_company=False, company_name=None):
    booking = HeldBookingFactory(**({"slot__consultant": consultant} if consultant else {}))
    if company_name:
        booking.company.name = company_name
        booking.company.save()
    return FeedbackFactory(booking=booking, score=score, comment=comment, answered_at=at, show_company=show_company)


@pytest.fixture
def public_wall():
    WallSettings.objects.create(is_public=True)


# --- wall --------------------------------------------------------------------------------------------------
def test_the_wall_is_behind_login_by_default(client):
    response = client.get(reverse("reports:wall"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    client.force_login(UserFactory())
    assert client.get(reverse("reports:wall")).status_code == 200


def test_staff_can_make_the_wall_public(client, public_wall):
    assert client.get(reverse("reports:wall")).status_code == 200


def test_the_wall_shows_promoters_with_comments_and_names_only_companies_that_agreed(client, public_wall):
    with time_machine.travel(NOW, tick=False):
        answer(10, "They listened!", show_company=True, company_name="Named Shop AB")
        answer(9, "Quiet but great.", show_company=False, company_name="Secret Shop AB")
        answer(10, "")  # no comment: not on the wall
        answer(8, "Good, not great.")  # a passive
        answer(3, "Meh.", company_name="Grumpy AB")
        response = client.get(reverse("reports:wall"))
    text = response.text
    assert "They listened!" in text and "Named Shop AB" in text
    assert "Quiet but great." in text and "Secret Shop AB" not in text and "A customer" in text
    assert "Good, not great." not in text and "Meh." not in text and "Grumpy AB" not in text


def test_the_wall_shows_this_months_nps_and_happy_customers(client, public_wall):
    with time_machine.travel(NOW, tick=False):
        answer(10, "a")
        answer(9, "b")
        answer(7)
        answer(2)
        answer(10, "last month", at=NOW - dt.timedelta(days=30))
        response = client.get(reverse("reports:wall"))
    assert response.context["wall"].nps == 25  # (2 − 1) / 4
    assert response.context["wall"].happy_customers == 2
    assert response.context["wall"].responses == 4


def test_the_wall_polls_a_partial_with_htmx(client, public_wall):
    with time_machine.travel(NOW, tick=False):
        full = client.get(reverse("reports:wall"))
        assert 'hx-get="/wall/"' in full.text and 'hx-trigger="every 30s"' in full.text
        assert "<html" in full.text
        answer(10, "Fresh from the oven.")
        partial = client.get(reverse("reports:wall"), headers={"HX-Request": "true"})
    assert "<html" not in partial.text
    assert partial.text.lstrip().startswith('<div id="wall-live"')
    assert "Fresh from the oven." in partial.text


def test_wall_settings_is_one_row():
    WallSettings.current()
    again = WallSettings(is_public=True)
    again.save()
    assert WallSettings.objects.count() == 1 and WallSettings.current().is_public


# --- the consultant's page ---------------------------------------------------------------------------------
def test_a_consultant_sees_their_nps_distribution_and_comments_per_month_and_only_their_own(client):
    me, other = ConsultantFactory(), ConsultantFactory()
    with time_machine.travel(NOW, tick=False):
        answer(10, "Great in March", consultant=me)
        answer(6, "Too short", consultant=me)
        answer(9, "Great in February", consultant=me, at=NOW - dt.timedelta(days=30))
        answer(0, "Not for Me", consultant=other)
        client.force_login(me.user)
        response = client.get(reverse("reports:my_feedback"))
    data = response.context["data"]
    assert (data.nps, data.responses) == (33, 3)  # (2 − 1) / 3
    assert dict(data.distribution) == {**{s: 0 for s in range(11)}, 10: 1, 6: 1, 9: 1}
    march, february = data.months[0], data.months[1]
    assert (march.month, march.nps, march.responses) == (dt.date(2030, 3, 1), 0, 2)
    assert (february.month, february.nps, february.responses) == (dt.date(2030, 2, 1), 100, 1)
    text = response.text
    assert "Great in March" in text and "Too short" in text and "Great in February" in text
    assert "Not for Me" not in text


def test_a_poll_after_the_wall_became_private_sends_the_screen_to_the_login_page(client):
    response = client.get(reverse("reports:wall"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("account_login"))
