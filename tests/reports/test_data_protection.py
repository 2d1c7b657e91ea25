"""Company owners export all their data and delete the account; deletion keeps the report's numbers."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from accounts.models import Company, Membership, User
from booking.models import Booking, IntakeAnswer, PipelineEvent
from engagements.models import Engagement, GapReport
from feedback.models import Feedback
from reports.models import DataRequestLog
from reports.privacy import DataProtectionError, company_delete
from reports.selectors import Period, conversion_report
from tests.factories import (
    BookingFactory,
    ConsultantFactory,
    EngagementFactory,
    FeedbackFactory,
    GapItemFactory,
    GapReportFactory,
    HeldBookingFactory,
    IntakeAnswerFactory,
    MembershipFactory,
    PipelineEventFactory,
    UserFactory,
    WaitlistEntryFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    owner = MembershipFactory(role="owner", user__name="Olga Owner", user__email="olga@secret.test").user
    company = owner.memberships.get().company
    company.name, company.org_number = "Secret Shop AB", "556000-1111"
    company.billing_address, company.vat_number = "Hemliga gatan 7\n123 45 Gömstad", "SE556000111101"
    company.save()
    colleague = MembershipFactory(company=company, user__name="Carl Colleague", user__email="carl@secret.test").user
    consultant = ConsultantFactory(display_name="Anna")
    booking = HeldBookingFactory(company=company, booked_by=colleague, slot__consultant=consultant,
                                 cancel_reason="", place_kind="phone_i_call", company_phone="+46701740699")
    IntakeAnswerFactory(booking=booking, question_label="What worries you?", value="Our CEO Olga hates surveys")
    PipelineEventFactory(booking=booking, kind="booked", actor=colleague)
    PipelineEventFactory(booking=booking, kind="held", actor=consultant.user)
    cancelled = BookingFactory(company=company, booked_by=owner, status="cancelled", slot__consultant=consultant,
                               cancel_reason="Olga is ill")
    PipelineEventFactory(booking=cancelled, kind="cancelled", actor=owner, data={"reason": "Olga is ill",
                                                                                 "by": "company"})
    FeedbackFactory(booking=booking, score=9, comment="Anna was great, says Carl", show_company=True)
    report = GapReportFactory(booking=booking, summary="Secret Shop loses customers",
                              shared_at=booking.slot.ends_at)
    GapItemFactory(report=report, title="Olga's dashboard", detail="private")
    EngagementFactory(booking=booking, status="completed", amount_minor=700_000, paid_at=booking.slot.ends_at,
                      title="Workshop for Secret Shop", scope="Two days with Olga", accepted_by=owner)
    WaitlistEntryFactory(company=company, user=owner, consultant=consultant)
    return company, owner, colleague, booking


# --- export ------------------------------------------------------------------------------------------------
def test_an_owner_downloads_all_of_the_companys_data_as_json(client, case, django_assert_max_num_queries):
    company, owner, colleague, booking = case
    client.force_login(owner)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("reports:company_export"))
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["company"]["name"] == "Secret Shop AB"
    assert data["company"]["vat_number"] == "SE556000111101" and "Hemliga gatan" in data["company"]["billing_address"]
    assert {m["email"] for m in data["members"]} == {"olga@secret.test", "carl@secret.test"}
    assert len(data["bookings"]) == 2
    held = next(b for b in data["bookings"] if b["id"] == booking.pk)
    assert held["intake_answers"] == [{"question": "What worries you?", "answer": "Our CEO Olga hates surveys"}]
    assert held["feedback"][0]["comment"] == "Anna was great, says Carl"
    assert [e["step"] for e in held["timeline"]] == ["booked", "held"]
    assert data["gap_reports"][0]["gaps"][0]["title"] == "Olga's dashboard"
    assert data["engagements"][0]["scope"] == "Two days with Olga"
    assert data["waitlist"][0]["person"] == "olga@secret.test"
    log = DataRequestLog.objects.get()
    assert (log.kind, log.company_id_ref, log.requested_by) == ("export", company.pk, owner)


# --- deletion ----------------------------------------------------------------------------------------------
def _everything_as_text() -> str:
    """Every row of our apps' tables (except the invoices kept by law) as one string."""
    from django.apps import apps

    parts = []
    for model in apps.get_models():
        if model._meta.app_label in ("accounts", "booking", "engagements", "reports", "account") \
                and model._meta.model_name not in ("invoice",):
            parts.append(repr(list(model.objects.values_list())))
    return "\n".join(parts)


