import re
from datetime import UTC, datetime, timedelta

import pytest

from booking.models import Booking, IntakeAnswer
from booking.questionnaires import questionnaire_get_current
from consultants.models import Slot
from tests.booking.helpers import post_data_for
from tests.factories import PASSWORD, BookingFactory, MembershipFactory, SlotFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "name": "Karin Holm", "email": "karin@example.se", "password1": "a-long-pass-phrase",
    "password2": "a-long-pass-phrase", "company_name": "Bostäder i Lidköping AB", "country": "SE",
    "org_number": "", "industry": "housing", "size": "50-249",
}


@pytest.fixture
def slot(consultant):
    return SlotFactory(consultant=consultant, starts_at=datetime(2030, 1, 7, 8, tzinfo=UTC),
                       ends_at=datetime(2030, 1, 7, 9, tzinfo=UTC))


def _answer(client, slot):
    response = client.post(f"/book/{slot.pk}/", post_data_for(slot.consultant))
    assert response.status_code == 302
    assert response["Location"] == f"/book/{slot.pk}/review/"


def test_the_booking_page_shows_the_time_in_the_visitors_zone_and_names_the_zone(client, slot):
    client.cookies["tz"] = "America/New_York"
    body = client.get(f"/book/{slot.pk}/").content.decode()

    assert "03:00–04:00" in body
    assert "(America/New_York)" in body
    assert "How do you measure customer satisfaction today?" in body


def test_errors_re_render_with_messages_and_keep_what_was_typed(client, slot):
    data = post_data_for(slot.consultant)
    challenge = next(k for k, v in data.items() if v == "We want happier customers.")
    data[challenge] = "Complaints take weeks to answer"
    first = next(iter(data))
    data.pop(first)  # a required question left empty

    response = client.post(f"/book/{slot.pk}/", data)

    assert response.status_code == 200
    body = response.content.decode()
    assert "This field is required." in body
    assert "Complaints take weeks to answer" in body
    assert not Booking.objects.exists()


def test_a_signed_in_member_books_in_three_steps_and_sees_the_confirmation_with_a_manage_link(client, slot, member):
    client.force_login(member)
    _answer(client, slot)

    review = client.get(f"/book/{slot.pk}/review/")
    assert "We want happier customers." in review.content.decode()
    assert "Confirm the booking" in review.content.decode()

    response = client.post(f"/book/{slot.pk}/review/")
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{booking.pk}/booked/"
    assert booking.company == member.memberships.get().company
    assert booking.status == "confirmed"
    assert IntakeAnswer.objects.filter(booking=booking).count() == 5

    page = client.get(response["Location"]).content.decode()
    assert "Your session is booked" in page
    manage = re.search(r'href="(http://testserver/manage/[^"]+/)"', page).group(1)
    assert Booking.objects.get(manage_token_hash=Booking.hash_token(manage.rstrip("/").rsplit("/", 1)[1])) == booking
    assert f'href="/bookings/{booking.pk}/invite.ics"' in page
    ics = client.get(f"/bookings/{booking.pk}/invite.ics")
    assert ics.status_code == 200
    assert booking.invite_uid in ics.content.decode().replace("\r\n ", "")


def test_the_back_button_after_booking_leads_to_the_session_not_to_a_taken_message(client, slot, member):
    client.force_login(member)
    _answer(client, slot)
    client.post(f"/book/{slot.pk}/review/")
    booking = Booking.objects.get()
    for url in (f"/book/{slot.pk}/", f"/book/{slot.pk}/review/"):  # Back, and Back again
        response = client.get(url, follow=True)
        body = response.content.decode()
        assert response.redirect_chain[-1][0] == f"/company/sessions/{booking.pk}/", url
        assert "Your company has booked this time" in body and "just taken" not in body
    again = client.post(f"/book/{slot.pk}/review/")  # a second click on Confirm from a stale page
    assert again.status_code == 302 and Booking.objects.count() == 1


def test_booking_a_consultant_who_approves_requests_says_the_request_was_sent(client, slot, member):
    slot.consultant.requires_approval = True
    slot.consultant.save()
    client.force_login(member)
    _answer(client, slot)

    assert "Send the request" in client.get(f"/book/{slot.pk}/review/").content.decode()
    response = client.post(f"/book/{slot.pk}/review/", follow=True)

    assert "Request sent" in response.content.decode()
    assert Booking.objects.get().status == "requested"


def test_a_visitor_can_answer_first_sign_up_and_come_back_to_the_review_without_losing_answers(
        client, slot, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    data = post_data_for(slot.consultant)
    challenge = next(k for k, v in data.items() if v == "We want happier customers.")
    data[challenge] = "Our NPS dropped after we moved to a new system"
    assert client.post(f"/book/{slot.pk}/", data).status_code == 302

    review = client.get(f"/book/{slot.pk}/review/").content.decode()
    assert "Our NPS dropped" in review
    assert f'/accounts/signup/?next=%2Fbook%2F{slot.pk}%2Freview%2F' in review
    assert "Confirm the booking" not in review

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/accounts/signup/?next=/book/{slot.pk}/review/",
                               {**SIGNUP, "next": f"/book/{slot.pk}/review/"})
    assert response.status_code == 302
    confirm = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mailoutbox[-1].body).group(1)
    response = client.post(confirm)
    assert response.status_code == 302
    assert response["Location"] == f"/book/{slot.pk}/review/"

    review = client.get(response["Location"]).content.decode()
    assert "Our NPS dropped" in review
    assert "Bostäder i Lidköping AB" in review
    response = client.post(f"/book/{slot.pk}/review/")
    booking = Booking.objects.get()
    assert booking.booked_by.email == "karin@example.se"
    assert booking.answers.get(value="Our NPS dropped after we moved to a new system")


