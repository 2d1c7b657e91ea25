"""Every session has a "where": copied from the consultant when booked, asked for in the booking steps when the
consultant calls, shown on the confirmation, in every mail, on the manage page and both sessions pages, and
changed for one session with one mail and an updated invite."""

import datetime as dt
import re

import pytest
import time_machine
from icalendar import Calendar

from booking.models import Booking, BookingNotice, PipelineEvent
from booking.services import BookingError, booking_change_place, booking_create, booking_reschedule
from booking.tasks import reminders_send_due
from consultants.models import Consultant
from consultants.services import consultant_update_meeting_place
from tests.booking.helpers import answers_for, post_data_for
from tests.factories import BookingFactory, MembershipFactory, SlotFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC
START = dt.datetime(2030, 1, 7, 8, tzinfo=UTC)  # 09:00 in Stockholm
ROOM_BASE = "https://meet.example.org/"
ZOOM = "https://zoom.example.com/j/123456789"


@pytest.fixture(autouse=True)
def _rooms(settings):
    settings.VIDEO_ROOM_BASE_URL = ROOM_BASE


def _place(consultant, **values):
    consultant_update_meeting_place(consultant=consultant, **values)
    consultant.refresh_from_db()


def _slot(consultant, start=START):
    return SlotFactory(consultant=consultant, starts_at=start, ends_at=start + dt.timedelta(hours=1))


def _book(consultant, member, start=START, **kw):
    company = member.memberships.get().company
    with time_machine.travel(start - dt.timedelta(days=3), tick=False):
        return booking_create(slot=_slot(consultant, start), company=company, user=member,
                              answers=answers_for(consultant), **kw)


def _calendar_parts(message):
    return [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]


def _event(part):
    [event] = Calendar.from_ical(part.get_payload(decode=True)).events
    return event


def _html(message):
    return next(body for body, mime in message.alternatives if mime == "text/html")


# --- the booking's own copy ------------------------------------------------------------------------------------
def test_a_booking_copies_the_consultants_place_and_keeps_it_when_the_default_changes(consultant, member):
    _place(consultant, place_kind="in_person", place_street="Drottninggatan 71", place_city="Stockholm",
           place_postcode="111 36", place_country="SE", place_directions="Ring Lindqvist.")
    booking = _book(consultant, member)
    _place(consultant, place_kind="video_link", place_video_url=ZOOM)

    booking.refresh_from_db()
    assert (booking.place_kind, booking.place_street, booking.place_directions) == (
        "in_person", "Drottninggatan 71", "Ring Lindqvist.")
    assert booking.video_room == ""


def test_a_room_per_session_is_random_at_least_128_bits_and_kept_when_the_session_moves(consultant, member):
    _place(consultant, place_kind="video_room")
    first = _book(consultant, member)
    other = _book(consultant, MembershipFactory().user, START + dt.timedelta(days=1))

    room = re.fullmatch(r"probono-([0-9a-f]+)", first.video_room).group(1)
    assert len(room) * 4 >= 128 and first.video_room != other.video_room
    new_slot = _slot(consultant, START + dt.timedelta(days=7))
    with time_machine.travel(START - dt.timedelta(days=2), tick=False):
        booking_reschedule(booking=first, new_slot=new_slot, by=member)
    first.refresh_from_db()
    assert first.slot_id == new_slot.pk and first.video_room == "probono-" + room
    assert first.place_join_url == ROOM_BASE + "probono-" + room


def test_when_the_consultant_calls_the_booking_needs_the_companys_number(consultant, member):
    _place(consultant, place_kind="phone_i_call")
    with pytest.raises(BookingError) as missing:
        _book(consultant, member)
    assert missing.value.code == "phone_missing"
    with pytest.raises(BookingError) as invalid:
        _book(consultant, member, START + dt.timedelta(days=1), company_phone="0701")
    assert invalid.value.code == "phone_invalid"
    assert not Booking.objects.exists()

    booking = _book(consultant, member, START + dt.timedelta(days=2), company_phone="070-123 45 67")
    assert booking.company_phone == "+46701234567"


