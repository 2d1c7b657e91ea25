"""Gap reports: drafts only the consultant sees; shared ones the company's members read; others get 404."""

import pytest
from django.urls import reverse

from booking.models import PipelineEvent
from engagements.models import GapReport
from engagements.services import EngagementError, Gap, gap_report_save, gap_report_share
from tests.factories import BookingFactory, ConsultantFactory, GapItemFactory, GapReportFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _save(booking, **kw):
    data = {"summary": "Good intentions, no follow-through.", "recommendations": "Call back detractors.",
            "next_steps": "Name an owner.",
            "gaps": [Gap("No owner for customer feedback", "high"), Gap("Survey too long", "low", "32 questions")]}
    return gap_report_save(booking=booking, by=booking.consultant.user, **(data | kw))


def test_the_consultant_saves_a_draft_with_prioritised_gaps(held_booking):
    report = _save(held_booking)
    assert report.shared_at is None
    assert [(i.title, i.priority) for i in report.items.all()] == [
        ("No owner for customer feedback", "high"), ("Survey too long", "low")]
    report = _save(held_booking, gaps=[Gap("Only one gap now", "medium")])
    assert GapReport.objects.count() == 1
    assert [i.title for i in report.items.all()] == ["Only one gap now"]


def test_a_gap_report_needs_a_held_session(consultant):
    with pytest.raises(EngagementError) as e:
        _save(BookingFactory(slot__consultant=consultant))
    assert e.value.code == "not_held"


def test_sharing_emails_every_member_and_adds_a_timeline_step(
        held_booking, member, second_member, django_capture_on_commit_callbacks, mailoutbox):
    report = _save(held_booking)
    with django_capture_on_commit_callbacks(execute=True):
        gap_report_share(report=report, by=held_booking.consultant.user)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([member.email, second_member.email])
    assert reverse("engagements:gap_report", args=[held_booking.pk]) in mailoutbox[0].body
    event = PipelineEvent.objects.get(booking=held_booking, kind="gap_report_shared")
    assert event.actor_name == "Anna Lindqvist"
    with pytest.raises(EngagementError) as e:
        gap_report_share(report=report, by=held_booking.consultant.user)
    assert e.value.code == "already_shared"


def test_an_empty_report_cannot_be_shared(held_booking):
    report = _save(held_booking, recommendations="", gaps=[])
    with pytest.raises(EngagementError) as e:
        gap_report_share(report=report, by=held_booking.consultant.user)
    assert e.value.code == "empty_report"


def test_a_draft_is_visible_to_the_consultant_only(held_booking, member, login):
    GapItemFactory(report=GapReportFactory(booking=held_booking), title="Nobody reads the complaints")
    url = reverse("engagements:gap_report", args=[held_booking.pk])
    assert "Nobody reads the complaints" in login(held_booking.consultant.user).get(url).content.decode()
    assert login(member).get(url).status_code == 404


