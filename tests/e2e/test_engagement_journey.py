"""From a free session to a paid engagement, in a real browser: held → gap report → proposal → accepted and
invoiced → staff mark it paid → the consultant's pipeline shows it as won."""

import re

import pytest
from playwright.sync_api import expect

from booking.models import Booking
from engagements.models import Engagement, GapReport, Invoice
from tests.factories import PASSWORD, BookingFactory, ConsultantFactory, PastSlotFactory, UserFactory

pytestmark = pytest.mark.e2e


def _log_in(page, live_server, email):
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("h1")).to_be_visible()


def test_a_held_session_becomes_a_paid_engagement_and_a_won_lead(live_server, page, settings, mailoutbox):
    settings.SITE_URL = live_server.url
    settings.STRIPE_SECRET_KEY = ""  # the invoice provider
    consultant = ConsultantFactory(display_name="Anna Lindqvist")
    booking = BookingFactory(slot=PastSlotFactory(consultant=consultant), company__name="Hygge Møbler ApS")
    member = booking.booked_by
    staff = UserFactory(is_staff=True, is_superuser=True)

    # The consultant records the outcome and shares a gap report.
    _log_in(page, live_server, consultant.user.email)
    page.goto(live_server.url + "/me/outcomes/")
    page.locator(f"#outcome-{booking.pk}").get_by_role("button", name="Held").click()
    expect(page.locator("h1")).to_contain_text("Gap report for Hygge Møbler ApS")
    page.get_by_label("Summary").fill("Feedback is collected, nobody acts on it.")
    page.fill("input[name=gaps-0-title]", "No owner for customer feedback")
    page.select_option("select[name=gaps-0-priority]", "high")
    page.get_by_label("Recommendations").fill("Name an owner and close the loop within a week.")
    page.get_by_role("button", name="Save and share with the company").click()
    expect(page.locator(".messages")).to_contain_text("Shared")
    assert Booking.objects.get(pk=booking.pk).status == "held"
    assert GapReport.objects.get(booking=booking).shared_at is not None

    # ... and sends a proposal.
    page.get_by_role("link", name="New proposal").click()
    page.get_by_label("Title").fill("Customer journey workshop")
    page.get_by_label("Scope").fill("Two half-day workshops and a written action plan.")
    page.get_by_label("Price excl. VAT").fill("20000")
    page.get_by_label("Currency").select_option("DKK")
    page.get_by_label("Valid until").fill("2099-12-31")
    page.get_by_role("button", name="Send to the company").click()
    expect(page.locator(".messages")).to_contain_text("Proposal sent")
    proposal_mail = next(m for m in mailoutbox if m.to == [member.email] and "Proposal" in m.subject)

    # The company reads the gap report, then accepts the proposal from the e-mail's link; it is invoiced.
    _log_in(page, live_server, member.email)
    page.goto(live_server.url + "/company/follow-ups/")
    page.get_by_role("link", name=re.compile("Gap report by Anna Lindqvist")).click()
    expect(page.get_by_role("cell", name=re.compile("No owner for customer feedback"))).to_be_visible()
    page.goto(re.search(r"https?://\S+/proposals/\d+/", proposal_mail.body).group(0))
    expect(page.get_by_role("row", name=re.compile("Total"))).to_contain_text("25,000.00 DKK")  # 20 000 + 25 % VAT
    page.get_by_role("button", name="Accept and pay").click()
    page.locator("dialog.confirm").get_by_role("button", name="Yes, accept and pay").click()  # it asks first
    invoice = Invoice.objects.get(payment__engagement__booking=booking)
    expect(page.locator("h1")).to_have_text(f"Invoice {invoice.number}")
    expect(page.locator("main")).to_contain_text("Hygge Møbler ApS")

    # Staff mark the invoice paid.
    _log_in(page, live_server, staff.email)
    page.goto(live_server.url + "/staff/invoices/")
    page.get_by_role("button", name=f"Mark invoice {invoice.number} as paid").click()
    page.locator("dialog.confirm").get_by_role("button", name="Yes, it is paid").click()  # it asks first
    expect(page.locator(".messages")).to_contain_text(f"Invoice {invoice.number} is marked as paid")
    assert Engagement.objects.get(booking=booking).status == "paid"

    # The consultant's pipeline shows the lead as won.
    _log_in(page, live_server, consultant.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pipeline").click()
    won = page.locator("[data-stage=won]")
    expect(won.locator(".count")).to_have_text("(1)")
    expect(won).to_contain_text("Hygge Møbler ApS")
    expect(page.locator("[data-stage=proposal] .count")).to_have_text("(0)")
