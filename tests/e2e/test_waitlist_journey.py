"""A company on a consultant's waitlist follows the e-mailed claim link, logs in, answers and books the freed time."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from booking.models import Booking
from tests.factories import (
    PASSWORD,
    ConsultantFactory,
    QuestionFactory,
    QuestionnaireFactory,
    SlotFactory,
    WaitlistEntryFactory,
)
from waitlist.models import WaitlistOffer
from waitlist.services import waitlist_offer_slot

pytestmark = pytest.mark.e2e


def test_a_waiting_company_claims_a_freed_time_from_the_offer_email(live_server, page, mailoutbox, settings,
                                                                     transactional_db):
    settings.SITE_URL = live_server.url
    consultant = ConsultantFactory(display_name="Sofia Berg")
    QuestionFactory(questionnaire=QuestionnaireFactory(consultant=consultant),
                    label="What would be a good outcome of this session?")
    entry = WaitlistEntryFactory(consultant=consultant)
    start = (timezone.now() + dt.timedelta(days=5)).replace(hour=8, minute=0, second=0, microsecond=0)
    slot = SlotFactory(consultant=consultant, starts_at=start, ends_at=start + dt.timedelta(hours=1))
    waitlist_offer_slot(slot=slot)  # outside a transaction: the offer mail goes out at once

    [offer_mail] = mailoutbox
    link = re.search(r"https?://\S+/waitlist/claim/\S+/", offer_mail.body).group(0)
    page.goto(link)
    expect(page.locator("h1")).to_have_text("A free session for you")
    expect(page.locator("main")).to_contain_text("Sofia Berg")
    page.locator("main").get_by_role("link", name="Log in").click()

    page.fill("input[name=login]", entry.user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("h1")).to_have_text("A free session for you")  # back on the offer
    assert WaitlistOffer.objects.get().status == "open"  # looking changed nothing

    page.get_by_label("What would be a good outcome of this session?").fill("A plan for our complaints.")
    page.get_by_role("button", name="Book this session").click()

    expect(page.locator(".message.success")).to_contain_text("The session is yours")
    booking = Booking.objects.get()
    assert (booking.slot_id, booking.company_id, booking.status) == (slot.pk, entry.company_id, "confirmed")
    assert any(m.to == [entry.user.email] and "/manage/" in m.body for m in mailoutbox)
