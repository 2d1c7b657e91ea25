"""axe-core (shipped by axe-playwright-python, no network) on every main page, as the person who uses it:
visitors, a company member, a consultant and staff. Fails on serious or critical violations and prints each
one with its rule id and the offending elements."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.security.world import build_world

pytestmark = pytest.mark.e2e

SERIOUS = ("serious", "critical")
AXE = Axe()


def _url(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:  # a page that does not exist in this tree (yet) is not checked
        return None


def sign_in(page, live_server, user) -> None:
    """A session for `user` in the browser, without going through the login form (that has its own test)."""
    from importlib import import_module

    store = import_module(django_settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    page.context.clear_cookies()
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": store.session_key,
                               "url": live_server.url}])


def violations(page) -> list[str]:
    results = AXE.run(page)
    found = []
    for v in results.response["violations"]:
        if v["impact"] in SERIOUS:
            targets = "; ".join(f"{n['target']} {n['html'][:120]}" for n in v["nodes"][:5])
            found.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])}×): {v['help']} → {targets}")
    return found


def check_pages(page, live_server, pages: list[tuple[str, str | None]]) -> None:
    report = {}
    checked = 0
    for label, path in pages:
        if path is None:
            continue
        response = page.goto(live_server.url + path)
        assert response is not None and response.status < 400, f"{label}: {path} answered {response.status}"
        expect(page.locator("main")).to_be_visible()
        checked += 1
        found = violations(page)
        if found:
            report[f"{label} {path}"] = found
    for where, found in report.items():
        print(f"\n{where}")
        for line in found:
            print(f"  {line}")
    assert checked, "no page checked"
    assert not report, f"serious/critical axe violations on {len(report)} of {checked} pages: {report}"


@pytest.fixture
def world(transactional_db, settings, live_server):
    settings.SITE_URL = live_server.url
    return build_world()


def test_visitor_pages_have_no_serious_accessibility_violations(page, live_server, world):
    check_pages(page, live_server, [
        ("home", _url("home")),
        ("directory", _url("consultants:directory")),
        ("consultant profile", _url("consultants:profile", slug=world.consultant_profile.slug)),
        ("booking step 1 (questions)", _url("booking:book", pk=world.free_slot.pk)),
        ("log in", _url("account_login")),
        ("sign up", _url("account_signup")),
        ("manage link", _url("booking:manage", token=world.tokens["manage"])),
        ("waitlist offer", _url("booking:waitlist_claim", token=world.tokens["waitlist_claim"])),
        ("survey", _url("booking:feedback", token=world.tokens["survey"]) if "survey" in world.tokens else None),
        ("invitation", _url("accounts:invitation", uidb64=world.tokens["invitation_uidb64"],
                            token=world.tokens["invitation"])),
    ])


def test_error_states_have_no_serious_accessibility_violations(page, live_server, world):
    report = {}
    page.goto(live_server.url + _url("account_signup"))
    page.locator("main form button[type=submit]").last.click()  # everything missing: every field has an error
    report["sign-up with errors"] = violations(page)
    page.goto(live_server.url + _url("account_login"))
    page.fill("input[name=login]", "nobody@example.com")
    page.fill("input[name=password]", "wrong")
    page.locator("main form button[type=submit]").last.click()
    report["login with an error"] = violations(page)
    page.goto(live_server.url + "/no-such-page/")
    report["404"] = violations(page)
    bad = {k: v for k, v in report.items() if v}
    assert not bad, bad


def test_the_harness_catches_a_serious_violation(page, live_server):
    page.goto(live_server.url + "/no-such-page/")
    page.set_content('<html><body><main><img src="/static/favicon.svg"><input type="text"></main></body></html>')
    found = violations(page)
    assert any(line.startswith("image-alt") for line in found), found
    assert any(line.startswith("label") for line in found), found


def test_booking_steps_have_no_serious_accessibility_violations(page, live_server, world):
    """Step 1 with errors, step 2 (review) and the confirmation, as a member of a company without sessions."""
    from tests.factories import MembershipFactory

    member = MembershipFactory(role="owner", user__name="Bea Booker").user
    sign_in(page, live_server, member)
    page.goto(live_server.url + _url("booking:book", pk=world.free_slot.pk))
    page.locator("main form button[type=submit]").last.click()  # nothing answered: the errors show
    report = {"step 1 with errors": violations(page)}
    answered = set()
    for choice in page.locator("main form input[type=radio], main form input[type=checkbox]").all():
        name = choice.get_attribute("name")  # answer every choice question with its first option
        if name not in answered:
            choice.check()
            answered.add(name)
    for field in page.locator("main input[type=text], main textarea, main input[type=number]").all():
        field.fill("7")
    page.locator("main form button[type=submit]").last.click()
    expect(page).to_have_url(live_server.url + _url("booking:review", pk=world.free_slot.pk))
    report["step 2 (review)"] = violations(page)
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator("h1")).to_be_visible()
    report["confirmation " + page.url] = violations(page)
    bad = {k: v for k, v in report.items() if v}
    for where, found in bad.items():
        print(f"\n{where}\n  " + "\n  ".join(found))
    assert not bad, bad


def test_company_pages_have_no_serious_accessibility_violations(page, live_server, world):
    sign_in(page, live_server, world.users["member"])
    check_pages(page, live_server, [
        ("company dashboard", _url("booking:company_dashboard")),
        ("one session", _url("booking:company_booking", pk=world.booking.pk)),
        ("company", _url("accounts:company")),
        ("profile", _url("accounts:profile")),
        ("follow-ups", _url("engagements:company")),
        ("gap report", _url("engagements:gap_report", booking_id=world.held_booking.pk)),
        ("proposal", _url("engagements:engagement", pk=world.engagement_proposed.pk)),
        ("decline proposal", _url("engagements:engagement_decline", pk=world.engagement_proposed.pk)),
        ("invoice", _url("engagements:invoice", pk=world.invoice.pk)),
        ("data protection", _url("reports:data_protection")),
        ("wall", _url("reports:wall")),
    ])


def test_consultant_pages_have_no_serious_accessibility_violations(page, live_server, world):
    sign_in(page, live_server, world.users["consultant"])
    today = timezone.localdate()
    check_pages(page, live_server, [
        ("sessions", _url("booking:consultant_dashboard")),
        ("calendar", _url("consultants:calendar")),
        ("month review", _url("consultants:month", year=today.year, month=today.month)),
        ("rules", _url("consultants:rules")),
        ("rule edit", _url("consultants:rule_edit", pk=world.rule.pk)),
        ("public profile edit", _url("consultants:profile_edit")),
        ("settings", _url("consultants:settings")),
        ("questionnaire builder", _url("booking:questionnaire_edit")),
        ("decline a request", _url("booking:consultant_decline", pk=world.requested_booking.pk)),
        ("pipeline", _url("engagements:pipeline")),
        ("outcomes", _url("engagements:outcomes")),
        ("session follow-up", _url("engagements:session", booking_id=world.held_booking.pk)),
        ("gap report editor", _url("engagements:gap_report_edit", booking_id=world.held_booking.pk)),
        ("new proposal", _url("engagements:engagement_new", booking_id=world.held_booking.pk)),
        ("my feedback", _url("reports:my_feedback")),
    ])


def test_staff_pages_have_no_serious_accessibility_violations(page, live_server, world):
    sign_in(page, live_server, world.users["staff"])
    check_pages(page, live_server, [
        ("reports", _url("reports:index")),
        ("wall", _url("reports:wall")),
        ("invoices", _url("engagements:invoice_list")),
    ])


def test_the_calendar_after_an_htmx_month_change_has_no_serious_accessibility_violations(page, live_server, world):
    sign_in(page, live_server, world.users["consultant"])
    page.goto(live_server.url + _url("consultants:calendar"))
    next_link = page.locator("#calendar a[hx-get]").last
    target = next_link.get_attribute("href")
    next_link.click()
    expect(page).to_have_url(live_server.url + _url("consultants:calendar") + target)
    expect(page.locator("#calendar")).to_be_visible()
    found = violations(page)
    assert not found, found
