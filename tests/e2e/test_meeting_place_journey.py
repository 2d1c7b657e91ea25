"""Before confirming, the booking steps say how the session will happen; after it, the confirmation shows the place.

Sofia (demo, English) meets by video; for the phone journey she calls the company instead, so the first step asks
for the company's number. A new English-speaking company books, so no demo fair-use limit gets in the way.
"""

import pytest
from playwright.sync_api import expect

from booking.models import Booking
from consultants.models import Consultant
from consultants.services import consultant_update_meeting_place
from tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo(db):
    from accounts import demo as accounts_demo
    from consultants import demo as consultants_demo

    accounts_demo.seed()
    consultants_demo.seed()


def _login(page, live_server):
    user = MembershipFactory(role="owner", user__language="en", user__email="ines@kundresan.test",
                             company__name="Kundresan AB").user
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("h1")).to_be_visible()


def _answer_default_questions(page):
    page.get_by_label("250 or more").check()
    page.get_by_label("Which industry is your company in?").select_option(label="Health and care")
    page.get_by_label("Our own customer surveys").check()
    page.get_by_label("What is your main customer-experience challenge right now?").fill("Long queues.")
    page.get_by_label("What would be a good outcome of this session for you?").fill("Next steps.")


def test_the_steps_say_a_phone_call_asks_for_the_number_and_the_confirmation_shows_it(live_server, page, demo,
                                                                                    settings):
    settings.SITE_URL = live_server.url
    consultant_update_meeting_place(consultant=Consultant.objects.get(slug="sofia-berg"), place_kind="phone_i_call")
    _login(page, live_server)
    page.goto(live_server.url + "/consultants/sofia-berg/")
    expect(page.locator("main")).to_contain_text("Phone call")
    page.locator("a[href^='/book/']").first.click()

    place = page.locator(".meeting-place")
    expect(place).to_contain_text("Phone call")
    expect(place).to_contain_text("Sofia Berg calls you on the number you give")
    _answer_default_questions(page)
    page.get_by_label("Your phone number").fill("12")
    page.get_by_role("button", name="Continue to review").click()
    expect(page.locator(".error").first).to_be_visible()  # not a phone number: asked again, answers kept
    page.get_by_label("Your phone number").fill("070-123 45 67")
    page.get_by_role("button", name="Continue to review").click()

    expect(page.locator("h1")).to_have_text("Review your booking")
    # Before the company confirms: how it happens, and on which number.
    expect(page.locator(".meeting-place")).to_contain_text("Sofia Berg calls you on +46 70 123 45 67")
    page.get_by_role("button", name="Confirm the booking").click()

    expect(page.locator("h1")).to_have_text("Your session is booked")
    expect(page.locator(".meeting-place")).to_contain_text("+46 70 123 45 67")
    booking = Booking.objects.get()
    assert (booking.place_kind, booking.company_phone) == ("phone_i_call", "+46701234567")


def test_the_steps_say_a_video_meeting_link_comes_with_the_confirmation_then_show_join(live_server, page, demo,
                                                                                     settings):
    settings.SITE_URL = live_server.url
    _login(page, live_server)
    page.goto(live_server.url + "/consultants/sofia-berg/")
    page.locator("a[href^='/book/']").first.click()

    place = page.locator(".meeting-place")
    expect(place).to_contain_text("Video meeting")
    expect(place).to_contain_text("The link comes with your confirmation.")
    expect(page.locator("main")).not_to_contain_text("meet.example.org")
    _answer_default_questions(page)
    page.get_by_role("button", name="Continue to review").click()
    expect(page.locator(".meeting-place")).to_contain_text("Video meeting")
    page.get_by_role("button", name="Confirm the booking").click()

    expect(page.locator("h1")).to_have_text("Your session is booked")
    join = page.get_by_role("link", name="Join the video meeting")
    expect(join).to_have_attribute("href", "https://meet.example.org/sofia-berg")
