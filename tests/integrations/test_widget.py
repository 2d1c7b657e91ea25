"""The booking widget: who may frame it (CSP frame-ancestors per consultant, every other page still DENY), what it
shows (the bookable times only, in the viewer's zone), and how a booking started in it tells the website."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from booking.models import Booking
from consultants.models import Slot
from tests.booking.helpers import post_data_for
from tests.factories import BookingFactory, ConsultantFactory, MembershipFactory, SlotFactory

pytestmark = pytest.mark.django_db

ANNA_SITES = ["https://anna.se", "https://www.anna.se:8443", "http://localhost:5500"]
BERIT_SITE = "https://berit.dk"


@pytest.fixture
def anna(db):
    return ConsultantFactory(slug="anna", display_name="Anna Lindqvist", widget_origins=ANNA_SITES)


@pytest.fixture
def berit(db):
    return ConsultantFactory(slug="berit", display_name="Berit Holm", widget_origins=[BERIT_SITE])


@pytest.fixture
def slot(anna):
    start = dt.datetime(2030, 1, 7, 8, tzinfo=dt.UTC)  # 09:00 in Stockholm, 03:00 in New York
    return SlotFactory(consultant=anna, starts_at=start, ends_at=start + dt.timedelta(hours=1))


def directives(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def widget_url(consultant, **params) -> str:
    url = reverse("integrations:widget", args=[consultant.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


# --- framing ---------------------------------------------------------------------------------------------------
def test_the_widget_may_be_framed_by_exactly_the_consultants_websites(client, anna, slot):
    response = client.get(widget_url(anna))
    assert response.status_code == 200
    assert directives(response)["frame-ancestors"] == ANNA_SITES
    assert "X-Frame-Options" not in response
    # The rest of the policy is the site's own.
    assert directives(response)["script-src"] == ["'self'"]
    assert directives(response)["default-src"] == ["'self'"]


def test_the_widgets_htmx_answer_carries_the_same_rule(client, anna, slot):
    response = client.get(widget_url(anna, month="2030-01"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="picker")
    assert response.status_code == 200
    assert not response.content.decode().lstrip().startswith("<!DOCTYPE")
    assert directives(response)["frame-ancestors"] == ANNA_SITES


def test_without_websites_the_widget_cannot_be_framed_anywhere(client, slot):
    lone = ConsultantFactory(slug="lone")
    response = client.get(widget_url(lone))
    assert response.status_code == 200
    assert directives(response)["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


def test_one_consultants_websites_never_appear_on_anothers_widget(client, anna, berit, slot):
    for response in (client.get(widget_url(anna)),
                     client.get(widget_url(anna, widget_origin=BERIT_SITE), HTTP_REFERER=BERIT_SITE + "/"),
                     client.get(widget_url(berit), HTTP_REFERER="https://anna.se/")):
        page = response.content.decode()
        policy = response["Content-Security-Policy"]
        other = BERIT_SITE if "anna" in response.wsgi_request.path else "anna.se"
        assert other not in policy and other not in page
    assert directives(client.get(widget_url(berit)))["frame-ancestors"] == [BERIT_SITE]


@pytest.mark.parametrize("name,kwargs", [
    ("home", {}), ("consultants:directory", {}), ("consultants:profile", {"slug": "anna"}),
    ("account_login", {}), ("booking:book", None),
])
def test_every_other_page_still_refuses_every_frame(client, anna, slot, name, kwargs):
    anna.is_public = True
    anna.save()
    url = reverse(name, kwargs={"pk": slot.pk} if kwargs is None else kwargs)
    response = client.get(url)
    assert response.status_code == 200
    assert directives(response)["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_pop_up_step_is_never_framable(client, anna, slot):
    response = client.get(reverse("integrations:widget_book", args=["anna", slot.pk]))
    assert response.status_code == 302
    assert directives(response)["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


# --- what it shows ---------------------------------------------------------------------------------------------
def test_the_widget_shows_only_the_bookable_times_in_the_viewers_zone(client, anna, slot,
                                                                      django_assert_max_num_queries):
    later = slot.starts_at + dt.timedelta(hours=2)
    for status in (Slot.Status.DRAFT, Slot.Status.BLOCKED, Slot.Status.BOOKED):
        SlotFactory(consultant=anna, starts_at=later, ends_at=later + dt.timedelta(hours=1), status=status)
        later += dt.timedelta(hours=1)
    SlotFactory(consultant=anna, starts_at=later, ends_at=later + dt.timedelta(hours=1), busy=True)
    with django_assert_max_num_queries(3):
        page = client.get(widget_url(anna, tz="Europe/Stockholm", month="2030-01")).content.decode()
    times = re.findall(r"data-widget-book><span[^>]*>Book </span>([^<]+)</a>", page)
    assert times == ["09:00–10:00"]
    page = client.get(widget_url(anna, tz="America/New_York", month="2030-01")).content.decode()
    assert re.findall(r"data-widget-book><span[^>]*>Book </span>([^<]+)</a>", page) == ["03:00–04:00"]


def test_the_query_count_does_not_grow_with_the_number_of_times(client, anna, slot, django_assert_max_num_queries):
    start = slot.starts_at
    for i in range(1, 40):
        SlotFactory(consultant=anna, starts_at=start + dt.timedelta(days=i // 4, hours=2 * (i % 4)),
                    ends_at=start + dt.timedelta(days=i // 4, hours=2 * (i % 4) + 1))
    with django_assert_max_num_queries(3):
        assert client.get(widget_url(anna, month="2030-01")).status_code == 200


def test_times_are_links_to_a_new_window_that_keep_the_website_when_it_is_listed(client, anna, slot):
    page = client.get(widget_url(anna, month="2030-01"), HTTP_REFERER="https://anna.se/booking/").content.decode()
    link = reverse("integrations:widget_book", args=["anna", slot.pk])
    assert f'href="{link}?widget_origin=https%3A%2F%2Fanna.se" target="_blank" rel="opener"' in page
    assert 'data-widget-origin="https://anna.se"' in page
    # The month and zone links keep it too (a frame's later requests carry the widget's own address as Referer).
    assert "widget_origin=https%3A%2F%2Fanna.se" in re.search(r'data-picker-url="([^"]+)"', page).group(1)


def test_an_unlisted_website_is_never_carried_along(client, anna, slot):
    page = client.get(widget_url(anna, month="2030-01", widget_origin="https://evil.se"),
                      HTTP_REFERER="https://evil.se/").content.decode()
    assert "evil.se" not in page
    link = reverse("integrations:widget_book", args=["anna", slot.pk])
    assert f'href="{link}" target="_blank"' in page


def test_bad_input_never_breaks_the_widget(client, anna, slot):
    for params in ({"tz": "Mars/Base"}, {"month": "2030-13"}, {"day": "yesterday"}, {"widget_origin": "x" * 5000}):
        assert client.get(widget_url(anna, **params)).status_code == 200


def test_a_consultant_without_free_times_says_so(client, anna):
    assert "has no free times right now" in client.get(widget_url(anna)).content.decode()


def test_an_unknown_hidden_or_inactive_consultant_has_no_widget(client, anna):
    assert client.get(widget_url(ConsultantFactory.build(slug="nobody"))).status_code == 404
    hidden = ConsultantFactory(slug="hidden", hidden_by_staff=True)
    assert client.get(widget_url(hidden)).status_code == 404
    gone = ConsultantFactory(slug="gone")
    gone.user.is_active = False
    gone.user.save()
    assert client.get(widget_url(gone)).status_code == 404


# --- the pop-up and the confirmation ---------------------------------------------------------------------------
@pytest.fixture
def member(db):
    return MembershipFactory().user


def start_in_widget(client, slot, origin="https://anna.se"):
    url = reverse("integrations:widget_book", args=[slot.consultant.slug, slot.pk]) + f"?widget_origin={origin}"
    return client.get(url)


def test_a_time_from_the_widget_opens_the_ordinary_booking_flow(client, slot):
    response = start_in_widget(client, slot)
    assert response.status_code == 302
    assert response["Location"] == reverse("booking:book", args=[slot.pk])


def test_a_time_of_another_consultant_is_not_found(client, anna, berit):
    other = SlotFactory(consultant=berit)
    assert client.get(reverse("integrations:widget_book", args=["anna", other.pk])).status_code == 404
    assert client.get(reverse("integrations:widget_book", args=["anna", 10**12])).status_code == 404


def test_the_flows_pages_keep_the_pop_up_tied_to_the_widget_and_others_do_not(client, slot):
    assert client.get(reverse("booking:book", args=[slot.pk]))["Cross-Origin-Opener-Policy"] == "same-origin"
    response = start_in_widget(client, slot)
    assert response["Cross-Origin-Opener-Policy"] == "unsafe-none"
    for url in (reverse("booking:book", args=[slot.pk]), reverse("account_login")):
        assert client.get(url)["Cross-Origin-Opener-Policy"] == "unsafe-none"
    # An unlisted website starts no such flow.
    other = SlotFactory(consultant=slot.consultant)
    fresh = type(client)()
    assert start_in_widget(fresh, other, "https://evil.se")["Cross-Origin-Opener-Policy"] == "same-origin"
    assert fresh.get(reverse("booking:book", args=[other.pk]))["Cross-Origin-Opener-Policy"] == "same-origin"


def booked_message(page: str) -> dict | None:
    match = re.search(r'<script id="probono-widget-message" type="application/json">(.*?)</script>', page)
    return json.loads(match.group(1)) if match else None


def test_the_confirmation_tells_only_the_website_the_booking_started_from(client, member, slot):
    client.force_login(member)
    start_in_widget(client, slot, "https://www.anna.se:8443")
    booking = BookingFactory(slot=slot, company=member.memberships.get().company, booked_by=member)
    response = client.get(reverse("booking:confirmation", args=[booking.pk]))
    page = response.content.decode()
    assert 'data-origin="https://www.anna.se:8443"' in page
    assert "js/widget-booked.js" in page
    assert booked_message(page) == {"type": "probono:booked", "status": "confirmed", "consultant": "anna",
                                    "starts_at": "2030-01-07T08:00:00+00:00", "ends_at": "2030-01-07T09:00:00+00:00"}
    assert booking.manage_token not in page.split("probono-widget-message")[1]  # nothing secret in the message
    assert response["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert response["X-Frame-Options"] == "DENY"


def test_a_booking_not_started_in_the_widget_tells_nobody(client, member, slot):
    client.force_login(member)
    booking = BookingFactory(slot=slot, company=member.memberships.get().company, booked_by=member)
    page = client.get(reverse("booking:confirmation", args=[booking.pk])).content.decode()
    assert booked_message(page) is None and "widget-booked.js" not in page


def test_a_website_removed_meanwhile_or_another_consultants_booking_tells_nobody(client, member, anna, berit, slot):
    client.force_login(member)
    start_in_widget(client, slot)
    company = member.memberships.get().company
    other = BookingFactory(slot=SlotFactory(consultant=berit), company=company, booked_by=member)
    assert booked_message(client.get(reverse("booking:confirmation", args=[other.pk])).content.decode()) is None
    anna.widget_origins = ["https://www.anna.se:8443"]
    anna.save()
    booking = BookingFactory(slot=slot, company=company, booked_by=member)
    assert booked_message(client.get(reverse("booking:confirmation", args=[booking.pk])).content.decode()) is None


def test_the_whole_flow_through_the_test_client(client, member, slot):
    """Widget → pop-up → questions → review → confirm, as the browser test does, without the browser."""
    client.force_login(member)
    start_in_widget(client, slot)
    assert client.get(reverse("booking:book", args=[slot.pk])).status_code == 200
    response = client.post(reverse("booking:book", args=[slot.pk]), post_data_for(slot.consultant))
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(reverse("booking:review", args=[slot.pk]))
    booking = Booking.objects.get(slot=slot)
    assert response["Location"] == reverse("booking:confirmation", args=[booking.pk])
    message = booked_message(client.get(response["Location"]).content.decode())
    assert message["type"] == "probono:booked" and message["status"] == "confirmed"
