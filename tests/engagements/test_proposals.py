"""Proposals: drafting, sending (e-mail to every member), accepting by invoice, declining, expiring."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from booking.models import PipelineEvent
from engagements.models import Engagement, Invoice, Payment
from engagements.services import (
    EngagementError,
    engagement_accept,
    engagement_create,
    engagement_propose,
    engagements_expire,
)
from engagements.tasks import engagements_expire as engagements_expire_task
from tests.engagements.conftest import days_from_today
from tests.factories import BookingFactory, EngagementFactory

pytestmark = pytest.mark.django_db


def _draft(booking, **kw):
    terms = {"title": "NPS programme", "scope": "Set up and run a quarterly NPS survey.", "amount_minor": 1_000_200,
             "currency": "SEK", "valid_until": days_from_today(14)} | kw
    return engagement_create(booking=booking, by=booking.consultant.user, **terms)


def test_a_draft_is_invisible_to_the_company_until_it_is_sent(held_booking, member, login):
    draft = _draft(held_booking)
    assert draft.status == "draft"
    assert login(member).get(reverse("engagements:engagement", args=[draft.pk])).status_code == 404


def test_sending_a_proposal_emails_every_member_with_price_vat_and_total(
        held_booking, member, second_member, django_capture_on_commit_callbacks, mailoutbox):
    draft = _draft(held_booking)
    with django_capture_on_commit_callbacks(execute=True):
        engagement_propose(engagement=draft, by=held_booking.consultant.user)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([member.email, second_member.email])
    body = mailoutbox[0].body
    assert "10,002.00" in body  # price excl. VAT
    assert "2,500.50" in body  # 25 % VAT, exact
    assert "12,502.50" in body  # total
    assert reverse("engagements:engagement", args=[draft.pk]) in body
    assert "Anna Lindqvist" in mailoutbox[0].subject
    event = PipelineEvent.objects.get(booking=held_booking, kind="proposal_sent")
    assert event.actor == held_booking.consultant.user and event.actor_name == "Anna Lindqvist"


def test_only_a_held_session_gets_a_proposal(consultant):
    booking = BookingFactory(slot__consultant=consultant, status="confirmed")
    with pytest.raises(EngagementError) as e:
        _draft(booking)
    assert e.value.code == "not_held"


def test_a_proposal_needs_a_positive_price_and_a_future_date(held_booking):
    with pytest.raises(EngagementError) as e:
        _draft(held_booking, amount_minor=0)
    assert e.value.code == "invalid_amount"
    with pytest.raises(EngagementError) as e:
        _draft(held_booking, valid_until=days_from_today(-1))
    assert e.value.code == "past_valid_until"


def test_accepting_by_invoice_creates_one_payment_and_a_numbered_invoice_due_in_30_days(
        held_booking, member, no_stripe, django_capture_on_commit_callbacks, mailoutbox):
    engagement = EngagementFactory(booking=held_booking, amount_minor=1_000_200)
    with django_capture_on_commit_callbacks(execute=True):
        engagement, url = engagement_accept(engagement=engagement, by=member)
    assert url is None
    assert engagement.status == "accepted" and engagement.accepted_by == member
    payment = Payment.objects.get(engagement=engagement)
    assert (payment.provider, payment.status) == ("invoice", "pending")
    assert (payment.amount_minor, payment.vat_minor, payment.total_minor) == (1_000_200, 250_050, 1_250_250)
    invoice = Invoice.objects.get(payment=payment)
    assert invoice.number == f"{invoice.issued_on.year}-00001"
    assert invoice.due_on - invoice.issued_on == dt.timedelta(days=30)
    assert invoice.company_name == held_booking.company.name
    assert {m.to[0] for m in mailoutbox} == {member.email, held_booking.consultant.user.email}
    assert PipelineEvent.objects.filter(booking=held_booking, kind="accepted", actor=member).count() == 1


def test_accepting_through_the_page_shows_the_invoice(held_booking, member, no_stripe, login):
    engagement = EngagementFactory(booking=held_booking)
    response = login(member).post(reverse("engagements:engagement_accept", args=[engagement.pk]), {"confirmed": "1"},
                                  follow=True)
    invoice = Invoice.objects.get(payment__engagement=engagement)
    assert response.redirect_chain[-1][0] == reverse("engagements:invoice", args=[invoice.pk])
    assert invoice.number in response.content.decode()


def test_only_members_of_the_company_can_accept(held_booking, outsider, login):
    engagement = EngagementFactory(booking=held_booking)
    with pytest.raises(EngagementError) as e:
        engagement_accept(engagement=engagement, by=outsider)
    assert e.value.code == "not_allowed"
    assert login(outsider).post(reverse("engagements:engagement_accept", args=[engagement.pk])).status_code == 404
    engagement.refresh_from_db()
    assert engagement.status == "proposed"


def test_declining_keeps_the_reason_and_tells_the_consultant(
        held_booking, member, django_capture_on_commit_callbacks, mailoutbox, login):
    engagement = EngagementFactory(booking=held_booking)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(member).post(reverse("engagements:engagement_decline", args=[engagement.pk]),
                                      {"reason": "Not this quarter"})
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == "declined" and engagement.decline_reason == "Not this quarter"
    assert [m.to[0] for m in mailoutbox] == [held_booking.consultant.user.email]
    assert "Not this quarter" in mailoutbox[0].body
    assert PipelineEvent.objects.get(booking=held_booking, kind="declined").data["reason"] == "Not this quarter"


def test_an_expired_proposal_cannot_be_accepted(held_booking, member):
    engagement = EngagementFactory(booking=held_booking, valid_until=days_from_today(-1))
    with pytest.raises(EngagementError) as e:
        engagement_accept(engagement=engagement, by=member)
    assert e.value.code == "proposal_expired"


def test_the_expiry_task_marks_passed_proposals_expired_once(held_booking):
    past = EngagementFactory(booking=held_booking, valid_until=days_from_today(-1))
    today = EngagementFactory(booking=held_booking, valid_until=days_from_today(0))
    accepted = EngagementFactory(booking=held_booking, valid_until=days_from_today(-3), status="accepted")
    assert engagements_expire_task() == 1
    assert engagements_expire_task() == 0  # safe to run twice
    statuses = dict(Engagement.objects.values_list("pk", "status"))
    assert statuses == {past.pk: "expired", today.pk: "proposed", accepted.pk: "accepted"}
    assert PipelineEvent.objects.filter(booking=held_booking, kind="lost", data__cause="proposal_expired").count() == 1


def test_a_proposal_valid_until_today_expires_tomorrow(held_booking):
    engagement = EngagementFactory(booking=held_booking, valid_until=dt.date(2031, 3, 10))
    with time_machine.travel(dt.datetime(2031, 3, 10, 22, 30, tzinfo=dt.UTC), tick=False):  # 23:30 in Stockholm
        assert engagements_expire() == 0
    with time_machine.travel(dt.datetime(2031, 3, 10, 23, 30, tzinfo=dt.UTC), tick=False):  # 00:30 on the 11th
        assert engagements_expire() == 1
    engagement.refresh_from_db()
    assert engagement.status == "expired"


def test_the_consultant_creates_and_sends_a_proposal_from_the_form(held_booking, member, login, mailoutbox,
                                                                   django_capture_on_commit_callbacks):
    client = login(held_booking.consultant.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("engagements:engagement_new", args=[held_booking.pk]), {
            "title": "Service design sprint", "scope": "Two weeks.", "amount": "12500.50", "currency": "EUR",
            "vat_percent": "25", "valid_until": days_from_today(10).isoformat(), "send": "1"})
    assert response.status_code == 302
    engagement = Engagement.objects.get(booking=held_booking)
    assert (engagement.status, engagement.amount_minor, engagement.currency, engagement.vat_rate_bp) == (
        "proposed", 1_250_050, "EUR", 2500)
    assert [m.to[0] for m in mailoutbox] == [member.email]


def test_the_company_timeline_names_the_consultant_at_each_step(consultant, login, no_stripe):
    from engagements.services import gap_report_save, gap_report_share, session_record_outcome
    from tests.factories import PastSlotFactory

    booking = BookingFactory(slot=PastSlotFactory(consultant=consultant))
    by = consultant.user
    session_record_outcome(booking=booking, outcome="held", by=by)
    booking.refresh_from_db()
    gap_report_share(report=gap_report_save(booking=booking, by=by, summary="", recommendations="Act.",
                                            next_steps="", gaps=[]), by=by)
    engagement_propose(engagement=_draft(booking), by=by)
    page = login(booking.booked_by).get(reverse("booking:company_dashboard")).content.decode()
    for step in ("Session held", "Gap report shared", "Proposal sent"):
        assert f"<strong>{step}</strong> · by Anna Lindqvist" in page


def test_the_new_proposal_form_suggests_30_days_and_is_only_for_held_sessions(held_booking, consultant, login):
    client = login(consultant.user)
    page = client.get(reverse("engagements:engagement_new", args=[held_booking.pk])).content.decode()
    assert days_from_today(30).isoformat() in page
    upcoming = BookingFactory(slot__consultant=consultant)
    response = client.get(reverse("engagements:engagement_new", args=[upcoming.pk]))
    assert response["Location"] == reverse("engagements:session", args=[upcoming.pk])


def test_accept_and_pay_asks_first_with_the_price(held_booking, member, no_stripe, login):
    engagement = EngagementFactory(booking=held_booking)
    response = login(member).post(reverse("engagements:engagement_accept", args=[engagement.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Yes, accept and pay" in page and "including VAT" in page and "invoice" in page
    assert Engagement.objects.get(pk=engagement.pk).status == "proposed"
    assert not Invoice.objects.filter(payment__engagement=engagement).exists()
