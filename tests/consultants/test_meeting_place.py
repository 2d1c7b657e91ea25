"""The consultant's default meeting place: each kind saved from the settings page, checked, and shown publicly
only as its kind (or the city)."""

import pytest
from django.core.exceptions import ValidationError

from consultants.meeting import phone_display, phone_normalize, place_describe
from consultants.models import Consultant
from consultants.services import consultant_update_meeting_place
from tests.factories import ConsultantFactory

pytestmark = pytest.mark.django_db
URL = "/me/consultant/settings/"
ROOM_BASE = "https://meet.example.org/"


def _post(client, **fields):
    data = {"form": "place", **{f"place-place_{k}": v for k, v in fields.items()}}
    return client.post(URL, data)


def _place(consultant):
    return Consultant.objects.get(pk=consultant.pk).place_values()


def test_the_settings_page_offers_every_kind_and_a_new_room_only_when_configured(consultant_client, settings):
    settings.VIDEO_ROOM_BASE_URL = ""
    body = consultant_client.get(URL).content.decode()
    assert 'value="video_link"' in body and 'value="phone_i_call"' in body and 'value="in_person"' in body
    assert 'value="video_room"' not in body
    settings.VIDEO_ROOM_BASE_URL = ROOM_BASE
    assert 'value="video_room"' in consultant_client.get(URL).content.decode()


def test_a_fixed_video_link_is_saved(consultant_client, consultant):
    response = _post(consultant_client, kind="video_link", video_url="https://teams.example.com/l/meetup/abc")
    assert response.status_code == 302
    place = _place(consultant)
    assert (place["place_kind"], place["place_video_url"]) == ("video_link", "https://teams.example.com/l/meetup/abc")


@pytest.mark.parametrize("url", ["http://zoom.example.com/j/1", "javascript:alert(1)", "zoom.example.com/j/1",
                                 "https://", "ftp://files.example.com/room"])
def test_a_video_link_must_be_https(consultant_client, consultant, url):
    response = _post(consultant_client, kind="video_link", video_url=url)
    assert response.status_code == 400
    assert "https://" in response.content.decode()
    assert _place(consultant)["place_kind"] == ""


def test_a_video_link_is_required_for_that_kind(consultant_client, consultant):
    assert _post(consultant_client, kind="video_link", video_url="").status_code == 400


def test_a_new_room_per_session_needs_the_base_url(consultant_client, consultant, settings):
    settings.VIDEO_ROOM_BASE_URL = ""
    assert _post(consultant_client, kind="video_room").status_code == 400
    settings.VIDEO_ROOM_BASE_URL = ROOM_BASE
    assert _post(consultant_client, kind="video_room").status_code == 302
    assert _place(consultant)["place_kind"] == "video_room"


def test_the_company_calls_me_needs_a_valid_number_stored_in_e164(consultant_client, consultant):
    assert _post(consultant_client, kind="phone_they_call", phone="").status_code == 400
    assert _post(consultant_client, kind="phone_they_call", phone="12345").status_code == 400
    assert _post(consultant_client, kind="phone_they_call", phone="070-123 45 67").status_code == 302
    assert _place(consultant)["place_phone"] == "+46701234567"


def test_i_call_the_company_needs_no_number_of_mine(consultant_client, consultant):
    assert _post(consultant_client, kind="phone_i_call").status_code == 302
    assert _place(consultant)["place_kind"] == "phone_i_call"


def test_in_person_needs_street_and_city(consultant_client, consultant):
    assert _post(consultant_client, kind="in_person", city="Stockholm").status_code == 400
    response = _post(consultant_client, kind="in_person", street="Drottninggatan 71", postcode="111 36",
                     city="Stockholm", country="SE", directions="Third floor.")
    assert response.status_code == 302
    place = _place(consultant)
    assert (place["place_street"], place["place_city"], place["place_directions"]) == (
        "Drottninggatan 71", "Stockholm", "Third floor.")


