"""NPS in a real browser: the company answers the survey from its e-mail with a 10, the promoter wall shows
it, and staff open the conversion report and download the CSV."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from booking.models import PipelineEvent
from feedback.models import Feedback
from feedback.services import feedback_send_due
from reports.models import WallSettings
from tests.factories import PASSWORD, ConsultantFactory, HeldBookingFactory, UserFactory

pytestmark = pytest.mark.e2e


def test_a_company_answers_10_the_wall_shows_it_and_staff_download_the_report(live_server, page, settings,
                                                                               mailoutbox):
    settings.SITE_URL = live_server.url
    WallSettings.objects.create(is_public=True)
    consultant = ConsultantFactory(display_name="Anna Lindqvist")
    booking = HeldBookingFactory(slot__consultant=consultant, company__name="Hygge Møbler ApS")
    held = PipelineEvent.objects.create(booking=booking, kind="held", actor=consultant.user, actor_name="Anna")
    PipelineEvent.objects.filter(pk=held.pk).update(created_at=timezone.now() - dt.timedelta(hours=3))
    staff = UserFactory(is_staff=True, is_superuser=True)

    # Two hours after the session the company gets the one-question survey.
    assert feedback_send_due() == 1
    link = re.search(r"https?://\S+/feedback/\S+/", mailoutbox[-1].body).group(0)

    # Opening the link records nothing; the answer is a POST.
    page.goto(link)
    expect(page.locator("legend")).to_have_text("How likely are you to recommend Anna Lindqvist to a colleague?")
    assert Feedback.objects.get().answered_at is None
    page.get_by_role("radio", name="10", exact=True).check()
    page.get_by_label("What is the main reason for your score? (optional)").fill("Anna saw what we had missed.")
    page.get_by_label(re.compile("may show our company name")).check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator(".messages")).to_contain_text("Thank you! Your answer is saved.")
    feedback = Feedback.objects.get()
    assert (feedback.score, feedback.show_company) == (10, True)

    # The promoter wall (public here) shows the quote with the company's name.
    page.goto(live_server.url + "/wall/")
    quote = page.locator("#wall-live .wall-quotes li").first
    expect(quote).to_contain_text("Anna saw what we had missed.")
    expect(quote).to_contain_text("Hygge Møbler ApS")
    expect(page.locator("#wall-live")).to_have_attribute("hx-trigger", "every 30s")

    # Staff open the report for the last two months and download the CSV.
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", staff.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_label("Period", exact=False).and_(page.locator("select")).select_option("custom")
    today = timezone.localdate()
    page.get_by_label("From").fill((today - dt.timedelta(days=60)).isoformat())
    page.get_by_label("To (inclusive)").fill(today.isoformat())
    page.get_by_role("button", name="Show").click()
    sales = page.get_by_role("table", name="Follow-up work and feedback per consultant")
    row = sales.get_by_role("row", name=re.compile("Anna Lindqvist"))
    expect(row).to_contain_text("100")  # NPS of a single 10
    expect(page.locator("svg[role=img]").first).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download this table (CSV)").click()
    content = open(download_info.value.path(), encoding="utf-8").read()
    assert content.startswith("\ufeffconsultant,")
    assert "Anna Lindqvist" in content
