"""The time picker: a visitor in New York sees New York times on the first visit to a profile (the page asks the
browser for its zone before anyone reads the times), the "Times in" selector changes the zone, days swap in place,
and a signed-in person can save the zone."""

import datetime as dt
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.test_accessibility import sign_in
from tests.factories import ConsultantFactory, MembershipFactory, SlotFactory

pytestmark = pytest.mark.e2e
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


@pytest.fixture
def anna(transactional_db):
    consultant = ConsultantFactory(display_name="Anna Lindqvist", slug="anna", time_zone="Europe/Stockholm")
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=10)).replace(hour=14, minute=0, second=0, microsecond=0)
    slots = [SlotFactory(consultant=consultant, starts_at=start + dt.timedelta(hours=h),
                         ends_at=start + dt.timedelta(hours=h, minutes=45)) for h in (0, 1)]
    later = start + dt.timedelta(days=3)
    slots.append(SlotFactory(consultant=consultant, starts_at=later, ends_at=later + dt.timedelta(minutes=45)))
    return consultant, slots


def _hhmm(when: dt.datetime, zone) -> str:
    return when.astimezone(zone).strftime("%H:%M")


def test_a_visitor_in_new_york_sees_new_york_times_on_the_first_visit(browser, live_server, anna):
    consultant, slots = anna
    context = browser.new_context(timezone_id="America/New_York", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + reverse("consultants:profile", kwargs={"slug": consultant.slug}))
    picker = page.locator("#picker")
    expect(picker).to_have_attribute("data-zone", "America/New_York")
    expect(page.get_by_label("Times in:")).to_have_value("America/New_York")
    times = page.locator(".time-list")
    expect(times).to_contain_text(f"{_hhmm(slots[0].starts_at, NEW_YORK)}–{_hhmm(slots[0].ends_at, NEW_YORK)}")
    expect(times).to_contain_text(_hhmm(slots[1].starts_at, NEW_YORK))
    # The zone sticks for the next page.
    assert any(c["name"] == "tz" and "New_York" in c["value"] for c in context.cookies())

    # Another day swaps in place.
    other_day = slots[2].starts_at.astimezone(NEW_YORK).date()
    page.locator(f"a.picker-day[href*='day={other_day.isoformat()}']").click()
    expect(page.locator(".picker-times h3")).to_contain_text(str(other_day.day))
    expect(times).to_contain_text(_hhmm(slots[2].starts_at, NEW_YORK))

    # The selector changes the zone.
    page.get_by_label("Times in:").select_option("Asia/Tokyo")
    expect(picker).to_have_attribute("data-zone", "Asia/Tokyo")
    expect(page.locator(".time-list")).to_contain_text(_hhmm(slots[2].starts_at, TOKYO))
    m = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert m[0] <= m[1], m
    context.close()


def test_a_visitor_in_new_york_gets_new_york_times_even_from_a_page_cached_for_stockholm(browser, live_server, anna):
    """Another visitor (their browser in Stockholm, so with the tz cookie) fills the visitors' cache with a page in
    Stockholm time. A first-time visitor from New York has no cookie yet, so the server serves that very page:
    the browser must fetch the times again in its own zone."""
    consultant, slots = anna
    url = reverse("consultants:profile", kwargs={"slug": consultant.slug})
    other = Client()
    other.cookies["tz"] = "Europe%2FStockholm"  # as static/js/probono.js writes it
    assert 'data-zone-source="browser"' in other.get(url).content.decode()
    cached = Client().get(url).content.decode()  # no cookie, the default zone: served the page just cached
    assert 'data-zone="Europe/Stockholm"' in cached and 'data-zone-source="browser"' in cached

    context = browser.new_context(timezone_id="America/New_York", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + url)
    expect(page.locator("#picker")).to_have_attribute("data-zone", "America/New_York")
    times = page.locator(".time-list")
    expect(times).to_contain_text(f"{_hhmm(slots[0].starts_at, NEW_YORK)}–{_hhmm(slots[0].ends_at, NEW_YORK)}")
    stockholm_time = _hhmm(slots[0].starts_at, zoneinfo.ZoneInfo("Europe/Stockholm"))
    expect(times).not_to_contain_text(stockholm_time)
    context.close()


def test_without_javascript_the_server_list_works_and_the_zone_form_too(browser, live_server, anna):
    consultant, slots = anna
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + reverse("consultants:profile", kwargs={"slug": consultant.slug}))
    expect(page.locator(".time-list a").first).to_be_visible()
    page.get_by_label("Times in:").select_option("America/New_York")
    page.locator(".zone-form button[type=submit]").click()
    expect(page.locator(".time-list")).to_contain_text(_hhmm(slots[0].starts_at, NEW_YORK))
    page.locator(".time-list a").first.click()
    assert f"/book/{slots[0].pk}/" in page.url
    context.close()


def test_a_signed_in_member_saves_the_zone_from_the_picker(browser, live_server, anna):
    consultant, slots = anna
    member = MembershipFactory(user__time_zone="Europe/Stockholm").user
    context = browser.new_context(timezone_id="America/New_York")
    page = context.new_page()
    page.goto(live_server.url + "/")
    sign_in(page, live_server, member)
    page.goto(live_server.url + reverse("consultants:profile", kwargs={"slug": consultant.slug}))
    expect(page.locator("#picker")).to_have_attribute("data-zone", "Europe/Stockholm")  # the profile's zone
    page.get_by_label("Times in:").select_option("America/New_York")
    page.get_by_role("button", name="Save New York as my time zone").click()
    expect(page.locator(".messages")).to_contain_text("Your time zone is now America/New York")
    member.refresh_from_db()
    assert member.time_zone == "America/New_York"
    expect(page.locator(".time-list")).to_contain_text(_hhmm(slots[0].starts_at, NEW_YORK))
    context.close()
