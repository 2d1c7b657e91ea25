"""The wall on an office screen, in Chromium against a real server process: a new 10 appears within seconds
(with its celebration), and the screen survives the server being stopped and started again — it says when it
last heard from the server meanwhile, and catches up without a reload."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from playwright.sync_api import expect

from reports.wall import wall_screen_create
from tests.factories import ConsultantFactory, FeedbackFactory, HeldBookingFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """`manage.py runserver --noreload` on 127.0.0.1 against the test database, as a process of its own, so it
    can really be stopped and started again on the same address."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DEBUG": "true", "SITE_URL": self.url}
        db = settings.DATABASES["default"]
        if connection.vendor == "sqlite":
            self.env["SQLITE_PATH"] = db["NAME"]
            self.env.pop("DATABASE_URL", None)
        else:
            self.env["DATABASE_URL"] = (f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/"
                                        f"{db['NAME']}")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                assert self.proc.poll() is None, "the server process exited"
                time.sleep(0.2)
        raise AssertionError("the server did not start within 60 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        self.proc = None


@pytest.fixture
def app_server():
    server = AppServer()
    server.start()
    yield server
    server.stop()


def _answer(consultant, score, comment):
    return FeedbackFactory(booking=HeldBookingFactory(slot__consultant=consultant), score=score, comment=comment)


def test_a_new_10_appears_on_the_screen_within_seconds_with_a_celebration(app_server, page):
    consultant = ConsultantFactory(display_name="Anna Lindqvist")
    _answer(consultant, 9, "Clear and kind.")
    _screen, token = wall_screen_create(by=consultant.user, name="Office TV", consultant=consultant)
    page.goto(app_server.url + reverse("reports:wall_screen", args=[token]))
    expect(page.locator("#kiosk-promoters")).to_have_text("1")
    expect(page.locator("#kiosk-comment")).to_contain_text("Clear and kind.")
    expect(page.locator("#kiosk-celebrate")).to_be_hidden()

    _answer(consultant, 10, "Best Monday we ever had.")
    started = time.monotonic()
    expect(page.locator("#kiosk-celebrate")).to_be_visible(timeout=8000)
    expect(page.locator("#kiosk-celebrate-text")).to_have_text("Another 10 just came in!")
    expect(page.locator("#kiosk-promoters")).to_have_text("2")
    assert time.monotonic() - started < 8
    expect(page.locator("#kiosk-comment")).to_contain_text("Best Monday we ever had.", timeout=20000)
    expect(page.locator("#kiosk-offline")).to_be_hidden()


def test_the_screen_survives_a_server_restart_and_says_when_it_last_heard_from_it(app_server, page):
    consultant = ConsultantFactory(display_name="Anna Lindqvist")
    _screen, token = wall_screen_create(by=consultant.user, name="Office TV", consultant=consultant)
    page.goto(app_server.url + reverse("reports:wall_screen", args=[token]))
    expect(page.locator("#kiosk-promoters")).to_have_text("0")
    page.evaluate("window.__kioskMarker = 'no reload'")

    app_server.stop()
    expect(page.locator("#kiosk-offline")).to_be_visible(timeout=10000)
    expect(page.locator("#kiosk-offline")).to_contain_text("Last updated")
    _answer(consultant, 10, "Worth every minute.")  # arrives while the server is away

    app_server.start()  # the same address, a new process
    expect(page.locator("#kiosk-offline")).to_be_hidden(timeout=35000)
    expect(page.locator("#kiosk-promoters")).to_have_text("1")
    expect(page.locator("#kiosk-celebrate-text")).to_have_text("Another 10 just came in!")
    assert page.evaluate("window.__kioskMarker") == "no reload"  # caught up in place, no full reload


def test_the_celebration_does_not_move_for_people_who_asked_for_reduced_motion(app_server, browser):
    consultant = ConsultantFactory(display_name="Anna Lindqvist")
    _screen, token = wall_screen_create(by=consultant.user, name="Office TV", consultant=consultant)
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    page.goto(app_server.url + reverse("reports:wall_screen", args=[token]))
    expect(page.locator("#kiosk-promoters")).to_have_text("0")
    _answer(consultant, 9, "Calm and useful.")
    expect(page.locator("#kiosk-celebrate")).to_be_visible(timeout=8000)
    expect(page.locator("#kiosk-celebrate-text")).to_have_text("Another 9 just came in!")
    assert page.locator("#kiosk-celebrate").get_attribute("class") == "kiosk-celebrate"  # no animation class
    animation = page.locator("#kiosk-celebrate-text").evaluate("el => getComputedStyle(el).animationName")
    assert animation == "none"
    context.close()
