"""A booked session that conflicts with new time off can be moved by the consultant (issue 14: "a link to move or
cancel each"): from the conflict e-mail and the sessions page, to another of their bookable times only."""

from datetime import date

import pytest

from booking.models import Booking
from consultants.models import Slot
from consultants.services import blackout_add
from tests.consultants.test_offer import JUNE, _frozen, anna, at, book, member, publish, slot_at  # noqa: F401
from tests.factories import ConsultantFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _conflict(anna, member, mailoutbox, capture):  # noqa: F811
    publish(anna)
    booking = book(slot_at(anna, date(2027, 6, 14), 9), member)
    mailoutbox.clear()
    with capture(execute=True):
        blackout_add(consultant=anna, start_date=date(2027, 6, 14), end_date=date(2027, 6, 14))
    return booking


def test_the_conflict_mail_links_to_a_page_that_moves_the_session_and_tells_the_company(
        client, anna, member, mailoutbox, django_capture_on_commit_callbacks):  # noqa: F811
    booking = _conflict(anna, member, mailoutbox, django_capture_on_commit_callbacks)
    mail = next(m for m in mailoutbox if m.to == [anna.user.email])
    move_path = f"/me/slots/{booking.slot_id}/move-booking/"
    assert move_path in mail.body and move_path in mail.alternatives[0][0]
    client.force_login(anna.user)
    page = client.get(move_path)
    assert page.status_code == 200
    target = slot_at(anna, date(2027, 6, 21), 10, 15)
    # Only bookable times are offered: nothing on the day of the time off, not the session's own time.
    offered = [pk for pk, _label in page.context["form"].fields["slot"].choices]
    assert target.pk in offered and booking.slot_id not in offered
    assert not Slot.objects.filter(pk__in=offered, starts_at__lt=at(date(2027, 6, 15), 0)).exists()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(move_path, {"action": "reschedule", "slot": target.pk})
    assert done.status_code == 302
    booking.refresh_from_db()
    assert booking.slot_id == target.pk and booking.status == "confirmed" and booking.invite_sequence == 1
    to_company = [m for m in mailoutbox if m.to == [member.email]]  # told, with the updated invite and its link
    assert len(to_company) == 1 and "Your session has moved" in to_company[0].body
    assert Slot.objects.get(pk=slot_at(anna, date(2027, 6, 14), 9).pk).status != "booked"


def test_the_sessions_page_offers_move_and_a_time_taken_meanwhile_gives_409_with_the_free_times(
        client, anna, member, mailoutbox, django_capture_on_commit_callbacks):  # noqa: F811
    booking = _conflict(anna, member, mailoutbox, django_capture_on_commit_callbacks)
    client.force_login(anna.user)
    assert f"/me/sessions/{booking.pk}/move/" in client.get("/me/sessions/").content.decode()
    target = slot_at(anna, date(2027, 6, 21), 10, 15)
    book(target, MembershipFactory(role="owner").user)  # another company takes it after the page was shown
    answer = client.post(f"/me/sessions/{booking.pk}/move/", {"action": "reschedule", "slot": target.pk})
    assert answer.status_code == 409
    assert "just taken" in answer.content.decode()
    assert target.pk not in [c[0] for c in answer.context["form"].fields["slot"].choices]
    booking.refresh_from_db()
    assert booking.slot_id != target.pk


def test_nobody_else_can_move_it_and_a_forged_time_changes_nothing(
        client, anna, member, mailoutbox, django_capture_on_commit_callbacks):  # noqa: F811
    booking = _conflict(anna, member, mailoutbox, django_capture_on_commit_callbacks)
    other = ConsultantFactory()
    client.force_login(other.user)
    assert client.get(f"/me/sessions/{booking.pk}/move/").status_code == 404
    assert client.get(f"/me/slots/{booking.slot_id}/move-booking/").status_code == 404
    client.force_login(anna.user)
    foreign_slot = Slot.objects.create(consultant=other, starts_at=at(date(2027, 6, 22), 9),
                                       ends_at=at(date(2027, 6, 22), 10), status="published")
    for bad in ({"slot": foreign_slot.pk}, {"slot": "x"}, {"slot": "9" * 30}, {}):
        answer = client.post(f"/me/sessions/{booking.pk}/move/", {"action": "reschedule", **bad})
        assert answer.status_code == 400
    assert Booking.objects.get(pk=booking.pk).slot_id == booking.slot_id