def test_a_shared_report_is_visible_to_members_and_the_consultant_and_404_for_everyone_else(
        held_booking, member, second_member, outsider, staff_user, login, client):
    from django.utils import timezone

    GapItemFactory(report=GapReportFactory(booking=held_booking, shared_at=timezone.now()),
                   title="Nobody reads the complaints", priority="high")
    url = reverse("engagements:gap_report", args=[held_booking.pk])
    for user in (member, second_member, held_booking.consultant.user):
        page = login(user).get(url)
        assert page.status_code == 200
        assert "Nobody reads the complaints" in page.content.decode()
        assert "High" in page.content.decode()  # the priority in words, not only a colour
    for user in (outsider, ConsultantFactory().user, MembershipFactory().user, staff_user):
        assert login(user).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_the_edit_page_saves_and_shares(held_booking, member, login, django_capture_on_commit_callbacks, mailoutbox):
    client = login(held_booking.consultant.user)
    url = reverse("engagements:gap_report_edit", args=[held_booking.pk])
    assert client.get(url).status_code == 200
    data = {"summary": "S", "recommendations": "R", "next_steps": "N",
            "gaps-TOTAL_FORMS": "3", "gaps-INITIAL_FORMS": "0", "gaps-MIN_NUM_FORMS": "0", "gaps-MAX_NUM_FORMS": "30",
            "gaps-0-title": "Slow complaint handling", "gaps-0-priority": "high", "gaps-0-detail": "",
            "gaps-1-title": "", "gaps-1-priority": "medium", "gaps-1-detail": "",
            "gaps-2-title": "No NPS", "gaps-2-priority": "medium", "gaps-2-detail": "", "share": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    report = GapReport.objects.get(booking=held_booking)
    assert report.shared_at is not None
    assert [i.title for i in report.items.all()] == ["Slow complaint handling", "No NPS"]
    assert [m.to[0] for m in mailoutbox] == [member.email]


def test_a_gap_with_detail_but_no_name_is_refused_and_keeps_what_was_typed(held_booking, login):
    GapReportFactory(booking=held_booking, summary="Old summary")
    client = login(held_booking.consultant.user)
    url = reverse("engagements:gap_report_edit", args=[held_booking.pk])
    data = {"summary": "New summary", "recommendations": "R", "next_steps": "N", "save": "1",
            "gaps-TOTAL_FORMS": "3", "gaps-INITIAL_FORMS": "0", "gaps-MIN_NUM_FORMS": "0", "gaps-MAX_NUM_FORMS": "30",
            "gaps-0-title": "Slow complaint handling", "gaps-0-priority": "high", "gaps-0-detail": "",
            "gaps-1-title": "  ", "gaps-1-priority": "low", "gaps-1-detail": "Nobody reads the survey answers",
            "gaps-2-title": "", "gaps-2-priority": "medium", "gaps-2-detail": ""}
    response = client.post(url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give the gap a short name" in body
    assert body.count('class="error"') == 1  # on the second row's name only; the empty third row is fine
    assert 'id="id_gaps-1-title_error"' in body
    assert "Nobody reads the survey answers" in body and "Slow complaint handling" in body and "New summary" in body
    assert "Gap report saved." not in body
    report = GapReport.objects.get(booking=held_booking)
    assert report.summary == "Old summary" and not report.items.exists()


def test_the_edit_page_is_404_for_other_consultants_and_members(held_booking, member, login):
    url = reverse("engagements:gap_report_edit", args=[held_booking.pk])
    assert login(ConsultantFactory().user).get(url).status_code == 404
    assert login(member).get(url).status_code == 404


def test_the_company_page_lists_shared_reports_and_sent_proposals_only(held_booking, member, login):
    from django.utils import timezone

    from tests.factories import EngagementFactory

    GapReportFactory(booking=held_booking, shared_at=timezone.now())
    EngagementFactory(booking=held_booking, title="Sent one")
    EngagementFactory(booking=held_booking, title="Draft one", status="draft")
    page = login(member).get(reverse("engagements:company")).content.decode()
    assert reverse("engagements:gap_report", args=[held_booking.pk]) in page
    assert "Sent one" in page and "Draft one" not in page


@pytest.mark.parametrize("rows", [2, 30])
def test_the_company_page_runs_a_fixed_number_of_queries(held_booking, member, login, rows,
                                                         django_assert_max_num_queries):
    from django.utils import timezone

    from tests.factories import EngagementFactory, HeldBookingFactory

    for _ in range(rows):
        booking = HeldBookingFactory(company=held_booking.company, booked_by=member)
        GapReportFactory(booking=booking, shared_at=timezone.now())
        EngagementFactory(booking=booking, status="accepted")
    client = login(member)
    with django_assert_max_num_queries(7):
        page = client.get(reverse("engagements:company")).content.decode()
    assert page.count('href="/proposals/') == rows


@pytest.mark.parametrize("rows", [2, 30])
def test_the_session_page_runs_a_fixed_number_of_queries(held_booking, login, rows, django_assert_max_num_queries):
    from tests.factories import EngagementFactory

    GapItemFactory(report=GapReportFactory(booking=held_booking))
    for i in range(rows):
        EngagementFactory(booking=held_booking, status=["proposed", "paid", "draft"][i % 3])
    client = login(held_booking.consultant.user)
    # + 4 for what the page shows beside them: the intake answers, the company's own customer-NPS snapshots and
    # the timeline — a fixed number, whatever the number of proposals
    with django_assert_max_num_queries(13):
        page = client.get(reverse("engagements:session", args=[held_booking.pk])).content.decode()
    assert page.count('href="/proposals/') == rows