# --- the booking steps, the confirmation ---------------------------------------------------------------------
def test_the_steps_ask_for_the_number_and_say_how_the_session_happens_before_confirming(client, consultant, member):
    _place(consultant, place_kind="phone_i_call")
    slot = _slot(consultant)
    client.force_login(member)

    step = client.get(f"/book/{slot.pk}/").content.decode()
    assert "Phone call" in step and "Anna Lindqvist calls you on the number you give when you book." in step
    data = post_data_for(consultant)
    assert client.post(f"/book/{slot.pk}/", data).status_code == 200  # no number: asked again
    assert client.post(f"/book/{slot.pk}/", {**data, "place-company_phone": "12"}).status_code == 200
    response = client.post(f"/book/{slot.pk}/", {**data, "place-company_phone": "070-123 45 67"})
    assert response["Location"] == f"/book/{slot.pk}/review/"

    review = client.get(f"/book/{slot.pk}/review/").content.decode()
    assert "Anna Lindqvist calls you on +46 70 123 45 67." in review
    client.post(f"/book/{slot.pk}/review/")
    booking = Booking.objects.get()
    assert booking.company_phone == "+46701234567"
    confirmation = client.get(f"/sessions/{booking.pk}/booked/").content.decode()
    assert "+46 70 123 45 67" in confirmation


def test_the_steps_name_a_video_meeting_without_its_link_and_the_confirmation_has_join(client, consultant, member):
    _place(consultant, place_kind="video_link", place_video_url=ZOOM)
    slot = _slot(consultant)
    client.force_login(member)

    step = client.get(f"/book/{slot.pk}/").content.decode()
    assert "Video meeting" in step and "The link comes with your confirmation." in step and ZOOM not in step
    client.post(f"/book/{slot.pk}/", post_data_for(consultant))
    review = client.get(f"/book/{slot.pk}/review/").content.decode()
    assert "Video meeting" in review and ZOOM not in review
    client.post(f"/book/{slot.pk}/review/")

    page = client.get(f"/sessions/{Booking.objects.get().pk}/booked/").content.decode()
    assert f'href="{ZOOM}"' in page and "Join the video meeting" in page
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in page
    assert "https://outlook.office.com/calendar/0/deeplink/compose?" in page


def test_in_person_the_steps_name_the_city_and_the_confirmation_the_address(client, consultant, member):
    _place(consultant, place_kind="in_person", place_street="Drottninggatan 71", place_city="Stockholm")
    slot = _slot(consultant)
    client.force_login(member)

    step = client.get(f"/book/{slot.pk}/").content.decode()
    assert "In person in Stockholm" in step and "Drottninggatan" not in step
    client.post(f"/book/{slot.pk}/", post_data_for(consultant))
    client.post(f"/book/{slot.pk}/review/")
    assert "Drottninggatan 71" in client.get(f"/sessions/{Booking.objects.get().pk}/booked/").content.decode()


# --- pages after booking -------------------------------------------------------------------------------------
def test_the_manage_page_and_both_sessions_pages_show_the_place_with_join(client, consultant, member, settings):
    _place(consultant, place_kind="video_room")
    booking = _book(consultant, member)
    join = ROOM_BASE + booking.video_room
    with time_machine.travel(START - dt.timedelta(days=1), tick=False):
        assert join in client.get(f"/manage/{booking.manage_token}/").content.decode()
        client.force_login(member)
        assert join in client.get(f"/company/sessions/{booking.pk}/").content.decode()
        assert join in client.get("/company/sessions/").content.decode()
        client.force_login(consultant.user)
        sessions = client.get("/me/sessions/").content.decode()
        assert join in sessions and f"/me/sessions/{booking.pk}/place/" in sessions


