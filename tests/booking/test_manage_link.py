import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Booking, PipelineEvent
from consultants.models import Slot
from tests.factories import BookingFactory, IntakeAnswerFactory, MembershipFactory, SlotFactory

pytestmark = pytest.mark.django_db


def test_opening_the_manage_link_shows_the_session_and_changes_nothing(client):
    booking = BookingFactory()
    before = (Booking.objects.values().get(pk=booking.pk), Slot.objects.values().get(pk=booking.slot_id),
              PipelineEvent.objects.count())

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/manage/{booking.manage_token}/")

    assert response.status_code == 200
    assert booking.consultant.display_name in response.content.decode()
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    assert before == (Booking.objects.values().get(pk=booking.pk), Slot.objects.values().get(pk=booking.slot_id),
                      PipelineEvent.objects.count())
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_manage_link_cancels_on_post_with_an_optional_reason(client, hooks):
    booking = BookingFactory()

    response = client.post(f"/manage/{booking.manage_token}/", {"action": "cancel", "reason": "Budget freeze",
                                                                "confirmed": "1"})

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert booking.cancel_reason == "Budget freeze"
    assert Slot.objects.get(pk=booking.slot_id).status == "published"
    page = client.get(response["Location"]).content.decode()
    assert "Cancelled" in page
    assert "Budget freeze" in page


def test_the_manage_link_reschedules_to_another_free_time_of_the_same_consultant(client, hooks):
    booking = BookingFactory()
    new_slot = SlotFactory(consultant=booking.consultant)
    SlotFactory()  # another consultant's time is never offered

    page = client.get(f"/manage/{booking.manage_token}/").content.decode()
    assert f'value="{new_slot.pk}"' in page
    response = client.post(f"/manage/{booking.manage_token}/", {"action": "reschedule", "slot": new_slot.pk})

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.slot_id == new_slot.pk
    assert booking.invite_sequence == 1


def test_rescheduling_to_a_time_that_is_not_offered_is_rejected_by_the_form(client):
    booking = BookingFactory()
    SlotFactory(consultant=booking.consultant)
    foreign = SlotFactory()

    response = client.post(f"/manage/{booking.manage_token}/", {"action": "reschedule", "slot": foreign.pk})

    assert response.status_code == 400
    booking.refresh_from_db()
    assert booking.invite_sequence == 0


def test_the_loser_of_two_moves_to_one_time_is_told_it_was_just_taken_and_shown_the_free_times(client, hooks):
    first = BookingFactory()
    second = BookingFactory(consultant=first.consultant)
    contested = SlotFactory(consultant=first.consultant)
    other_free = SlotFactory(consultant=first.consultant, starts_at=contested.starts_at + dt.timedelta(days=1),
                             ends_at=contested.ends_at + dt.timedelta(days=1))
    # Both open their manage page while the time is free; the first one moves there.
    assert f'value="{contested.pk}"' in client.get(f"/manage/{second.manage_token}/").content.decode()
    assert client.post(f"/manage/{first.manage_token}/", {"action": "reschedule", "slot": contested.pk}
                       ).status_code == 302

    response = client.post(f"/manage/{second.manage_token}/", {"action": "reschedule", "slot": contested.pk})

    assert response.status_code == 409
    page = response.content.decode()
    assert "This time was just taken" in page and "Select a valid choice" not in page
    assert f'value="{other_free.pk}"' in page and f'value="{contested.pk}"' not in page
    second.refresh_from_db()
    assert second.invite_sequence == 0 and second.slot_id != contested.pk


def test_losing_the_race_inside_the_service_is_the_same_friendly_answer(client, hooks, monkeypatch):
    """Free when the form checked it, taken when the service locked it."""
    from booking import views
    from booking.errors import BookingError

    booking = BookingFactory()
    target = SlotFactory(consultant=booking.consultant)

    def lost(**kwargs):
        raise BookingError("slot_taken", "taken")

    monkeypatch.setattr(views, "booking_reschedule", lost)
    response = client.post(f"/manage/{booking.manage_token}/", {"action": "reschedule", "slot": target.pk})
    assert response.status_code == 409
    assert "This time was just taken" in response.content.decode()


