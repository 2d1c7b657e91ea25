"""Browser tests: Debian's Chromium driven by pytest-playwright against live_server. Never a downloaded browser."""

import os
import re

import pytest

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"],
    }


@pytest.fixture(scope="session", autouse=True)
def _allow_sync_orm_beside_playwright():
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still sync.
    # Set only for browser tests: it must never leak into a deployment check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(autouse=True)
def _e2e_settings(settings):
    # Mail goes to the locmem outbox; tasks run inline (Q_SYNC) after commit.
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"


def link_from_outbox(mailoutbox, pattern: str = r"https?://\S+") -> str:
    body = mailoutbox[-1].body
    match = re.search(pattern, body)
    assert match, body
    return match.group(0)