def test_a_visitor_who_logs_in_lands_back_on_the_review(client, slot, member):
    _answer(client, slot)
    response = client.post(f"/accounts/login/?next=/book/{slot.pk}/review/",
                           {"login": member.email, "password": PASSWORD, "next": f"/book/{slot.pk}/review/"})
    assert response.status_code == 302
    assert response["Location"] == f"/book/{slot.pk}/review/"
    assert "Confirm the booking" in client.get(response["Location"]).content.decode()


def test_confirming_while_signed_out_sends_the_visitor_to_log_in(client, slot):
    _answer(client, slot)
    response = client.post(f"/book/{slot.pk}/review/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not Booking.objects.exists()


def test_a_slot_taken_while_answering_shows_a_friendly_page_with_the_next_free_times(client, slot, member):
    later = SlotFactory(consultant=slot.consultant, starts_at=slot.starts_at + timedelta(days=7),
                        ends_at=slot.ends_at + timedelta(days=7))
    client.force_login(member)
    _answer(client, slot)
    BookingFactory(slot=slot)
    Slot.objects.filter(pk=slot.pk).update(status="booked")

    response = client.post(f"/book/{slot.pk}/review/")

    assert response.status_code == 409
    body = response.content.decode()
    assert "This time was just taken" in body
    assert f"/book/{later.pk}/" in body
    assert Booking.objects.count() == 1


def test_the_booking_page_of_a_taken_slot_offers_the_next_free_times(client, slot):
    BookingFactory(slot=slot)
    other = SlotFactory(consultant=slot.consultant)
    response = client.get(f"/book/{slot.pk}/")
    assert response.status_code == 409
    assert f"/book/{other.pk}/" in response.content.decode()


def test_a_fair_use_refusal_is_shown_before_the_questionnaire_is_answered(client, slot, member):
    company = member.memberships.get().company
    BookingFactory(company=company, slot=SlotFactory(status="booked"))
    client.force_login(member)

    page = client.get(f"/book/{slot.pk}/").content.decode()
    assert "upcoming free session" in page and "Continue to review" not in page
    response = client.post(f"/book/{slot.pk}/", post_data_for(slot.consultant))
    assert response.status_code == 409 and "upcoming free session" in response.content.decode()
    assert client.get(f"/book/{slot.pk}/review/")["Location"] == f"/book/{slot.pk}/"  # no draft was kept


def test_a_visitor_whose_company_may_not_book_is_told_on_the_review_after_logging_in(client, slot, member):
    company = member.memberships.get().company
    BookingFactory(company=company, slot=SlotFactory(status="booked"))
    _answer(client, slot)  # signed out: nobody to check yet
    client.force_login(member)

    review = client.get(f"/book/{slot.pk}/review/").content.decode()
    assert "upcoming free session" in review
    assert "Confirm the booking" not in review
    response = client.post(f"/book/{slot.pk}/review/")
    assert response.status_code == 409
    assert "upcoming free session" in response.content.decode()
    assert Booking.objects.filter(slot=slot).count() == 0


def test_answers_keep_the_wording_of_the_version_that_was_answered(client, slot, member):
    client.force_login(member)
    _answer(client, slot)
    from booking.questionnaires import questionnaire_save

    questionnaire_save(consultant=slot.consultant, questions=[
        {"kind": "short_text", "label": "A brand new question?", "help_text": "", "required": True, "choices": []}])

    client.post(f"/book/{slot.pk}/review/")

    booking = Booking.objects.get()
    assert booking.questionnaire.version == 1
    assert booking.answers.first().question_label == "How many people work in your company?"
    assert questionnaire_get_current(slot.consultant).version == 2


def test_a_member_of_another_company_cannot_see_the_confirmation(client):
    booking = BookingFactory()
    client.force_login(MembershipFactory().user)
    assert client.get(f"/sessions/{booking.pk}/booked/").status_code == 404


def test_someone_without_a_company_is_told_they_cannot_book(client, slot, user):
    client.force_login(user)
    _answer(client, slot)

    review = client.get(f"/book/{slot.pk}/review/").content.decode()

    assert "does not belong to a company" in review
    assert client.post(f"/book/{slot.pk}/review/").status_code == 404
    assert not Booking.objects.exists()


def test_a_consultant_hidden_by_staff_cannot_be_booked_through_an_old_link(client, slot):
    slot.consultant.hidden_by_staff = True
    slot.consultant.save()
    assert client.get(f"/book/{slot.pk}/").status_code == 404


def test_the_review_without_answers_goes_back_to_the_questions(client, slot):
    response = client.get(f"/book/{slot.pk}/review/")
    assert response.status_code == 302
    assert response["Location"] == f"/book/{slot.pk}/"
