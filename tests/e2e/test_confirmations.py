"""Nothing is undone by one click: with JavaScript a <dialog> asks first and says what will happen; without it the
server's confirmation page does. After a cancel the page offers the next step."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from booking.models import Booking
from tests.factories import BookingFactory

pytestmark = pytest.mark.e2e


def test_cancel_on_the_manage_page_asks_in_a_dialog_then_offers_the_next_step(page, live_server, transactional_db):
    booking = BookingFactory(slot__consultant__display_name="Anna Lindqvist")
    page.goto(live_server.url + reverse("booking:manage", kwargs={"token": booking.manage_token}))
    page.locator("form[data-confirm] button[type=submit]").click()
    dialog = page.locator("dialog.confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Anna Lindqvist is told by e-mail")
    dialog.get_by_role("button", name="No, keep the session").click()
    expect(dialog).to_have_count(0)
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"

    page.locator("form[data-confirm] button[type=submit]").click()
    page.locator("dialog.confirm").get_by_role("button", name="Yes, cancel the session").click()
    expect(page.get_by_role("link", name="Book another time with Anna Lindqvist")).to_be_visible()
    expect(page.get_by_role("link", name="Find another consultant")).to_be_visible()
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"


def test_without_javascript_the_confirmation_is_a_page(browser, live_server, transactional_db):
    booking = BookingFactory(slot__consultant__display_name="Anna Lindqvist")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + reverse("booking:manage", kwargs={"token": booking.manage_token}))
    page.get_by_label("Reason (optional)").fill("Budget freeze")
    page.locator("form[data-confirm] button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Cancel your session with Anna Lindqvist")
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"
    page.get_by_role("button", name="Yes, cancel the session").click()
    expect(page.get_by_role("link", name="Book another time with Anna Lindqvist")).to_be_visible()
    cancelled = Booking.objects.get(pk=booking.pk)
    assert cancelled.status == "cancelled" and cancelled.cancel_reason == "Budget freeze"
    context.close()
