"""The README's two screenshots, made by the browser: the booking page (a profile with its time picker) on a phone
(390×844) and on a desktop (1366×900). `PROBONO_SCREENSHOTS=1` writes them to docs/screenshots/ (commit them);
otherwise they go to a temporary folder, so a test run leaves the tree clean."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from consultants.models import ConsultantExpertise, ConsultantLanguage
from tests.factories import ConsultantFactory, SlotFactory

pytestmark = pytest.mark.e2e
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


def test_the_readme_screenshots_of_the_booking_page(browser, live_server, transactional_db, tmp_path):
    target = Path(settings.BASE_DIR) / "docs" / "screenshots" if os.environ.get("PROBONO_SCREENSHOTS") else tmp_path
    anna = ConsultantFactory(display_name="Anna Lindqvist", slug="anna-lindqvist", city="Stockholm",
                             headline="Kundupplevelse som går att mäta – och förbättra",
                             bio="Tjugo år med kundnöjdhet i bank och bostadsbolag. Jag hittar gapen mellan det ni "
                                 "lovar och det kunderna upplever, och vilka av dem som inte kostar något att stänga.")
    ConsultantExpertise.objects.create(consultant=anna, area="nps")
    ConsultantLanguage.objects.bulk_create([ConsultantLanguage(consultant=anna, language=code)
                                           for code in ("sv", "en")])
    day = (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).replace(hour=8, minute=0, second=0, microsecond=0)
    for d in (0, 7, 14):
        for h in (0, 1.25, 2.5, 3.75):
            start = day + dt.timedelta(days=d, hours=h)
            SlotFactory(consultant=anna, starts_at=start, ends_at=start + dt.timedelta(hours=1))
    for name, size in SIZES.items():
        context = browser.new_context(viewport=size, timezone_id="Europe/Stockholm", locale="sv-SE")
        page = context.new_page()
        page.goto(live_server.url + reverse("consultants:profile", kwargs={"slug": anna.slug}))
        expect(page.locator(".time-list li").first).to_be_visible()
        path = target / f"booking-{name}.png"
        page.screenshot(path=str(path), full_page=name == "phone")
        assert path.stat().st_size > 10_000
        context.close()
