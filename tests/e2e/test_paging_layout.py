"""The pagers of the long lists (issue 19) on a phone: no sideways scroll, and "Older" leads to the next page."""

import pytest

from tests.booking.test_paging import _history
from tests.e2e.test_accessibility import sign_in
from tests.factories import ConsultantFactory, MembershipFactory

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def world(transactional_db, live_server):
    consultant = ConsultantFactory()
    member = MembershipFactory()
    _history(consultant, member.company, member.user, 60)
    return consultant, member.user


@pytest.mark.parametrize(("who", "path", "heading"), [
    ("consultant", "/me/sessions/", "Past and cancelled"),
    ("member", "/company/sessions/", "Past and cancelled"),
    ("consultant", "/me/pipeline/", "Pipeline"),
])
def test_the_pager_fits_a_phone_and_leads_to_the_older_page(browser, live_server, world, who, path, heading):
    from django.urls import reverse

    if path == "/me/pipeline/":
        path = reverse("engagements:pipeline")
    consultant, member = world
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(live_server.url + "/")
    sign_in(page, live_server, consultant.user if who == "consultant" else member)

    page.goto(live_server.url + path)
    scroll, inner = page.evaluate(WIDTH)
    assert scroll <= inner
    older = page.get_by_role("link", name="Older")
    assert older.is_visible()
    older.click()
    page.wait_for_load_state()
    assert "page=2" in page.url
    assert page.get_by_text("Page 2").is_visible()
    scroll, inner = page.evaluate(WIDTH)
    assert scroll <= inner
    page.get_by_role("link", name="Newer").click()
    page.wait_for_load_state()
    assert "page=1" in page.url and page.get_by_role("heading", name=heading).first.is_visible()
    page.context.close()
