"""Every kind of e-mail has a plain-text part and an HTML part, both built on the one base template (the same
header, footer and typography), rendered here in each of our languages."""

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.mail import Recipient, email_build
from tests.factories import (
    BookingFactory,
    EngagementFactory,
    FeedbackFactory,
    IntakeAnswerFactory,
    MembershipFactory,
    PaymentFactory,
)

EMAIL_DIR = Path(settings.BASE_DIR) / "templates" / "email"
KINDS = sorted(p.name.removesuffix("_subject.txt") for p in EMAIL_DIR.glob("*_subject.txt"))
FOOTER = "Probono: free gap-analysis sessions with customer-experience consultants."


def test_every_kind_has_a_text_and_an_html_body_that_extend_the_base():
    assert len(KINDS) >= 25
    for kind in KINDS:
        text = (EMAIL_DIR / f"{kind}_body.txt").read_text()
        html = (EMAIL_DIR / f"{kind}_body.html").read_text()
        assert text.startswith('{% extends "email/base.txt" %}'), kind
        assert html.startswith('{% extends "email/base.html" %}'), kind


@pytest.fixture
def context(db):
    booking = BookingFactory()
    IntakeAnswerFactory(booking=booking)
    payment = PaymentFactory(engagement=EngagementFactory(booking=booking, status="accepted"),
                             paid_at=timezone.now())
    engagement = payment.engagement
    invoice = SimpleNamespace(number="2030-00042", total_minor=payment.total_minor, vat_minor=payment.vat_minor,
                              currency=payment.currency, due_on=dt.date(2030, 2, 1))
    feedback = FeedbackFactory(booking=booking, score=3, comment="Too short.", answered_at=timezone.now())
    link = f"{settings.SITE_URL}/a/private/link/"
    return {
        "booking": booking, "consultant": booking.consultant, "company": booking.company,
        "booked_by": booking.booked_by, "contact": booking.booked_by, "starts_at": booking.slot.starts_at,
        "ends_at": booking.slot.ends_at, "old_starts_at": booking.slot.starts_at, "old_ends_at": booking.slot.ends_at,
        "time_zone_name": "Europe/Stockholm", "answers": list(booking.answers.all()), "was_invited": True,
        "hours_before": 24, "expires_at": booking.slot.starts_at, "reason": "Something came up.",
        "manage_url": link, "dashboard_url": link, "sessions_url": link, "consultant_url": link,
        "booking_ics_url": link, "claim_url": link, "directory": link, "link": link,
        "engagement": engagement, "payment": payment, "invoice": invoice, "by_name": "Karin Holm",
        "feedback": feedback, "is_engagement": False, "month": dt.date(2030, 3, 1), "published": 6, "total": 12,
        "invited_by": MembershipFactory().user, "new_account": True,
    }


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("kind", KINDS)
def test_each_mail_renders_both_parts_on_the_base(kind, language, context):
    message = email_build(template=kind, context=context,
                          recipient=Recipient(email="someone@example.com", language=language, name="Karin Holm"))

    assert message.subject.strip() and "\n" not in message.subject
    text = message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    for part in (text, html):
        assert "{%" not in part and "{{" not in part
    # The text part: the mail's own words, then the base's signature.
    own_words, _sep, signature = text.rpartition("\n-- \n")
    assert len(own_words.strip()) > 20, text
    assert signature.strip().endswith(settings.SITE_URL)
    # The HTML part: one document from the base, in the recipient's language, with the mail's own content.
    assert html.lstrip().startswith("<!DOCTYPE html>") and html.count("<html") == 1
    assert f'<html lang="{language}">' in html
    assert re.search(r"<title>\s*\S", html)
    assert 'class="content"' in html and html.count("</body>") == 1
    content = html.split('class="content"', 1)[1].split("<!-- /content -->", 1)[0]
    assert len(re.sub(r"<[^>]+>|\s+", " ", content).strip()) > 20, html
    if language == "en":
        assert FOOTER in text and FOOTER in html


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("kind", ["booking_confirmed", "booking_requested", "booking_rescheduled"])
def test_mails_about_a_session_that_goes_ahead_carry_the_link_to_manage_it(kind, language, context):
    message = email_build(template=kind, context={**context, "manage_url": "https://probono.example/m/tok/"},
                          recipient=Recipient(email="someone@example.com", language=language, name="Karin Holm"))
    [(html, _mimetype)] = message.alternatives
    assert "https://probono.example/m/tok/" in message.body
    assert 'href="https://probono.example/m/tok/"' in html
