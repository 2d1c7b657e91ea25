"""A consultant logs in, adds a first-Monday rule, reviews next month, publishes it, and companies see the slots."""

import datetime as dt
import re
import zoneinfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from consultants.availability import next_month
from consultants.models import Slot
from tests.factories import PASSWORD, ConsultantFactory, UserFactory

pytestmark = pytest.mark.e2e


def assert_accessible(page):
    """No serious or critical axe-core violation on the current page."""
    results = Axe().run(page)
    bad = [(v["id"], v["impact"], len(v["nodes"])) for v in results.response["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{page.url}: {bad}"


def test_a_consultant_publishes_next_month_from_a_first_monday_rule(live_server, page, settings):
    settings.SITE_URL = live_server.url
    user = UserFactory(email="anna@consult.example", name="Anna Lindqvist")
    consultant = ConsultantFactory(user=user, display_name="Anna Lindqvist", slug="anna-lindqvist")

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar").click()
    expect(page.get_by_role("heading", name="Your calendar")).to_be_visible()

    page.get_by_role("link", name="Availability rules").first.click()
    expect(page.locator("h1")).to_have_text("Availability rules")
    # The form starts on "the first Monday, 09:00–15:00, 60 min, 15 min break.
    expect(page.locator("select[name=rule-kind]")).to_have_value("monthly")
    expect(page.locator("select[name=rule-ordinal]")).to_have_value("1")
    expect(page.locator("select[name=rule-weekday]")).to_have_value("0")
    expect(page.locator("input[name=rule-on_date]")).to_be_hidden()  # only the fields this kind uses
    page.select_option("select[name=rule-kind]", "date")
    expect(page.locator("input[name=rule-on_date]")).to_be_visible()
    expect(page.locator("select[name=rule-weekday]")).to_be_hidden()
    page.select_option("select[name=rule-kind]", "monthly")
    page.get_by_role("button", name="Add rule").click()
    expect(page.locator(".messages")).to_contain_text("Rule added")
    expect(page.locator("main")).to_contain_text("The first Monday of every month, 09:00–15:00")
    assert_accessible(page)

    month = next_month(timezone.localdate())
    page.get_by_role("link", name=re.compile(r"^Review " + month.strftime("%B %Y"))).click()
    page.get_by_role("button", name="Make drafts from my rules").click()
    expect(page.locator(".messages")).to_contain_text("5 added")
    expect(page.locator("main")).to_contain_text("Draft: 5")
    page.get_by_role("button", name="Publish 5 drafts").click()
    expect(page.locator(".messages")).to_contain_text("5 slots published")
    assert_accessible(page)
    assert Slot.objects.filter(consultant=consultant, status="published").count() == 5

    # The calendar moves to next month with htmx (no full reload) and shows the published slots.
    page.get_by_role("link", name="Calendar").first.click()
    page.get_by_role("link", name=re.compile("Next month")).click()
    expect(page.locator("#cal-h")).to_have_text(month.strftime("%B %Y"))
    expect(page.locator("#cal-h")).to_be_focused()  # focus follows the swap (static/js/consultants.js)
    expect(page.locator("#calendar")).to_contain_text("Published: 5")
    assert f"month={month:%Y-%m}" in page.url
    assert_accessible(page)
    # Keyboard: the first slot's Block button is reachable with Tab and has a name that says which slot.
    block = page.get_by_role("button", name=re.compile(r"^Block ")).first
    block.focus()
    expect(block).to_be_focused()

    # A visitor sees the free slots on the public profile.
    page.context.clear_cookies()
    page.goto(live_server.url + "/consultants/")
    page.get_by_role("link", name="Anna Lindqvist").click()
    expect(page.locator("h1")).to_have_text("Anna Lindqvist")
    # The picker shows the first bookable day's five times, in the browser's own zone (09:00 in Stockholm).
    browser_zone = page.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone")
    expect(page.locator("#picker")).to_have_attribute("data-zone", browser_zone)
    slots = page.locator(".time-list li")
    expect(slots).to_have_count(5)
    first_day = page.locator(".picker-times h3").inner_text()
    nine = dt.datetime.combine(dt.datetime.strptime(first_day.split(" ", 1)[1], "%d %B %Y").date(), dt.time(9),
                               tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm"))
    expected = nine.astimezone(zoneinfo.ZoneInfo(browser_zone)).strftime("%H:%M")
    expect(page.locator(".time-list")).to_contain_text(expected)
    assert_accessible(page)
    page.goto(live_server.url + "/consultants/")
    assert_accessible(page)