def test_a_member_who_loses_the_race_on_the_dashboard_gets_the_same_answer(client, hooks):
    first = BookingFactory()
    second = BookingFactory(consultant=first.consultant)
    contested = SlotFactory(consultant=first.consultant)
    client.post(f"/manage/{first.manage_token}/", {"action": "reschedule", "slot": contested.pk})
    client.force_login(second.booked_by)
    response = client.post(f"/company/sessions/{second.pk}/", {"action": "reschedule", "slot": contested.pk})
    assert response.status_code == 409
    assert "This time was just taken" in response.content.decode()


@pytest.mark.parametrize("token", ["not-a-token", "x" * 43, "a" * 500])
def test_an_unknown_manage_link_is_a_404(client, token):
    BookingFactory()
    assert client.get(f"/manage/{token}/").status_code == 404
    assert client.post(f"/manage/{token}/", {"action": "cancel"}).status_code == 404


def test_a_cancelled_session_shows_no_change_forms(client):
    booking = BookingFactory(status="cancelled")
    page = client.get(f"/manage/{booking.manage_token}/").content.decode()
    assert 'name="action"' not in page
    response = client.post(f"/manage/{booking.manage_token}/", {"action": "cancel"})
    assert response.status_code == 302
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"


def test_members_see_their_own_booking_with_answers_and_timeline_but_never_another_companys(client):
    mine = BookingFactory()
    IntakeAnswerFactory(booking=mine, question_label="What is your challenge?", value="Slow replies")
    theirs = BookingFactory()
    IntakeAnswerFactory(booking=theirs, question_label="What is your challenge?", value="Secret plans")
    client.force_login(mine.booked_by)

    page = client.get(f"/company/sessions/{mine.pk}/").content.decode()
    assert "Slow replies" in page

    assert client.get(f"/company/sessions/{theirs.pk}/").status_code == 404
    assert client.post(f"/company/sessions/{theirs.pk}/", {"action": "cancel"}).status_code == 404
    assert client.get(f"/bookings/{theirs.pk}/invite.ics").status_code == 404
    assert client.get(f"/sessions/{theirs.pk}/booked/").status_code == 404
    assert "Secret plans" not in client.get("/company/sessions/").content.decode()
    assert Booking.objects.get(pk=theirs.pk).status == "confirmed"


def test_a_member_cancels_from_the_dashboard_and_the_timeline_names_them(client, hooks):
    booking = BookingFactory()
    colleague = MembershipFactory(company=booking.company, user__name="Oskar Lind").user
    client.force_login(colleague)

    response = client.post(f"/company/sessions/{booking.pk}/", {"action": "cancel", "reason": "", "confirmed": "1"})

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert booking.cancelled_by == colleague
    assert "by Oskar Lind" in client.get(f"/company/sessions/{booking.pk}/").content.decode()


def test_a_member_moves_a_session_from_the_dashboard(client, hooks):
    booking = BookingFactory()
    new_slot = SlotFactory(consultant=booking.consultant)
    client.force_login(booking.booked_by)

    client.post(f"/company/sessions/{booking.pk}/", {"action": "reschedule", "slot": new_slot.pk})

    assert Booking.objects.get(pk=booking.pk).slot_id == new_slot.pk


def test_a_cancel_asks_first_and_says_what_will_happen(client):
    booking = BookingFactory(slot__consultant__display_name="Anna Lindqvist")

    response = client.post(f"/manage/{booking.manage_token}/", {"action": "cancel", "reason": "Budget freeze"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Cancel your session with Anna Lindqvist on" in page
    assert "Anna Lindqvist is told by e-mail" in page and "waitlist" in page
    assert 'name="confirmed" value="1"' in page and 'value="Budget freeze"' in page  # the second POST keeps the reason
    assert "No, keep the session" in page
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"


def test_a_member_cancel_from_our_sessions_asks_first(client):
    booking = BookingFactory()
    member = MembershipFactory(company=booking.company).user
    client.force_login(member)
    response = client.post(f"/company/sessions/{booking.pk}/", {"action": "cancel", "reason": ""})
    assert response.status_code == 200 and "Yes, cancel the session" in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"


def test_after_a_cancel_the_page_offers_another_time_and_another_consultant(client):
    booking = BookingFactory(slot__consultant__display_name="Anna Lindqvist")
    response = client.post(f"/manage/{booking.manage_token}/", {"action": "cancel", "confirmed": "1"}, follow=True)
    page = response.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"
    assert "Book another time with Anna Lindqvist" in page
    assert f'href="/consultants/{booking.consultant.slug}/"' in page
    assert "Find another consultant" in page and 'href="/consultants/"' in page
