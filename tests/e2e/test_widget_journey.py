"""The booking widget on a consultant's own website, in Chromium: the website is a page served by a separate HTTP
server on another origin (127.0.0.1 against the live server's localhost) with the snippet from the settings page.

A listed website frames the widget; a visitor picks a time, signs in and confirms in the pop-up on Probono's
origin, and the website receives the `probono:booked` message. A website that is not listed gets no widget: the
browser refuses the frame.
"""

import pytest
from playwright.sync_api import expect
from pytest_httpserver import HTTPServer

from booking.models import Booking
from consultants.models import Consultant
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.e2e

# The website's own page: the snippet the consultant copies, and a recorder of every message the page receives.
HOST_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Sofia Berg Consulting</title></head>
<body><h1>Sofia Berg Consulting</h1>
<script>window.received = []; window.addEventListener("message", function (e) {
  window.received.push({origin: e.origin, data: e.data}); });</script>
%s
</body></html>"""


@pytest.fixture
def demo(db):
    from accounts import demo as accounts_demo
    from consultants import demo as consultants_demo

    accounts_demo.seed()
    consultants_demo.seed()


@pytest.fixture
def website():
    """A second local HTTP server: the consultant's website (another origin than the live server)."""
    servers = []

    def start() -> HTTPServer:
        server = HTTPServer(host="127.0.0.1", port=0)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.clear()
        if server.is_running():
            server.stop()


def serve_snippet(server: HTTPServer, snippet: str) -> str:
    server.expect_request("/").respond_with_data(HOST_PAGE % snippet, content_type="text/html")
    return server.url_for("/")


def origin_of(server: HTTPServer) -> str:
    return server.url_for("/").rstrip("/")


def test_a_website_on_another_origin_frames_the_widget_and_is_told_of_the_booking(live_server, page, settings, demo,
                                                                                  website):
    settings.SITE_URL = live_server.url
    site = website()
    sofia = Consultant.objects.get(slug="sofia-berg")

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "sofia@probono.test")
    page.fill("input[name=password]", "probono-demo")
    page.locator("main form button[type=submit]").first.click()
    page.goto(live_server.url + "/me/consultant/settings/")
    page.get_by_label("Websites that may show your booking widget").fill(origin_of(site))
    page.get_by_role("button", name="Save websites").click()
    expect(page.locator(".message").first).to_contain_text("websites for your booking widget are saved")
    sofia.refresh_from_db()
    assert sofia.widget_origins == [origin_of(site)]
    snippet = page.locator("#widget-snippet").input_value()
    assert f'src="{live_server.url}/widget/sofia-berg/"' in snippet
    page.context.clear_cookies()  # the visitor is someone else

    for width, height in ((390, 844), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(serve_snippet(site, snippet))
        widget = page.frame_locator("#probono-widget")
        expect(widget.locator("h1")).to_contain_text("Book a free session with Sofia Berg")
        expect(widget.locator("a[data-widget-book]").first).to_be_visible()
        frame = page.frame(url=lambda url: "/widget/sofia-berg/" in url)
        assert frame.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), width
        # The widget asked for its height, and the snippet gave it.
        page.wait_for_function("window.received.some(m => m.data && m.data.type === 'probono:resize')")
        assert all(m["origin"] == live_server.url for m in page.evaluate("window.received"))

    # Pick a time: the booking opens in a pop-up on Probono's own origin.
    with page.expect_popup() as popup_info:
        widget.locator("a[data-widget-book]").first.click()
    popup = popup_info.value
    expect(popup.locator("h1")).to_contain_text("Book a free session with Sofia Berg")
    assert popup.url.startswith(live_server.url + "/book/")
    popup.get_by_label("250 or more").check()
    popup.get_by_label("Which industry is your company in?").select_option(label="Health and care")
    popup.get_by_label("Our own customer surveys").check()
    popup.get_by_label("What is your main customer-experience challenge right now?").fill("Reaching families.")
    popup.get_by_label("What would be a good outcome of this session for you?").fill("Three next steps.")
    popup.get_by_role("button", name="Continue to review").click()
    expect(popup.locator("h1")).to_have_text("Review your booking")

    # Signing in happens in the pop-up, first-party: no cookie ever has to reach the frame.
    popup.locator("main").get_by_role("link", name="Log in").click()
    popup.fill("input[name=login]", "emma@nordiccare.test")
    popup.fill("input[name=password]", "probono-demo")
    popup.locator("main form button[type=submit]").first.click()
    expect(popup.locator("h1")).to_have_text("Review your booking")
    popup.get_by_role("button", name="Confirm the booking").click()
    expect(popup.locator("h1")).to_have_text("Your session is booked")
    expect(popup.get_by_role("button", name="Close this window")).to_be_visible()

    # The website heard of it, from Probono's origin; the widget says so too.
    page.wait_for_function("window.received.some(m => m.data && m.data.type === 'probono:booked')")
    booked = [m for m in page.evaluate("window.received") if m["data"].get("type") == "probono:booked"]
    booking = Booking.objects.get()
    assert booked == [{"origin": live_server.url, "data": {
        "type": "probono:booked", "status": booking.status, "consultant": "sofia-berg",
        "starts_at": booking.slot.starts_at.isoformat(), "ends_at": booking.slot.ends_at.isoformat()}}]
    expect(widget.locator("[data-widget-status]")).to_contain_text("Booked")
    popup.get_by_role("button", name="Close this window").click()


def test_a_website_that_is_not_listed_cannot_frame_the_widget(live_server, page, settings, demo, website):
    settings.SITE_URL = live_server.url
    listed, unlisted = website(), website()
    Consultant.objects.filter(slug="sofia-berg").update(widget_origins=[origin_of(listed)])
    iframe = f'<iframe id="probono-widget" src="{live_server.url}/widget/sofia-berg/" title="Booking"></iframe>'
    refusals = []
    page.on("console", lambda msg: refusals.append(msg.text) if "frame-ancestors" in msg.text else None)

    with page.expect_response(lambda r: "/widget/sofia-berg/" in r.url) as answer:
        page.goto(serve_snippet(unlisted, iframe))
    # The server names only the listed website…
    assert answer.value.headers["content-security-policy"].count("frame-ancestors " + origin_of(listed) + ";") == 1
    assert origin_of(unlisted) not in answer.value.headers["content-security-policy"]
    # …and Chromium refuses to show the widget in the unlisted website's frame.
    page.wait_for_timeout(500)
    frame = page.frame_locator("#probono-widget")
    expect(frame.locator("a[data-widget-book]")).to_have_count(0)
    expect(frame.locator("h1", has_text="Book a free session")).to_have_count(0)
    assert any(origin_of(unlisted) in text or "frame-ancestors" in text for text in refusals), refusals

    # The listed website, same browser, same widget: shown.
    page.goto(serve_snippet(listed, iframe))
    expect(page.frame_locator("#probono-widget").locator("a[data-widget-book]").first).to_be_visible()


def test_the_widget_and_its_settings_card_have_no_serious_accessibility_violations(live_server, page, settings, demo):
    settings.SITE_URL = live_server.url
    Consultant.objects.filter(slug="sofia-berg").update(widget_origins=["https://sofia.example"])
    page.goto(live_server.url + "/widget/sofia-berg/")
    expect(page.locator("a[data-widget-book]").first).to_be_visible()
    assert violations(page) == []
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "sofia@probono.test")
    page.fill("input[name=password]", "probono-demo")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("h1")).to_be_visible()
    page.goto(live_server.url + "/me/consultant/settings/")
    expect(page.get_by_role("button", name="Copy the code")).to_be_visible()
    assert violations(page) == []