@pytest.mark.parametrize("raw,region,expected", [
    ("070-123 45 67", "SE", "+46701234567"),
    ("08-123 456 78", "SE", "+46812345678"),
    ("+46 70 123 45 67", "DK", "+46701234567"),
    ("32 12 34 56", "DK", "+4532123456"),
    ("0045 32 12 34 56", "SE", "+4532123456"),
    ("+1 212 555 0100", "SE", "+12125550100"),
])
def test_phone_numbers_are_read_as_swedish_danish_or_international(raw, region, expected):
    assert phone_normalize(raw, region=region) == expected


@pytest.mark.parametrize("raw", ["", "123", "070-123", "+46 70 123 45 67 89 00 11", "phone me", "+" + "9" * 40,
                                 "\x00070"])
def test_invalid_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        phone_normalize(raw, region="SE")


def test_numbers_are_shown_in_international_format():
    assert phone_display("+4532123456") == "+45 32 12 34 56"
    assert phone_display("+46701234567") == "+46 70 123 45 67"


@pytest.mark.parametrize("fields", [
    {"kind": "nonsense"}, {"kind": "video_link", "video_url": "https://x" + "y" * 600 + ".se"},
    {"kind": "in_person", "street": "\x00", "city": "Ö" * 500}, {"kind": "in_person", "country": "ZZ"},
    {"kind": "phone_they_call", "phone": "😀" * 10},
])
def test_bad_input_never_crashes_and_saves_nothing(consultant_client, consultant, fields):
    assert _post(consultant_client, **fields).status_code == 400
    assert _place(consultant)["place_kind"] == ""


def test_the_service_refuses_a_kind_without_what_it_needs(consultant):
    with pytest.raises(ValidationError) as error:
        consultant_update_meeting_place(consultant=consultant, place_kind="in_person", place_city="Malmö")
    assert "place_street" in error.value.message_dict


def test_the_public_profile_shows_only_the_kind_never_the_link_number_or_street(client, settings):
    settings.VIDEO_ROOM_BASE_URL = ROOM_BASE
    video = ConsultantFactory(place_kind="video_link", place_video_url="https://zoom.example.com/j/98765")
    phone = ConsultantFactory(place_kind="phone_they_call", place_phone="+46701234567")
    office = ConsultantFactory(place_kind="in_person", place_street="Hemliga gatan 3", place_city="Malmö",
                               place_postcode="211 22", place_directions="Code 1234")

    body = client.get(f"/consultants/{video.slug}/").content.decode()
    assert "Video meeting" in body and "zoom.example.com" not in body
    body = client.get(f"/consultants/{phone.slug}/").content.decode()
    assert "Phone call" in body and "123 45 67" not in body and "701234567" not in body
    body = client.get(f"/consultants/{office.slug}/").content.decode()
    assert "Malmö" in body and "Hemliga gatan" not in body and "211 22" not in body and "Code 1234" not in body


def test_before_booking_the_place_is_named_without_its_details():
    office = ConsultantFactory.build(display_name="Anna", place_kind="in_person", place_street="Hemliga gatan 3",
                                     place_city="Malmö")
    text = place_describe(office, consultant_name="Anna", booked=False)
    assert text.title == "In person in Malmö" and "Hemliga" not in text.as_text()
    video = ConsultantFactory.build(place_kind="video_link", place_video_url="https://zoom.example.com/j/1")
    text = place_describe(video, consultant_name="Anna", booked=False)
    assert "link comes with your confirmation" in text.as_text() and "zoom" not in text.as_text()


def test_each_demo_consultant_meets_in_another_way_and_their_demo_bookings_say_where():
    from accounts import demo as accounts_demo
    from booking import demo as booking_demo
    from booking.models import Booking
    from consultants import demo as consultants_demo

    accounts_demo.seed()
    consultants_demo.seed()
    booking_demo.seed()
    consultants_demo.seed()  # again: idempotent, and a place the consultant changed is left alone

    kinds = list(Consultant.objects.order_by("slug").values_list("place_kind", flat=True))
    assert len(kinds) == 3 and len(set(kinds)) == 3 and "" not in kinds
    bookings = list(Booking.objects.select_related("consultant"))
    assert bookings and all(b.place_kind == b.consultant.place_kind for b in bookings)
    assert all(b.company_phone for b in bookings if b.place_kind == "phone_i_call")
