"""Booking settings and the private calendar-feed token."""

import hashlib
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import NoReverseMatch, reverse

from consultants.models import Consultant
from consultants.selectors import consultant_get_by_feed_token
from consultants.services import consultant_rotate_feed_token
from tests.factories import ConsultantFactory

pytestmark = pytest.mark.django_db


def test_rotation_stores_only_the_sha256_of_a_long_random_token(consultant):
    token = consultant_rotate_feed_token(consultant=consultant)
    consultant.refresh_from_db()
    assert len(token) >= 43  # 32 random bytes, url-safe base64
    assert consultant.feed_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in consultant.feed_token_hash


def test_rotating_makes_the_old_token_unknown_and_the_new_one_find_the_consultant(consultant):
    old = consultant_rotate_feed_token(consultant=consultant)
    assert consultant_get_by_feed_token(old) == consultant
    new = consultant_rotate_feed_token(consultant=consultant)
    assert new != old
    assert consultant_get_by_feed_token(old) is None
    assert consultant_get_by_feed_token(new) == consultant


def test_an_empty_or_unknown_token_finds_nobody(consultant):
    ConsultantFactory()  # has no token (empty hash)
    assert consultant_get_by_feed_token("") is None
    assert consultant_get_by_feed_token("not-a-token") is None
    assert consultant_get_by_feed_token("x" * 500) is None


def test_the_settings_page_shows_the_new_feed_address_once_after_rotation(consultant_client, consultant):
    response = consultant_client.post("/me/consultant/settings/feed/", follow=True)
    body = response.content.decode()
    assert "The previous one no longer works" in body
    consultant.refresh_from_db()
    try:
        reverse("booking:calendar_feed", args=["x"])
        match = re.search(r'value="(https?://[^"]+\.ics)"', body)
        assert match, "the full feed URL is shown"
        token = match.group(1).rsplit("/", 1)[-1].removesuffix(".ics")
    except NoReverseMatch:
        token = re.search(r"<code>([\w-]+)</code>", body).group(1)
    assert hashlib.sha256(token.encode()).hexdigest() == consultant.feed_token_hash
    # Shown once: the next visit does not repeat it.
    again = consultant_client.get("/me/consultant/settings/").content.decode()
    assert token not in again
    assert "we do not show it again" in again


def test_rotating_requires_post(consultant_client, consultant):
    assert consultant_client.get("/me/consultant/settings/feed/").status_code == 405
    consultant.refresh_from_db()
    assert consultant.feed_token_hash == ""


def test_saving_booking_settings(consultant_client, consultant):
    response = consultant_client.post("/me/consultant/settings/", {"requires_approval": "on",
                                                                   "publish_ahead_days": "10"})
    assert response.status_code == 302
    consultant.refresh_from_db()
    assert consultant.requires_approval and consultant.publish_ahead_days == 10
    response = consultant_client.post("/me/consultant/settings/", {"publish_ahead_days": "0"})
    assert response.status_code == 400
    consultant.refresh_from_db()
    assert consultant.publish_ahead_days == 10 and not Consultant.objects.filter(publish_ahead_days=0).exists()


def test_another_person_cannot_rotate_a_consultants_token(client, consultant):
    other = ConsultantFactory()
    client.force_login(other.user)
    client.post("/me/consultant/settings/feed/")
    consultant.refresh_from_db()
    assert consultant.feed_token_hash == ""


def test_the_settings_page_says_when_next_month_will_be_published(client, consultant):
    with time_machine.travel(datetime(2027, 2, 10, 12, tzinfo=UTC), tick=False):
        client.force_login(consultant.user)  # inside the travel, or the session has expired by then
        body = client.get("/me/consultant/settings/").content.decode()
        assert "March 2027 will be published automatically on 15 February" in body
        consultant.last_published_month = date(2027, 3, 1)
        consultant.save()
        body = client.get("/me/consultant/settings/").content.decode()
        assert "March 2027 has been published automatically" in body


@time_machine.travel(datetime(2026, 12, 4, 12, tzinfo=UTC), tick=False)
def test_settings_do_not_promise_to_publish_a_month_already_published_by_hand(consultant_client, consultant):
    from tests.factories import SlotFactory

    page = consultant_client.get(reverse("consultants:settings")).content.decode()
    assert "January 2027 will be published automatically on" in page
    SlotFactory(consultant=consultant, starts_at=datetime(2027, 1, 4, 8, tzinfo=UTC),
                ends_at=datetime(2027, 1, 4, 9, tzinfo=UTC))  # published from the month review
    page = consultant_client.get(reverse("consultants:settings")).content.decode()
    assert "January 2027 is already published." in page
    assert "will be published automatically" not in page