# --- mails ---------------------------------------------------------------------------------------------------
def test_every_mail_about_a_session_says_where_it_happens(consultant, member, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    _place(consultant, place_kind="phone_they_call", place_phone="+46812345678")
    with django_capture_on_commit_callbacks(execute=True):
        booking = _book(consultant, member)
    number = "+46 8 123 456 78"
    confirmation, notice = mailoutbox
    assert number in confirmation.body and number in _html(confirmation)
    assert "Call Anna Lindqvist on +46 8 123 456 78." in confirmation.body
    assert "Add to Google Calendar:" in confirmation.body and "Add to Outlook:" in confirmation.body
    assert "calls you on +46 8 123 456 78" in notice.body  # the consultant's words
    assert str(_event(_calendar_parts(confirmation)[0])["LOCATION"]) == number
    assert str(_event(_calendar_parts(notice)[0])["LOCATION"]) == number

    mailoutbox.clear()
    with time_machine.travel(START - dt.timedelta(hours=23), tick=False):
        reminders_send_due()
    assert len(mailoutbox) == 2 and all(number in m.body and number in _html(m) for m in mailoutbox)

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(START - dt.timedelta(days=2)):
        booking_reschedule(booking=booking, new_slot=_slot(consultant, START + dt.timedelta(days=7)), by=member)
    assert len(mailoutbox) == 2 and all(number in m.body for m in mailoutbox)


def test_a_request_mail_says_where_and_a_cancellation_does_not(consultant, member, mailoutbox,
                                                               django_capture_on_commit_callbacks):
    Consultant.objects.filter(pk=consultant.pk).update(requires_approval=True)
    consultant.refresh_from_db()
    _place(consultant, place_kind="in_person", place_street="Drottninggatan 71", place_city="Stockholm")
    with django_capture_on_commit_callbacks(execute=True):
        booking = _book(consultant, member)
    assert len(mailoutbox) == 2 and all("Drottninggatan 71" in m.body for m in mailoutbox)

    mailoutbox.clear()
    from booking.services import booking_cancel

    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(START - dt.timedelta(days=2)):
        booking_cancel(booking=booking, by=member)
    assert mailoutbox and all("Drottninggatan" not in m.body for m in mailoutbox)


# --- changing one session's place ----------------------------------------------------------------------------
def test_a_changed_place_sends_the_company_one_mail_with_the_same_uid_and_a_higher_sequence(
        client, consultant, member, mailoutbox, django_capture_on_commit_callbacks):
    _place(consultant, place_kind="video_link", place_video_url=ZOOM)
    booking = _book(consultant, member)
    before = booking.invite_sequence

    with time_machine.travel(START - dt.timedelta(days=2), tick=False):
        client.force_login(consultant.user)
        form = client.get(f"/me/sessions/{booking.pk}/place/")
        assert form.status_code == 200 and ZOOM in form.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/me/sessions/{booking.pk}/place/", {
                "place-place_kind": "in_person", "place-place_street": "Storgatan 1",
                "place-place_postcode": "411 38", "place-place_city": "Göteborg", "place-place_country": "SE"})
    assert response.status_code == 302

    [mail] = mailoutbox
    assert mail.to == [member.email]
    assert "Storgatan 1, 411 38 Göteborg, Sweden" in mail.body and "New meeting place" in mail.subject
    [part] = _calendar_parts(mail)
    event = _event(part)
    assert part.get_param("method") == "REQUEST"
    assert (str(event["UID"]), event["SEQUENCE"]) == (booking.invite_uid, before + 1)
    assert str(event["LOCATION"]) == "Storgatan 1, 411 38 Göteborg, Sweden" and "CONFERENCE" not in event
    booking.refresh_from_db()
    consultant.refresh_from_db()
    assert booking.place_city == "Göteborg" and consultant.place_kind == "video_link"  # the default stays
    assert PipelineEvent.objects.filter(booking=booking, kind="place_changed", actor=consultant.user).count() == 1
    assert BookingNotice.objects.filter(booking=booking, kind="place_changed").count() == 1


def test_saving_the_same_place_sends_nothing_and_a_past_session_cannot_change(consultant, member, mailoutbox,
                                                                             django_capture_on_commit_callbacks):
    _place(consultant, place_kind="video_link", place_video_url=ZOOM)
    booking = _book(consultant, member)
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(START - dt.timedelta(days=2)):
        booking_change_place(booking=booking, by=consultant.user, values=booking.place_values())
    assert mailoutbox == [] and booking.invite_sequence == 0
    with pytest.raises(BookingError) as late, time_machine.travel(START + dt.timedelta(minutes=5)):
        booking_change_place(booking=booking, by=consultant.user, values={"place_kind": "phone_i_call"},
                             company_phone="070-123 45 67")
    assert late.value.code == "too_late"


def test_switching_to_calling_the_company_needs_a_number(consultant, member):
    _place(consultant, place_kind="video_link", place_video_url=ZOOM)
    booking = _book(consultant, member)
    with pytest.raises(BookingError) as missing, time_machine.travel(START - dt.timedelta(days=2)):
        booking_change_place(booking=booking, by=consultant.user, values={"place_kind": "phone_i_call"})
    assert missing.value.code == "phone_missing"
    with time_machine.travel(START - dt.timedelta(days=2)):
        booking_change_place(booking=booking, by=consultant.user, values={"place_kind": "phone_i_call"},
                             company_phone="+45 32 12 34 56")
    booking.refresh_from_db()
    assert (booking.place_kind, booking.company_phone, booking.invite_sequence) == ("phone_i_call", "+4532123456", 1)


def test_switching_to_a_room_per_session_makes_the_sessions_room(consultant, member):
    booking = BookingFactory(slot=_slot(consultant), status="confirmed")
    with time_machine.travel(START - dt.timedelta(days=2)):
        booking_change_place(booking=booking, by=consultant.user, values={"place_kind": "video_room"})
    booking.refresh_from_db()
    assert booking.video_room.startswith("probono-") and booking.place_join_url.startswith(ROOM_BASE)


def test_another_consultant_cannot_change_the_place(client, consultant, member):
    booking = _book(consultant, member)
    other = MembershipFactory().user
    client.force_login(other)
    assert client.get(f"/me/sessions/{booking.pk}/place/").status_code == 404