def test_deleting_leaves_nothing_personal_and_the_report_unchanged(client, case):
    company, owner, colleague, booking = case
    month = Period(booking.slot.starts_at.date().replace(day=1), booking.slot.starts_at.date(), "UTC")
    wide = Period(month.first - dt.timedelta(days=400), month.last + dt.timedelta(days=400), "UTC")
    before = [(r.name, r.booked, r.held, r.won, r.revenue, r.promoters, r.responses, r.pro_bono_minutes)
              for r in conversion_report(period=wide).rows]
    client.force_login(owner)
    response = client.post(reverse("reports:company_delete"), {"confirm_name": "Secret Shop AB"})
    assert response.status_code == 302

    text = _everything_as_text()
    for secret in ("Olga", "Carl", "olga@secret.test", "carl@secret.test", "Secret Shop", "556000-1111",
                   "Hemliga gatan", "SE556000111101", "hates surveys", "is ill", "says Carl", "loses customers",
                   "Two days", "+46701740699"):
        assert secret not in text, secret
    company.refresh_from_db()
    assert company.name == f"Deleted company {company.pk}" and company.org_number == ""
    assert not Membership.objects.filter(company=company).exists()
    for person in (owner, colleague):
        person.refresh_from_db()
        assert not person.is_active and not person.has_usable_password() and person.name == ""
    assert Feedback.objects.get().score == 9 and Feedback.objects.get().comment == ""
    assert IntakeAnswer.objects.get().value is None
    assert not GapReport.objects.get().items.exists()
    assert Engagement.objects.get().amount_minor == 700_000
    assert set(PipelineEvent.objects.values_list("kind", flat=True)) == {"booked", "held", "cancelled"}
    assert PipelineEvent.objects.get(kind="cancelled").data == {"by": "company"}
    after = [(r.name, r.booked, r.held, r.won, r.revenue, r.promoters, r.responses, r.pro_bono_minutes)
             for r in conversion_report(period=wide).rows]
    assert after == before
    log = DataRequestLog.objects.get(kind="deletion")
    assert log.company_id_ref == company.pk and log.details["bookings"] == 2
    # The owner is signed out and cannot sign in again.
    assert client.get(reverse("reports:data_protection")).status_code == 302
    assert not client.login(email="olga@secret.test", password="correct-horse-battery")


def test_the_deletion_needs_the_company_name_typed_as_confirmation(client, case):
    company, owner, *_ = case
    client.force_login(owner)
    page = client.get(reverse("reports:company_delete"))
    assert "Type “Secret Shop AB” to confirm" in page.text
    response = client.post(reverse("reports:company_delete"), {"confirm_name": "secret shop"})
    assert response.status_code == 400
    assert Company.objects.get(pk=company.pk).name == "Secret Shop AB"


def test_a_company_without_bookings_is_removed_entirely(client):
    owner = MembershipFactory(role="owner").user
    company = owner.memberships.get().company
    company_delete(company=company, by=owner)
    assert not Company.objects.filter(pk=company.pk).exists()
    assert DataRequestLog.objects.get().details["company"] == "removed"


def test_people_who_also_belong_elsewhere_keep_their_account(case):
    company, owner, colleague, _booking = case
    MembershipFactory(user=colleague)  # Carl also works for another company
    company_delete(company=company, by=owner)
    colleague.refresh_from_db()
    assert colleague.is_active and colleague.email == "carl@secret.test"
    assert not Membership.objects.filter(company=company).exists()


def test_an_upcoming_session_blocks_deletion_with_a_clear_message(client, case):
    company, owner, *_ = case
    BookingFactory(company=company, booked_by=owner, status="confirmed",
                   slot__starts_at=dt.datetime(2099, 1, 5, 9, tzinfo=dt.UTC))
    with pytest.raises(DataProtectionError) as e:
        company_delete(company=company, by=owner)
    assert e.value.code == "upcoming_sessions"
    client.force_login(owner)
    response = client.post(reverse("reports:company_delete"), {"confirm_name": "Secret Shop AB"})
    assert "Cancel your upcoming sessions" in response.text
    assert User.objects.get(pk=owner.pk).is_active


def test_only_an_owner_may_delete(case):
    company, _owner, colleague, _ = case
    with pytest.raises(DataProtectionError):
        company_delete(company=company, by=colleague)
    with pytest.raises(DataProtectionError):
        company_delete(company=company, by=UserFactory())
    assert Booking.objects.filter(company=company).count() == 2


def test_the_old_survey_link_stops_working_after_deletion(client, case):
    company, owner, _c, booking = case
    survey = FeedbackFactory(booking=booking, kind="engagement")
    url = reverse("booking:feedback", args=[survey.token])
    assert client.get(url).status_code == 200
    company_delete(company=company, by=owner)
    assert client.get(url).status_code == 404
