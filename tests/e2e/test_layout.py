"""Every page of each role (visitor, company member, consultant, staff) at a phone (390×844) and a desktop
(1366×900): the document is no wider than the viewport (no sideways scroll, WCAG 2.2 reflow), every target in
the header is at least 24 px, no console error, and axe finds nothing serious.

The pages come from the security matrix (every page an actor may read) plus the public pages without ids, so a
new page is checked here as soon as it has its matrix row."""

import pytest
from django.urls import NoReverseMatch, reverse

from tests.e2e.test_accessibility import sign_in, violations
from tests.security.matrix import MATRIX
from tests.security.world import build_world

pytestmark = pytest.mark.e2e

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
# Downloads, feeds and POST-only targets are not pages.
NOT_PAGES = {"reports:conversions_csv", "reports:leads_csv", "reports:company_export", "booking:calendar_feed",
             "booking:booking_ics", "engagements:checkout_success",
             "engagements:invoice_pdf", "reports:wall_screen_data"}  # a PDF download and a JSON feed, not pages
PUBLIC = ("home", "consultants:directory", "account_login", "account_signup", "account_reset_password",
          "account_request_login_code")
ROLES = ("anonymous", "member", "consultant", "staff")

# What the page measures in itself: document width, and each header target too small to hit.
MEASURE = """() => {
  const doc = document.documentElement;
  const small = [];
  const targets = 'header a, header button, header select, header summary, header label[for], header input';
  for (const el of document.querySelectorAll(targets)) {
    const r = el.getBoundingClientRect();
    if (r.width <= 1 && r.height <= 1) continue;  // not shown (inside the closed menu) or visually hidden
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const name = (el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30);
    if (r.width < 24 || r.height < 24) {
      small.push(`${el.tagName.toLowerCase()} "${name}" ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
  }
  return {scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, small};
}"""


def pages_for(world, actor: str) -> list[str]:
    urls = []
    if actor == "anonymous":
        for name in PUBLIC:
            try:
                urls.append(reverse(name))
            except NoReverseMatch:
                pass
    for row in MATRIX:
        if row.name in NOT_PAGES or row.get.get(actor) != 200:
            continue
        try:
            urls.append(reverse(row.name, kwargs=row.kwargs(world)))
        except (NoReverseMatch, KeyError, AttributeError):
            continue
    return urls


@pytest.fixture
def world(transactional_db, settings, live_server):
    settings.SITE_URL = live_server.url
    return build_world()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("actor", ROLES)
def test_every_page_fits_the_screen_with_big_enough_header_targets(browser, live_server, world, actor, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"{page.url}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    if actor != "anonymous":
        page.goto(live_server.url + "/")
        sign_in(page, live_server, world.users[actor])
    problems: dict[str, list[str]] = {}
    urls = pages_for(world, actor)
    assert len(urls) >= 3, urls
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response is not None and response.status < 400, f"{url} answered {response and response.status}"
        found = []
        m = page.evaluate(MEASURE)
        if m["scrollWidth"] > m["innerWidth"]:
            found.append(f"document {m['scrollWidth']} px wide in a {m['innerWidth']} px viewport")
        found += [f"header target too small: {s}" for s in m["small"]]
        found += violations(page)
        if found:
            problems[url] = found
    context.close()
    for url, found in problems.items():
        print(f"\n{actor} {viewport} {url}\n  " + "\n  ".join(found))
    assert not problems, problems
    assert not errors, errors


def test_the_reports_fit_a_desktop_and_the_period_form_shows_only_the_chosen_kind(browser, live_server, world):
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    page.goto(live_server.url + "/")
    sign_in(page, live_server, world.users["staff"])
    page.goto(live_server.url + reverse("reports:index"))
    widths = page.evaluate("""() => Array.from(document.querySelectorAll('.table-scroll')).map(
        box => [box.scrollWidth, box.clientWidth])""")
    assert len(widths) == 2, widths
    for scroll, client in widths:
        assert scroll <= client, widths  # every column of both tables is on screen
    assert page.locator("#id_month").is_visible() and page.locator("#id_year").is_visible()
    assert not page.locator("#id_quarter").is_visible() and not page.locator("#id_start").is_visible()
    page.select_option("#id_period", "custom")
    assert page.locator("#id_start").is_visible() and page.locator("#id_end").is_visible()
    assert not page.locator("#id_month").is_visible() and not page.locator("#id_year").is_visible()
    context.close()


def test_the_booking_review_step_fits_a_phone(browser, live_server, world):
    """The review step used to be 703 px wide on a 390 px screen, with the answers over the confirm button."""
    from tests.factories import MembershipFactory

    context = browser.new_context(viewport=VIEWPORTS["phone"])
    page = context.new_page()
    page.goto(live_server.url + "/")
    sign_in(page, live_server, MembershipFactory(role="owner").user)
    page.goto(live_server.url + reverse("booking:book", kwargs={"pk": world.free_slot.pk}))
    answered = set()
    for choice in page.locator("main form input[type=radio], main form input[type=checkbox]").all():
        name = choice.get_attribute("name")
        if name not in answered:
            choice.check()
            answered.add(name)
    for field in page.locator("main input[type=text], main textarea").all():
        field.fill("Ett långt svar utan mellanslag: " + "kundnöjdhetsundersökningsresultat" * 8)
    for field in page.locator("main input[type=number]").all():
        field.fill("7")
    page.locator("main form button[type=submit]").last.click()
    assert "/review/" in page.url
    m = page.evaluate(MEASURE)
    assert m["scrollWidth"] <= m["innerWidth"], m
    confirm = page.locator("main form button[type=submit]").last
    confirm.scroll_into_view_if_needed()
    box = confirm.bounding_box()
    assert box["height"] >= 44, box
    # What is under the middle of the confirm button is the button itself, not the answer list.
    hit = page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('button') !== null",
                        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    assert hit
    context.close()
