"""Keyboard only: the skip link, the main content, the sign-up link, the sign-up form filled and submitted with
Enter, then step 1 of a booking answered and sent with Enter. Every element that takes focus shows it."""

import pytest
from playwright.sync_api import expect

from accounts.models import Membership
from tests.factories import PASSWORD, ConsultantFactory, SlotFactory, UserFactory

pytestmark = pytest.mark.e2e

FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const shows = (node) => {
    if (!node) return false;
    const s = getComputedStyle(node);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
  };
  const label = el.labels && el.labels.length ? el.labels[0] : null;
  return {tag: el.tagName.toLowerCase(), id: el.id || '', name: el.getAttribute('name') || '',
          type: el.getAttribute('type') || '', href: el.getAttribute('href') || '',
          text: (el.innerText || el.value || '').trim().slice(0, 40),
          visible: shows(el) || shows(label)};
}"""


def focused(page) -> dict:
    state = page.evaluate(FOCUS_STATE)
    assert state is not None, "focus was lost (nothing focused)"
    return state


def tab(page, backwards: bool = False) -> dict:
    page.keyboard.press("Shift+Tab" if backwards else "Tab")
    state = focused(page)
    if state["tag"] != "main":  # main takes focus from the skip link only; it is not a control
        assert state["visible"], f"focus is not visible on {state}"
    return state


def tab_until(page, predicate, limit: int = 60) -> dict:
    seen = []
    for _ in range(limit):
        state = tab(page)
        seen.append(f"{state['tag']}[{state['name'] or state['href'] or state['text']}]")
        if predicate(state):
            return state
    raise AssertionError(f"never reached the element; focus went through {seen}")


def skip_to_main(page) -> None:
    state = tab(page)
    assert state["tag"] == "a" and state["href"] == "#main", f"the first Tab should reach the skip link: {state}"
    expect(page.locator(".skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main", "the skip link should move focus to the main content"


def test_a_company_signs_up_and_answers_the_booking_questions_by_keyboard_alone(live_server, page, settings):
    settings.SITE_URL = live_server.url
    consultant = ConsultantFactory(display_name="Kim Keyboard", slug="kim-keyboard")
    slot = SlotFactory(consultant=consultant)

    page.goto(live_server.url + "/")
    skip_to_main(page)
    tab_until(page, lambda s: s["href"].endswith("/accounts/signup/"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/accounts/signup/")

    skip_to_main(page)
    values = {"email": "kai@tangent.example", "password1": "a-long-keyboard-pass-42",
              "password2": "a-long-keyboard-pass-42", "name": "Kai Tangent", "company_name": "Tangent AB",
              "org_number": "556677-8899"}
    filled = set()
    for _ in range(40):
        state = tab(page)
        if state["tag"] == "input" and state["name"] in values:
            page.keyboard.type(values[state["name"]])
            filled.add(state["name"])
        elif state["tag"] == "select" and state["name"] == "industry":
            page.keyboard.press("ArrowDown")  # any other industry than the first, chosen with the keyboard
        if filled == set(values):
            break
    assert filled == set(values), f"the keyboard never reached {set(values) - filled}"
    with page.expect_navigation():
        page.keyboard.press("Enter")  # implicit submission from the last field
    errors = page.locator("main .error, main .errorlist").all_inner_texts()
    assert not errors, f"sign-up refused: {errors}"
    expect(page.locator("main")).to_contain_text("kai@tangent.example")
    assert Membership.objects.get(user__email="kai@tangent.example").company.name == "Tangent AB"

    # A signed-in member answers step 1 of a booking by keyboard: text by typing, choices with Space/arrows.
    member = UserFactory(email="kim.member@example.com")
    Membership.objects.create(user=member, company=Membership.objects.get(user__email="kai@tangent.example").company)
    page.goto(live_server.url + "/accounts/login/")
    skip_to_main(page)
    tab_until(page, lambda s: s["name"] == "login")
    page.keyboard.type(member.email)
    tab_until(page, lambda s: s["name"] == "password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_visible()

    page.goto(live_server.url + f"/book/{slot.pk}/")
    skip_to_main(page)
    groups_done = set()
    submit = None
    for _ in range(80):
        state = tab(page)
        if state["tag"] == "input" and state["type"] in ("radio", "checkbox") and state["name"] not in groups_done:
            page.keyboard.press("Space")
            groups_done.add(state["name"])
        elif state["tag"] in ("input", "textarea") and state["type"] not in ("radio", "checkbox", "hidden") \
                and state["name"].startswith("q_"):
            page.keyboard.type("Retail, and we measure nothing yet")
        elif state["tag"] == "button" and "review" in state["text"].lower():
            submit = state
            break
    assert submit, "the keyboard never reached the 'Continue' button"
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + f"/book/{slot.pk}/review/")
