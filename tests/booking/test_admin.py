import pytest

from booking.models import Booking, FairUsePolicy
from booking.questionnaires import questionnaire_get_current
from tests.factories import BookingFactory, IntakeAnswerFactory, PipelineEventFactory

pytestmark = pytest.mark.django_db


def test_staff_see_bookings_with_answers_and_timeline_but_cannot_add_or_delete_them(client, staff_user):
    booking = BookingFactory()
    IntakeAnswerFactory(booking=booking, value="Slow replies")
    PipelineEventFactory(booking=booking)
    client.force_login(staff_user)

    assert client.get("/admin/booking/booking/").status_code == 200
    page = client.get(f"/admin/booking/booking/{booking.pk}/change/").content.decode()
    assert "Slow replies" in page
    assert booking.manage_token_hash not in page
    assert client.get("/admin/booking/booking/add/").status_code == 403
    assert client.post(f"/admin/booking/booking/{booking.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Booking.objects.filter(pk=booking.pk).exists()


def test_staff_edit_the_fair_use_limits_in_the_admin(client, staff_user):
    client.force_login(staff_user)

    response = client.get("/admin/booking/fairusepolicy/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/booking/fairusepolicy/1/change/"
    data = {"max_upcoming": 2, "max_per_12_months": 3, "max_same_consultant_12_months": 1, "no_show_limit": 2,
            "no_show_block_months": 6, "approval_expiry_hours": 24, "waitlist_claim_hours": 12}
    assert client.post("/admin/booking/fairusepolicy/1/change/", data).status_code == 302

    policy = FairUsePolicy.current()
    assert (policy.max_upcoming, policy.approval_expiry_hours, policy.waitlist_claim_hours) == (2, 24, 12)


def test_staff_can_read_questionnaire_versions(client, staff_user, consultant):
    q = questionnaire_get_current(consultant)
    client.force_login(staff_user)
    assert "How many people work" in client.get(f"/admin/booking/questionnaire/{q.pk}/change/").content.decode()
