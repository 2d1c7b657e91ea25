import re
from datetime import timedelta

import pytest
from django.utils import timezone

from booking.models import Booking
from consultants.models import Slot
from tests.factories import (
    BookingFactory,
    ConsultantFactory,
    IntakeAnswerFactory,
    MembershipFactory,
    PipelineEventFactory,
    SlotFactory,
)

pytestmark = pytest.mark.django_db


def _bookings_for_company(company, consultant, n):
    for i in range(n):
        status = ["confirmed", "cancelled", "held"][i % 3]
        b = BookingFactory(company=company, slot=SlotFactory(consultant=consultant), status=status)
        PipelineEventFactory(booking=b, kind="booked")
        IntakeAnswerFactory(booking=b)


@pytest.mark.parametrize("n", [2, 50])
def test_the_company_dashboard_costs_the_same_queries_for_2_or_50_sessions(client, django_assert_max_num_queries, n):
    member = MembershipFactory()
    _bookings_for_company(member.company, ConsultantFactory(), n)
    client.force_login(member.user)

    with django_assert_max_num_queries(10):
        response = client.get("/company/sessions/")

    assert response.status_code == 200
    upcoming = len([i for i in range(n) if i % 3 == 0])  # the confirmed ones; the rest is past, 20 a page
    assert response.content.decode().count('class="card session"') == upcoming + min(n - upcoming, 20)


@pytest.mark.parametrize("n", [2, 50])
def test_the_consultant_dashboard_costs_the_same_queries_for_2_or_50_sessions(
        client, django_assert_max_num_queries, n):
    consultant = ConsultantFactory()
    for i in range(n):
        b = BookingFactory(slot=SlotFactory(consultant=consultant),
                           status="requested" if i % 2 else "confirmed")
        IntakeAnswerFactory(booking=b, value=f"Answer {i}")
    client.force_login(consultant.user)

    with django_assert_max_num_queries(10):
        response = client.get("/me/sessions/")

    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="card session"') == n
    assert "Answer 1" in body


def test_the_company_dashboard_splits_upcoming_and_past_with_status_and_timeline(client):
    member = MembershipFactory()
    consultant = ConsultantFactory(display_name="Mads Nørgaard")
    upcoming = BookingFactory(company=member.company, slot=SlotFactory(consultant=consultant))
    PipelineEventFactory(booking=upcoming, kind="booked", actor=member.user, actor_name="Karin Holm")
    PipelineEventFactory(booking=upcoming, kind="reminder_sent", actor=None, actor_name="")
    past_slot = SlotFactory(consultant=consultant, starts_at=timezone.now() - timedelta(days=3),
                            ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=1))
    held = BookingFactory(company=member.company, slot=past_slot, status="held")
    PipelineEventFactory(booking=held, kind="held", actor=consultant.user, actor_name="Mads Nørgaard")
    client.force_login(member.user)

    body = client.get("/company/sessions/").content.decode()

    up, past = body.split('id="past-h"')
    assert "Confirmed" in up and "Booked" in up and "by Karin Holm" in up and "Reminder sent" in up
    assert "Held" in past and "by Mads Nørgaard" in past


def test_people_without_a_company_or_consultant_profile_get_404(client, user):
    client.force_login(user)
    assert client.get("/company/sessions/").status_code == 404
    assert client.get("/me/sessions/").status_code == 404
    assert client.get("/me/questionnaire/").status_code == 404


def test_signed_out_visitors_are_sent_to_log_in(client):
    assert client.get("/company/sessions/").status_code == 302
    assert client.get("/me/sessions/").status_code == 302


def test_the_consultant_accepts_a_request_from_the_list(client, hooks):
    booking = BookingFactory(status="requested")
    client.force_login(booking.consultant.user)

    response = client.post(f"/me/sessions/{booking.pk}/approve/")

    assert response.status_code == 302
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"


def test_the_consultant_declines_a_request_with_a_message(client, hooks):
    booking = BookingFactory(status="requested")
    client.force_login(booking.consultant.user)

    assert client.post(f"/me/sessions/{booking.pk}/decline/", {"message": ""}).status_code == 400
    response = client.post(f"/me/sessions/{booking.pk}/decline/", {"message": "Fully booked with housing firms"})

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "declined"
    assert booking.cancel_reason == "Fully booked with housing firms"


def test_the_consultant_cancels_with_a_message_and_the_time_is_blocked(client, hooks):
    booking = BookingFactory()
    client.force_login(booking.consultant.user)

    assert "Message to the company" in client.get(f"/me/sessions/{booking.pk}/cancel/").content.decode()
    client.post(f"/me/sessions/{booking.pk}/cancel/", {"reason": "I am ill, please book another day"})

    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert booking.cancel_reason == "I am ill, please book another day"
    assert Slot.objects.get(pk=booking.slot_id).status == "blocked"


def test_cancelling_the_booking_on_a_slot_asks_first_then_blocks_the_slot(client, hooks):
    booking = BookingFactory()
    client.force_login(booking.consultant.user)

    confirm = client.get(f"/me/slots/{booking.slot_id}/cancel-booking/")
    assert confirm.status_code == 200
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"  # GET only asks

    response = client.post(f"/me/slots/{booking.slot_id}/cancel-booking/", {"reason": "Double-booked myself"})

    assert response.status_code == 302
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"
    assert Slot.objects.get(pk=booking.slot_id).status == "blocked"


def test_a_consultant_cannot_act_on_another_consultants_bookings(client):
    booking = BookingFactory(status="requested")
    client.force_login(ConsultantFactory().user)

    assert client.post(f"/me/sessions/{booking.pk}/approve/").status_code == 404
    assert client.post(f"/me/sessions/{booking.pk}/decline/", {"message": "x"}).status_code == 404
    assert client.post(f"/me/sessions/{booking.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert client.post(f"/me/slots/{booking.slot_id}/cancel-booking/", {"reason": "x"}).status_code == 404
    assert Booking.objects.get(pk=booking.pk).status == "requested"


def test_the_consultants_dashboard_lists_ended_sessions_until_their_outcome_is_recorded(client):
    from engagements.services import session_record_outcome

    booking = BookingFactory(slot__starts_at=timezone.now() - timedelta(hours=3))
    client.force_login(booking.consultant.user)
    body = client.get("/me/sessions/").content.decode()
    assert "Record the outcome" in body and booking.company.name in body
    session_record_outcome(booking=booking, outcome="held", by=booking.consultant.user)
    assert "Record the outcome" not in client.get("/me/sessions/").content.decode()


def test_record_outcome_on_the_dashboard_leads_to_the_form_that_records_it(client):
    booking = BookingFactory(slot__starts_at=timezone.now() - timedelta(hours=3))
    client.force_login(booking.consultant.user)
    body = client.get("/me/sessions/").content.decode()
    link = re.search(r'<a class="button small" href="([^"]+)">Record outcome', body)
    assert link is not None
    page, _, anchor = link.group(1).partition("#")
    response = client.get(page)
    assert response.status_code == 200
    outcome_page = response.content.decode()
    assert f'id="{anchor}"' in outcome_page
    assert f'action="/me/outcomes/{booking.pk}/"' in outcome_page and 'value="held"' in outcome_page


def test_the_consultants_recent_held_sessions_link_to_their_gap_report_and_proposal(client):
    from tests.factories import HeldBookingFactory

    held = HeldBookingFactory()
    client.force_login(held.consultant.user)
    page = client.get("/me/sessions/").content.decode()
    assert f'href="/me/sessions/{held.pk}/gap-report/"' in page
    assert f"/me/sessions/{held.pk}/follow-up/" in page
