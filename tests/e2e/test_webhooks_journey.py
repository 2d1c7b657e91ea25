"""A consultant adds a webhook endpoint in the browser, copies the secret shown once, and reads the delivery log;
staff see theirs. At a phone and a desktop: no sideways scroll, nothing serious for axe."""

import pytest

from booking.models import PipelineEvent
from booking.services import pipeline_event_record
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.e2e.test_accessibility import sign_in, violations
from tests.e2e.test_layout import MEASURE, VIEWPORTS
from tests.factories import BookingFactory
from tests.security.world import build_world

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(transactional_db, settings, live_server):
    settings.SITE_URL = live_server.url
    return build_world()


def _fits(page) -> list[str]:
    m = page.evaluate(MEASURE)
    found = violations(page)
    if m["scrollWidth"] > m["innerWidth"]:
        found.append(f"document {m['scrollWidth']} px wide in a {m['innerWidth']} px viewport")
    return found


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_consultant_adds_an_endpoint_and_reads_its_log(browser, live_server, world, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    consultant = world.consultant_profile
    page.goto(live_server.url + "/")
    sign_in(page, live_server, consultant.user)

    page.goto(live_server.url + "/me/webhooks/")
    assert _fits(page) == []
    page.get_by_label("Endpoint URL").fill("https://hooks.example.com/" + "a-long-path-segment/" * 6)
    page.get_by_label("Description").fill("Our CRM")
    page.get_by_label("A session is cancelled").check()
    page.get_by_role("button", name="Add endpoint").click()

    secret = page.locator("#webhook-secret").inner_text()
    endpoint = WebhookEndpoint.objects.get(description="Our CRM")
    assert secret.startswith("whsec_") and endpoint.get_secret() == secret
    assert endpoint.events == ["booking.created", "booking.cancelled"]
    assert _fits(page) == []

    pipeline_event_record(booking=BookingFactory(consultant=consultant), kind=PipelineEvent.Kind.BOOKED)
    for delivery in WebhookDelivery.objects.filter(endpoint=endpoint):
        WebhookAttempt.objects.create(delivery=delivery, attempted_at=delivery.created_at, status_code=503,
                                      error_code="http", duration_ms=120)
    page.get_by_role("link", name="Done: go to the endpoint").click()
    page.locator("tr[id^=delivery-] summary").first.click()  # open the attempts of the message
    assert page.get_by_text("503").first.is_visible()
    assert _fits(page) == []
    page.get_by_role("button", name="Replay").first.click()
    assert page.get_by_role("status").first.is_visible() or page.get_by_text("being sent again").is_visible()
    assert WebhookDelivery.objects.get(endpoint=endpoint).replay_requested
    context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_staff_pages_fit(browser, live_server, world, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.goto(live_server.url + "/")
    sign_in(page, live_server, world.users["staff"])
    for url in ("/staff/webhooks/", f"/staff/webhooks/{world.staff_webhook_endpoint.pk}/"):
        response = page.goto(live_server.url + url)
        assert response.status == 200
        assert _fits(page) == [], url
    context.close()
