"""A company books a free session with a demo consultant, sees the confirmation and cancels from the manage link."""

import re

import pytest
from playwright.sync_api import expect

from booking.models import Booking

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo(db):
    from accounts import demo as accounts_demo
    from consultants import demo as consultants_demo

    accounts_demo.seed()
    consultants_demo.seed()


def test_a_company_books_a_session_and_cancels_it_from_the_manage_link(live_server, page, mailoutbox, settings, demo):
    settings.SITE_URL = live_server.url
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "emma@nordiccare.test")
    page.fill("input[name=password]", "probono-demo")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("h1")).to_be_visible()

    # Pick the first free time on the consultant's profile.
    page.goto(live_server.url + "/consultants/sofia-berg/")
    page.locator("a[href^='/book/']").first.click()
    expect(page.locator("h1")).to_contain_text("Book a free session with Sofia Berg")
    expect(page.locator("main")).to_contain_text("(Europe/Stockholm)")

    # The default questionnaire.
    page.get_by_label("250 or more").check()
    page.get_by_label("Which industry is your company in?").select_option(label="Health and care")
    page.get_by_label("Our own customer surveys").check()
    page.get_by_label("What is your main customer-experience challenge right now?").fill(
        "Families cannot reach the right person.")
    # A long answer counts as it is typed, against its limit.
    expect(page.locator(".counter").first).to_have_text("39 / 4000")
    page.get_by_role("button", name="Continue to review").click()
    # Forgot the last required question: the form comes back with a message and keeps what was typed.
    expect(page.locator(".error").first).to_be_visible()
    expect(page.get_by_label("What is your main customer-experience challenge right now?")).to_have_value(
        "Families cannot reach the right person.")
    page.get_by_label("What would be a good outcome of this session for you?").fill("Three concrete next steps.")
    page.get_by_role("button", name="Continue to review").click()

    expect(page.locator("h1")).to_have_text("Review your booking")
    expect(page.locator("main")).to_contain_text("Families cannot reach the right person.")
    page.get_by_role("button", name="Confirm the booking").click()

    expect(page.locator("h1")).to_have_text("Your session is booked")
    booking = Booking.objects.get()
    assert booking.status == "confirmed"
    mails = [m for m in mailoutbox if "/manage/" in m.body]
    if mails:
        manage_url = re.search(r"https?://\S+/manage/[^/\s]+/", mails[-1].body).group(0)
    else:
        manage_url = page.locator("a.manage-link").get_attribute("href")

    page.goto(manage_url)
    expect(page.locator("main")).to_contain_text("Confirmed")
    page.get_by_label("Reason (optional)").fill("Our board meeting moved.")
    page.get_by_role("button", name="Cancel the session").click()
    page.locator("dialog.confirm").get_by_role("button", name="Yes, cancel the session").click()  # it asks first

    expect(page.locator("main")).to_contain_text("The session is cancelled")
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert booking.cancel_reason == "Our board meeting moved."
