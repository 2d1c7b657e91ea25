"""The first journey: home → Swedish → sign up as a company → verify from the outbox → company dashboard."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Membership

pytestmark = pytest.mark.e2e


def test_a_company_signs_up_in_swedish_and_lands_on_its_dashboard(live_server, page, mailoutbox, settings):
    settings.SITE_URL = live_server.url
    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_be_visible()

    page.select_option("#lang-select", "sv")  # the switcher submits itself
    expect(page.locator("html")).to_have_attribute("lang", "sv")

    page.get_by_role("link", name=re.compile("Registrera")).first.click()
    page.fill("input[name=name]", "Karin Holm")
    page.fill("input[name=email]", "karin@bostader.example")
    page.fill("input[name=password1]", "ett-langt-losenord-42")
    page.fill("input[name=password2]", "ett-langt-losenord-42")
    page.fill("input[name=company_name]", "Bostäder i Lidköping AB")
    page.select_option("select[name=country]", "SE")
    page.fill("input[name=org_number]", "556677-8899")
    page.locator("main form button[type=submit]").click()

    expect(page.locator("main")).to_contain_text("karin@bostader.example")  # "verify your e-mail" page
    assert mailoutbox, "no verification e-mail was sent"
    path = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mailoutbox[-1].body).group(1)
    page.goto(live_server.url + path)
    page.locator("main form button[type=submit]").click()

    expect(page.locator("h1")).to_be_visible()
    assert Membership.objects.get(user__email="karin@bostader.example").role == "owner"
    # Company dashboard (sessions) or company page: either way the company's name or sessions heading shows.
    expect(page.locator("body")).to_contain_text(re.compile("Bostäder i Lidköping AB|Våra"))
