"""Long histories are paged (issue 19): the consultant's sessions, the company's sessions and the pipeline show
what needs attention whole and the past a page at a time, in the same number of queries for 10× the rows."""

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from booking.models import Booking
from consultants.models import Slot
from tests.factories import BookingFactory, ConsultantFactory, MembershipFactory, SlotFactory

pytestmark = pytest.mark.django_db

LONG_AGO = datetime(2020, 1, 6, 9, tzinfo=UTC)


def _history(consultant, company, user, n, *, status="held", start=LONG_AGO):
    """`n` past sessions in two bulk inserts (one day apart, oldest first)."""
    slots = Slot.objects.bulk_create([
        Slot(consultant=consultant, starts_at=start + timedelta(days=i), ends_at=start + timedelta(days=i, hours=1),
             status="booked") for i in range(n)])
    Booking.objects.bulk_create([
        Booking(slot=s, consultant=consultant, company=company, booked_by=user, status=status,
                manage_token_hash=secrets.token_hex(32), confirmed_at=s.starts_at,
                cancelled_at=s.starts_at if status == "cancelled" else None) for s in slots])


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


@pytest.fixture
def world():
    consultant = ConsultantFactory()
    member = MembershipFactory()
    return consultant, member.company, member.user


@pytest.mark.parametrize("url", ["/me/sessions/", "/company/sessions/"])
def test_ten_times_the_history_costs_the_same_queries_and_shows_the_same_page(client, world, url):
    consultant, company, user = world
    client.force_login(consultant.user if url == "/me/sessions/" else user)
    _history(consultant, company, user, 30)
    small, small_queries = _get(client, url)
    _history(consultant, company, user, 270, start=LONG_AGO - timedelta(days=400))
    large, large_queries = _get(client, url)

    assert large_queries == small_queries
    assert len(large) == pytest.approx(len(small), rel=0.02)  # same rows shown, only other dates in them
    assert 'rel="next"' in small and 'rel="next"' in large


def test_the_consultants_page_shows_what_needs_attention_first_and_pages_the_past(client, world):
    consultant, company, user = world
    _history(consultant, company, user, 45)  # the newest is 2020-02-19 (day 44)
    request = BookingFactory(slot=SlotFactory(consultant=consultant), company=company, status="requested")
    upcoming = BookingFactory(slot=SlotFactory(consultant=consultant), company=company, status="confirmed")
    no_outcome = BookingFactory(slot=SlotFactory(consultant=consultant, starts_at=LONG_AGO + timedelta(days=100),
                                                 ends_at=LONG_AGO + timedelta(days=100, hours=1)),
                                company=company, status="confirmed")
    client.force_login(consultant.user)

    first = client.get("/me/sessions/").content.decode()

    order = [first.index(x) for x in ('id="req-h"', 'id="outcome-h"', 'id="up-h"', 'id="rec-h"')]
    assert order == sorted(order)
    assert f"#outcome-{no_outcome.pk}" in first
    assert reverse("booking:consultant_approve", args=[request.pk]) in first
    assert upcoming.company.name in first
    past_rows = first[first.index('id="rec-h"'):]
    assert past_rows.count("<tr>") == 1 + 20  # the header and a page
    assert "Page 1" in past_rows and 'href="?page=2#rec-h"' in past_rows

    second = client.get("/me/sessions/?page=2").content.decode()
    third = client.get("/me/sessions/?page=3").content.decode()
    assert second[second.index('id="rec-h"'):].count("<tr>") == 1 + 20
    assert third[third.index('id="rec-h"'):].count("<tr>") == 1 + 6  # 45 + the one without outcome = 46
    assert 'rel="next"' not in third and 'href="?page=2#rec-h"' in third
    assert "Requests waiting for you" in third  # what needs attention stays on every page


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "99999999999999999999", "1e3", "²"])
def test_a_strange_page_number_is_the_first_page(client, world, raw):
    consultant, company, user = world
    _history(consultant, company, user, 25)
    client.force_login(user)
    response = client.get("/company/sessions/", {"page": raw})
    assert response.status_code == 200
    assert "Page 1" in response.content.decode()


def test_a_page_past_the_end_is_empty_with_a_way_back(client, world):
    consultant, company, user = world
    _history(consultant, company, user, 5)
    client.force_login(user)
    body = client.get("/company/sessions/?page=9").content.decode()
    assert 'rel="prev"' in body and "Nothing yet." in body


def test_the_company_pages_keep_the_upcoming_sessions_on_every_page(client, world):
    consultant, company, user = world
    _history(consultant, company, user, 25, status="cancelled")
    upcoming = BookingFactory(slot=SlotFactory(consultant=consultant), company=company)
    client.force_login(user)
    for page in (1, 2):
        body = client.get(f"/company/sessions/?page={page}").content.decode()
        assert reverse("booking:company_booking", args=[upcoming.pk]) in body


def test_the_pipeline_pages_its_older_leads_with_the_month_filter_kept(client, world):
    from engagements.selectors import CARDS_SHOWN

    consultant, company, user = world
    _history(consultant, company, user, CARDS_SHOWN + 5)
    client.force_login(consultant.user)
    url = reverse("engagements:pipeline")

    first, first_queries = _get(client, url)
    second, second_queries = _get(client, url + "?page=2")
    assert first.count('class="card lead-card"') == CARDS_SHOWN
    assert second.count('class="card lead-card"') == 5
    assert second_queries == first_queries
    assert 'href="?page=2"' in first and 'href="?page=1"' in second
    _history(consultant, company, user, 10 * CARDS_SHOWN, start=LONG_AGO - timedelta(days=900))
    again, again_queries = _get(client, url)
    assert again_queries == first_queries and again.count('class="card lead-card"') == CARDS_SHOWN

    filtered = client.get(url, {"month": "2020-01", "page": "2"}).content.decode()
    assert "month=2020-01" in filtered  # the link back keeps the filter
