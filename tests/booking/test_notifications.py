"""E-mails about a booking: sent after commit by tasks, once, in the recipient's language and zone, with invites."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import transaction
from icalendar import Calendar

from booking import notifications
from booking.models import Booking, BookingNotice
from booking.tasks import booking_send_confirmation
from tests.factories import (
    BookingFactory,
    ConsultantFactory,
    IntakeAnswerFactory,
    SlotFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
UTC = dt.UTC
START = dt.datetime(2030, 1, 7, 8, 0, tzinfo=UTC)  # Monday 7 January 2030, 09:00 in Stockholm


def _booking(*, language="en", time_zone="Europe/Stockholm", consultant_language="en", **kw):
    consultant = ConsultantFactory(display_name="Anna Lindqvist", time_zone="Europe/Stockholm",
                                   user=UserFactory(language=consultant_language))
    slot = SlotFactory(consultant=consultant, status="booked", starts_at=START, ends_at=START + dt.timedelta(hours=1))
    booking = BookingFactory(slot=slot, company__name="Kaffebaren AB", **kw)
    booking.booked_by.language, booking.booked_by.time_zone = language, time_zone
    booking.booked_by.save()
    return booking


def _to(mailoutbox, email):
    return [m for m in mailoutbox if m.to == [email]]


def _calendar_parts(message):
    return [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]


def _html(message):
    return next(body for body, mime in message.alternatives if mime == "text/html")


def test_the_company_gets_a_confirmation_with_a_request_invite_and_the_manage_link(
        mailoutbox, django_capture_on_commit_callbacks):
    booking = _booking()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.on_booking_confirmed(booking)

    [mail] = _to(mailoutbox, booking.booked_by.email)
    assert "Anna Lindqvist" in mail.subject
    assert booking.manage_token in mail.body
    assert booking.manage_token in _html(mail)
    [part] = _calendar_parts(mail)
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    cal = Calendar.from_ical(part.get_payload(decode=True))
    assert cal["METHOD"] == "REQUEST"
    [event] = cal.events
    assert (str(event["UID"]), event["SEQUENCE"]) == (booking.invite_uid, 0)
    assert event.start.astimezone(UTC) == booking.slot.starts_at


def test_names_are_not_html_escaped_in_the_subject_and_plain_text(mailoutbox, django_capture_on_commit_callbacks):
    booking = _booking()
    booking.company.name = "Kaffe & Bullar AB"
    booking.company.save()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.on_booking_confirmed(booking)

    [mail] = _to(mailoutbox, booking.consultant.user.email)
    assert "Kaffe & Bullar AB" in mail.subject and "Kaffe & Bullar AB" in mail.body
    assert "Kaffe &amp; Bullar AB" in _html(mail)


def test_nothing_is_sent_when_the_transaction_rolls_back(mailoutbox, django_capture_on_commit_callbacks):
    booking = _booking()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notifications.on_booking_confirmed(booking)
                raise RuntimeError("booking failed")
        except RuntimeError:
            pass
    assert mailoutbox == []


def test_the_consultant_gets_a_notice_with_the_intake_answers_and_their_own_copy_of_the_invite(
        mailoutbox, django_capture_on_commit_callbacks):
    booking = _booking()
    IntakeAnswerFactory(booking=booking, question_label="How do you measure satisfaction today?", value="NPS")
    IntakeAnswerFactory(booking=booking, question_label="Do you have a CRM?", question_kind="yes_no", value=True)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.on_booking_confirmed(booking)

    [mail] = _to(mailoutbox, booking.consultant.user.email)
    assert "Kaffebaren AB" in mail.subject
    assert "How do you measure satisfaction today?" in mail.body and "NPS" in mail.body
    assert "Do you have a CRM?" in _html(mail) and "Yes" in _html(mail)
    assert booking.manage_token not in mail.body
    [part] = _calendar_parts(mail)
    assert part.get_param("method") == "PUBLISH"
    assert booking.manage_token.encode() not in part.get_payload(decode=True)
    [event] = Calendar.from_ical(part.get_payload(decode=True)).events
    assert str(event["ORGANIZER"]).lower() == f"mailto:{booking.consultant.user.email}"
    assert "ATTENDEE" not in event and (str(event["UID"]), event["STATUS"]) == (booking.invite_uid, "CONFIRMED")


def test_a_swedish_and_a_danish_recipient_each_get_their_language_and_zone(
        mailoutbox, django_capture_on_commit_callbacks):
    swedish = _booking(language="sv", time_zone="Europe/Stockholm")
    danish = _booking(language="da", time_zone="America/New_York")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.on_booking_confirmed(swedish)
        notifications.on_booking_confirmed(danish)

    [sv] = _to(mailoutbox, swedish.booked_by.email)
    assert "måndag 7 januari 2030, 09:00–10:00" in sv.body
    assert "Företag: Kaffebaren AB" in sv.body
    assert "Europe/Stockholm" in sv.body
    assert 'lang="sv"' in _html(sv)
    [da] = _to(mailoutbox, danish.booked_by.email)
    assert "mandag den 7. januar 2030, 03:00–04:00" in da.body  # 08:00 UTC in New York
    assert "Virksomhed: Kaffebaren AB" in da.body
    assert "America/New_York" in da.body


def test_running_the_confirmation_task_twice_sends_each_mail_once(mailoutbox):
    booking = _booking()
    booking_send_confirmation(booking.pk, booking.manage_token)
    booking_send_confirmation(booking.pk, booking.manage_token)

    assert sorted(m.to[0] for m in mailoutbox) == sorted([booking.booked_by.email, booking.consultant.user.email])
    assert BookingNotice.objects.filter(booking=booking, sent_at__isnull=False).count() == 2


def test_a_failed_send_releases_the_claim_so_a_retry_can_send(mailoutbox, monkeypatch):
    booking = _booking()
    from django.core.mail import EmailMultiAlternatives

    original = EmailMultiAlternatives.send
    monkeypatch.setattr(EmailMultiAlternatives, "send", lambda self, *a, **k: (_ for _ in ()).throw(OSError("smtp")))
    with pytest.raises(OSError):
        booking_send_confirmation(booking.pk, booking.manage_token)
    assert not BookingNotice.objects.filter(booking=booking, sent_at__isnull=False).exists()

    monkeypatch.setattr(EmailMultiAlternatives, "send", original)
    booking_send_confirmation(booking.pk, booking.manage_token)
    assert len(mailoutbox) == 2


def test_a_booking_cancelled_before_its_confirmation_went_out_gets_no_confirmation(mailoutbox):
    booking = _booking()
    Booking.objects.filter(pk=booking.pk).update(status="cancelled", cancelled_at=START)
    booking_send_confirmation(booking.pk, booking.manage_token)
    assert mailoutbox == []


def test_a_cancellation_sends_a_cancel_invite_with_the_next_sequence(mailoutbox, django_capture_on_commit_callbacks):
    booking = _booking(status="confirmed")
    Booking.objects.filter(pk=booking.pk).update(status="cancelled", cancelled_at=START,
                                                 cancel_reason="We have to reschedule our board meeting.")
    booking.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.on_booking_cancelled(booking)

    [mail] = _to(mailoutbox, booking.booked_by.email)
    assert "We have to reschedule our board meeting." in mail.body
    [part] = _calendar_parts(mail)
    assert part.get_param("method") == "CANCEL"
    cal = Calendar.from_ical(part.get_payload(decode=True))
    [event] = cal.events
    assert cal["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == booking.invite_sequence + 1
    assert str(event["UID"]) == booking.invite_uid
    [notice] = _to(mailoutbox, booking.consultant.user.email)
    assert "Kaffebaren AB" in notice.subject
    [part] = _calendar_parts(notice)  # the consultant's copy: published, cancelled, same UID, same SEQUENCE
    assert part.get_param("method") == "PUBLISH"
    [event] = Calendar.from_ical(part.get_payload(decode=True)).events
    assert (str(event["UID"]), event["SEQUENCE"], event["STATUS"]) == (
        booking.invite_uid, booking.invite_sequence + 1, "CANCELLED")


def test_a_cancelled_request_that_was_never_confirmed_carries_no_invite(mailoutbox, django_capture_on_commit_callbacks):
    booking = _booking(status="requested")
    Booking.objects.filter(pk=booking.pk).update(status="cancelled", cancelled_at=START)
    booking.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.on_booking_cancelled(booking)

    [mail] = _to(mailoutbox, booking.booked_by.email)
    assert _calendar_parts(mail) == []


def test_a_reschedule_sends_the_same_uid_with_a_higher_sequence_and_the_new_times(
        mailoutbox, django_capture_on_commit_callbacks):
    booking = _booking()
    old_slot = booking.slot
    new_start = START + dt.timedelta(days=7, hours=4)
    new_slot = SlotFactory(consultant=booking.consultant, status="booked", starts_at=new_start,
                           ends_at=new_start + dt.timedelta(hours=1))
    Booking.objects.filter(pk=booking.pk).update(slot=new_slot, invite_sequence=1)
    booking.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.on_booking_rescheduled(booking, old_slot)

    [mail] = _to(mailoutbox, booking.booked_by.email)
    assert "Monday 7 January 2030, 09:00" in mail.body  # the old time, in the recipient's zone
    assert "Monday 14 January 2030, 13:00–14:00" in mail.body
    # Where to see, move or cancel it again: the company's page of this session, in both parts.
    session_page = f"{settings.SITE_URL}/company/sessions/{booking.pk}/"
    assert f"See, cancel or move the session:\n{session_page}" in mail.body
    assert f'href="{session_page}"' in mail.alternatives[0][0]
    [part] = _calendar_parts(mail)
    assert part.get_param("method") == "REQUEST"
    [event] = Calendar.from_ical(part.get_payload(decode=True)).events
    assert (str(event["UID"]), event["SEQUENCE"]) == (booking.invite_uid, 1)
    assert event.start.astimezone(UTC) == new_start
    [notice] = _to(mailoutbox, booking.consultant.user.email)
    [part] = _calendar_parts(notice)
    [event] = Calendar.from_ical(part.get_payload(decode=True)).events
    assert (part.get_param("method"), str(event["UID"]), event["SEQUENCE"]) == ("PUBLISH", booking.invite_uid, 1)
    assert event.start.astimezone(UTC) == new_start and str(event["ORGANIZER"]).endswith(booking.consultant.user.email)


def test_a_reschedule_superseded_by_another_move_sends_only_the_newest(mailoutbox):
    from booking.tasks import booking_send_reschedule

    booking = _booking()
    Booking.objects.filter(pk=booking.pk).update(invite_sequence=2)
    assert booking_send_reschedule(booking.pk, booking.slot_id, 1) == 0
    assert mailoutbox == []


def test_a_request_tells_the_company_it_waits_and_asks_the_consultant_to_decide(
        mailoutbox, django_capture_on_commit_callbacks):
    booking = _booking(status="requested")
    IntakeAnswerFactory(booking=booking, question_label="Main challenge?", value="Complaints")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.on_booking_requested(booking)

    [company_mail] = _to(mailoutbox, booking.booked_by.email)
    assert "48 hours" in company_mail.body
    assert booking.manage_token in company_mail.body
    assert _calendar_parts(company_mail) == []
    [consultant_mail] = _to(mailoutbox, booking.consultant.user.email)
    assert "Complaints" in consultant_mail.body
    assert "Accept or decline" in consultant_mail.body
    [part] = _calendar_parts(consultant_mail)  # pencilled in until they decide
    [event] = Calendar.from_ical(part.get_payload(decode=True)).events
    assert (part.get_param("method"), event["STATUS"], str(event["UID"])) == ("PUBLISH", "TENTATIVE",
                                                                              booking.invite_uid)


@pytest.mark.parametrize("status,words", [("declined", "declined your request"), ("expired", "has expired")])
def test_a_declined_or_expired_request_tells_the_company(mailoutbox, django_capture_on_commit_callbacks,
                                                          status, words):
    booking = _booking(status="requested")
    Booking.objects.filter(pk=booking.pk).update(status=status, cancel_reason="Fully booked this month, sorry.")
    booking.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.on_booking_declined(booking)

    [mail] = mailoutbox
    assert mail.to == [booking.booked_by.email]
    assert words in mail.body
    assert _calendar_parts(mail) == []


# --- through the booking services ------------------------------------------------------------------------


def _published(consultant, start):
    return SlotFactory(consultant=consultant, status="published", starts_at=start,
                       ends_at=start + dt.timedelta(hours=1))


def _answers(consultant):
    from booking.questionnaires import questionnaire_get_current

    questionnaire = questionnaire_get_current(consultant)
    return {q.pk: (q.choices[:1] if q.kind == "multiple_choice" else q.choices[0] if q.choices else "Fine")
            for q in questionnaire.questions.all()}


@pytest.fixture
def frozen():
    import time_machine

    with time_machine.travel(START - dt.timedelta(days=5), tick=False):
        yield


def test_booking_create_sends_the_confirmation_whose_manage_link_opens_the_booking(
        client, frozen, mailoutbox, django_capture_on_commit_callbacks):
    from booking.services import booking_create
    from tests.factories import MembershipFactory

    consultant = ConsultantFactory(display_name="Anna Lindqvist")
    member = MembershipFactory().user
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_create(slot=_published(consultant, START), company=member.memberships.get().company,
                                 user=member, answers=_answers(consultant))

    [mail] = _to(mailoutbox, member.email)
    assert _calendar_parts(mail)[0].get_param("method") == "REQUEST"
    link = next(word for word in mail.body.split() if "/manage/" in word)
    assert client.get(link).status_code == 200
    assert Booking.objects.get().manage_token_hash == Booking.hash_token(booking.manage_token)
    assert len(_to(mailoutbox, consultant.user.email)) == 1


def test_an_approved_request_is_confirmed_with_a_fresh_manage_link(
        frozen, mailoutbox, django_capture_on_commit_callbacks):
    from booking.services import booking_approve, booking_create
    from tests.factories import MembershipFactory

    consultant = ConsultantFactory(requires_approval=True)
    member = MembershipFactory().user
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_create(slot=_published(consultant, START), company=member.memberships.get().company,
                                 user=member, answers=_answers(consultant))
    [request_mail] = _to(mailoutbox, member.email)
    assert _calendar_parts(request_mail) == []
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        booking_approve(booking=booking, by=consultant.user)

    [confirmation] = _to(mailoutbox, member.email)
    assert booking.manage_token in confirmation.body
    assert _calendar_parts(confirmation)[0].get_param("method") == "REQUEST"


def test_a_consultant_who_cancels_is_not_mailed_about_it_but_the_company_is(
        frozen, mailoutbox, django_capture_on_commit_callbacks):
    from booking.services import booking_cancel

    booking = _booking()
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=booking, by=booking.consultant.user, reason="I am ill, sorry.")

    assert [m.to for m in mailoutbox] == [[booking.booked_by.email]]
    assert "I am ill, sorry." in mailoutbox[0].body
    assert _calendar_parts(mailoutbox[0])[0].get_param("method") == "CANCEL"


def test_a_reschedule_through_the_service_sends_sequence_one(frozen, mailoutbox, django_capture_on_commit_callbacks):
    from booking.services import booking_reschedule

    booking = _booking()
    new_slot = _published(booking.consultant, START + dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        booking_reschedule(booking=booking, new_slot=new_slot, by=booking.booked_by)

    [mail] = _to(mailoutbox, booking.booked_by.email)
    [event] = Calendar.from_ical(_calendar_parts(mail)[0].get_payload(decode=True)).events
    assert (str(event["UID"]), event["SEQUENCE"]) == (booking.invite_uid, 1)
    assert event.start.astimezone(UTC) == new_slot.starts_at
