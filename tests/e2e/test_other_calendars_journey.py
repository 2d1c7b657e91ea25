"""A consultant connects a CalDAV account (a real Radicale server), chooses a calendar, and the time their busy
event covers disappears from the profile and is refused in the booking steps."""

import uuid
from datetime import UTC, timedelta

import caldav
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.test_consultant_journey import assert_accessible
from tests.factories import PASSWORD, ConsultantFactory, SlotFactory, UserFactory

pytestmark = pytest.mark.e2e


def test_a_consultants_busy_time_from_caldav_is_not_offered(live_server, page, settings, radicale):
    settings.SITE_URL = live_server.url
    url, username, password = radicale
    tag = uuid.uuid4().hex[:8]
    start = (timezone.now() + timedelta(days=3)).astimezone(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    principal = caldav.DAVClient(url=url, username=username, password=password).principal()
    work = principal.make_calendar(name=f"Client work {tag}", cal_id=f"client-{tag}")
    work.save_event(dtstart=start, dtend=start + timedelta(hours=1), summary="Workshop at a paying client")
    principal.make_calendar(name=f"Family {tag}", cal_id=f"family-{tag}")

    user = UserFactory(email="eva@consult.example", name="Eva Berg", time_zone="UTC")
    consultant = ConsultantFactory(user=user, display_name="Eva Berg", slug="eva-berg", time_zone="UTC")
    busy_slot = SlotFactory(consultant=consultant, starts_at=start, ends_at=start + timedelta(hours=1))
    free_slot = SlotFactory(consultant=consultant, starts_at=start + timedelta(hours=3),
                            ends_at=start + timedelta(hours=4))

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(live_server.url + "/me/consultant/settings/")
    page.get_by_role("link", name="Connect or check my other calendars").click()
    expect(page.locator("h1")).to_have_text("My other calendars")
    assert_accessible(page)

    page.fill("input[name=caldav-name]", "Radicale")
    page.fill("input[name=caldav-url]", url)
    page.fill("input[name=caldav-username]", username)
    page.fill("input[name=caldav-password]", password)
    page.get_by_role("button", name="Add account").click()
    expect(page.locator(".messages")).to_contain_text("Choose which of its calendars count as busy")
    page.get_by_label(f"Client work {tag}").check()
    expect(page.get_by_label(f"Family {tag}")).not_to_be_checked()
    page.get_by_role("button", name="Save the chosen calendars").click()
    expect(page.locator(".busy-count")).to_have_text("1")
    expect(page.locator("main")).not_to_contain_text(password)
    assert_accessible(page)

    # A company sees only the time that is still free, and cannot book the busy one.
    visitor = page.context.browser.new_page()
    visitor.goto(live_server.url + "/consultants/eva-berg/")
    expect(visitor.locator(f"a[href='/book/{free_slot.pk}/']")).to_have_count(1)
    expect(visitor.locator(f"a[href='/book/{busy_slot.pk}/']")).to_have_count(0)
    visitor.goto(live_server.url + f"/book/{busy_slot.pk}/")
    expect(visitor.locator("main")).to_contain_text("The consultant no longer offers this time.")
    visitor.close()

    # The month review shows the busy period beside the sessions.
    page.goto(live_server.url + f"/me/month/{start.year}/{start.month}/")
    expect(page.locator("main")).to_contain_text("Busy in your other calendars")
