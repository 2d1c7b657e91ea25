"""VAT arithmetic, money formatting, and that every page renders for the people it is for."""

import pytest
from django.urls import reverse
from django.utils import translation

from booking.fair_use import FairUseRefusal, fair_use_check
from engagements.models import Engagement, vat_of
from engagements.services import session_record_outcome
from engagements.templatetags.engagements_money import money
from tests.factories import BookingFactory, EngagementFactory, GapReportFactory, PastSlotFactory, SlotFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("amount", "bp", "vat"), [
    (1000, 2500, 250), (1002, 2500, 251), (1001, 2500, 250),  # 250.5 rounds up, 250.25 down
    (2, 2500, 1), (1, 2500, 0), (999_999_999, 2500, 250_000_000), (10_000, 1250, 1250), (10_000, 0, 0),
    (333, 600, 20),  # 19.98 → 20
])
def test_vat_is_integer_arithmetic_rounded_half_up(amount, bp, vat):
    assert vat_of(amount, bp) == vat


def test_an_engagement_shows_amount_vat_and_total():
    e = Engagement(amount_minor=1_000_200, vat_rate_bp=2500)
    assert (e.vat_minor, e.total_minor, e.vat_percent) == (250_050, 1_250_250, "25")
    assert Engagement(amount_minor=1, vat_rate_bp=1250).vat_percent == "12.5"


def test_money_is_formatted_in_the_viewers_language_without_floats():
    assert money(1_250_050, "SEK") == "12,500.50\u00a0SEK"
    with translation.override("sv"):
        assert money(1_250_050, "SEK") == "12\u00a0500,50\u00a0SEK"
    with translation.override("da"):
        assert money(1_250_050, "DKK") == "12.500,50\u00a0DKK"
    assert money(5, "EUR") == "0.05\u00a0EUR"


def test_no_shows_recorded_here_count_toward_the_fair_use_rule(consultant):
    company_booking = BookingFactory(slot=PastSlotFactory(consultant=consultant))
    company = company_booking.company
    second = BookingFactory(slot=PastSlotFactory(consultant=consultant), company=company,
                            booked_by=company_booking.booked_by)
    for booking in (company_booking, second):
        session_record_outcome(booking=booking, outcome="no_show", by=consultant.user)
    with pytest.raises(FairUseRefusal) as e:
        fair_use_check(company=company, slot=SlotFactory())
    assert e.value.code == "no_shows"


def test_the_consultants_session_page_shows_report_and_proposals(held_booking, login):
    GapReportFactory(booking=held_booking)
    EngagementFactory(booking=held_booking, title="Sent offer")
    EngagementFactory(booking=held_booking, title="Paid offer", status="paid")
    page = login(held_booking.consultant.user).get(reverse("engagements:session", args=[held_booking.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Draft: the company cannot see it yet." in html
    assert "Sent offer" in html and "Mark completed" in html and "Withdraw" in html


def test_the_consultant_edits_and_sends_a_draft(held_booking, member, login, mailoutbox,
                                                django_capture_on_commit_callbacks):
    draft = EngagementFactory(booking=held_booking, status="draft")
    client = login(held_booking.consultant.user)
    assert client.get(reverse("engagements:engagement_edit", args=[draft.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("engagements:engagement_edit", args=[draft.pk]), {
            "title": "Renamed", "scope": "Less.", "amount": "100", "currency": "SEK", "vat_percent": "12.5",
            "valid_until": "2099-01-01", "save": "1"})
        draft.refresh_from_db()
        assert (draft.title, draft.amount_minor, draft.vat_rate_bp, draft.status) == ("Renamed", 10_000, 1250, "draft")
        client.post(reverse("engagements:engagement_send", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == "proposed"
    assert [m.to[0] for m in mailoutbox] == [member.email]
    assert client.get(reverse("engagements:engagement_edit", args=[draft.pk])).status_code == 302  # sent: read only


def test_the_consultant_completes_and_withdraws(held_booking, login):
    paid = EngagementFactory(booking=held_booking, status="paid")
    proposed = EngagementFactory(booking=held_booking)
    client = login(held_booking.consultant.user)
    client.post(reverse("engagements:engagement_complete", args=[paid.pk]))
    client.post(reverse("engagements:engagement_cancel", args=[proposed.pk]), {"confirmed": "1"})
    assert dict(Engagement.objects.values_list("pk", "status")) == {paid.pk: "completed", proposed.pk: "cancelled"}
    response = client.post(reverse("engagements:engagement_complete", args=[proposed.pk]), follow=True)
    assert "cannot be changed" in response.content.decode()


def test_a_member_sees_accept_and_decline_only_while_it_is_proposed(held_booking, member, login):
    engagement = EngagementFactory(booking=held_booking)
    client = login(member)
    html = client.get(reverse("engagements:engagement", args=[engagement.pk])).content.decode()
    assert "Accept and pay" in html and "Decline" in html
    assert "25,000.00" in html and "6,250.00" in html and "31,250.00" in html
    assert client.get(reverse("engagements:engagement_decline", args=[engagement.pk])).status_code == 200
    engagement.status = "declined"
    engagement.save()
    html = client.get(reverse("engagements:engagement", args=[engagement.pk])).content.decode()
    assert "Accept and pay" not in html


def test_proposal_pages_are_404_for_outsiders_and_other_consultants(held_booking, outsider, login):
    from tests.factories import ConsultantFactory

    engagement = EngagementFactory(booking=held_booking)
    for user in (outsider, ConsultantFactory().user):
        client = login(user)
        assert client.get(reverse("engagements:engagement", args=[engagement.pk])).status_code == 404
        assert client.get(reverse("engagements:engagement_decline", args=[engagement.pk])).status_code == 404
        assert client.post(reverse("engagements:engagement_cancel", args=[engagement.pk])).status_code == 404
        assert client.get(reverse("engagements:session", args=[held_booking.pk])).status_code == 404
    assert Engagement.objects.get(pk=engagement.pk).status == "proposed"


def test_status_words_shared_with_bookings_take_the_proposals_and_payments_own_form_in_swedish_and_danish():
    from django.utils import translation

    from booking.models import Booking
    from engagements.models import Engagement, Payment

    with translation.override("sv"):
        assert str(Booking.Status.CANCELLED.label) == "Avbokad"
        assert str(Engagement.Status.CANCELLED.label) == "Återkallad"
        assert str(Payment.Status.PAID.label) == "Betald" and str(Engagement.Status.PAID.label) == "Betalt"
    with translation.override("da"):
        assert str(Engagement.Status.CANCELLED.label) == "Trukket tilbage"
        assert str(Payment.Status.CANCELLED.label) == "Annulleret"


def test_withdrawing_a_proposal_asks_first(held_booking, login):
    proposed = EngagementFactory(booking=held_booking)
    response = login(held_booking.consultant.user).post(reverse("engagements:engagement_cancel", args=[proposed.pk]))
    assert response.status_code == 200 and "Yes, withdraw the proposal" in response.content.decode()
    assert Engagement.objects.get(pk=proposed.pk).status == "proposed"
