"""A session's meeting place (video room, phone numbers, street address) is shown only to the company's members
and the session's consultant (and to whoever holds the company's manage link or the consultant's feed address);
never on a public page, to another company, another consultant or on staff pages."""

import pytest
from django.urls import reverse

from booking.models import Booking
from tests.security.test_url_matrix import READABLE_ROWS, client_for, pages_read
from tests.security.world import build_world

ROOM = "probono-" + "5ec7e7" * 6
STREET = "Hemligavägen 12"
CONSULTANT_PHONE = "+46812345678"
COMPANY_PHONE = "+4532123456"
SECRETS = (ROOM, STREET, "+46 8 123 456 78", "+45 32 12 34 56")
# The private manage link is the company's and the feed address the consultant's: whoever holds one is
# treated as its owner.
MAY_SEE = {"member", "consultant"}
TOKEN_PAGES = {"booking:manage", "booking:calendar_feed"}


@pytest.fixture
def world(db, settings):
    settings.VIDEO_ROOM_BASE_URL = "https://meet.example.org/"
    w = build_world()
    consultant = w.objects["consultant_profile"]
    # The consultant's default (what the public profile and the booking steps describe) …
    type(consultant).objects.filter(pk=consultant.pk).update(
        place_kind="in_person", place_street=STREET, place_city="Uppsala", place_postcode="753 20")
    # … and each booking's own place: a room per session, a call to the company, the company calling.
    Booking.objects.filter(pk=w.objects["booking"].pk).update(place_kind="video_room", video_room=ROOM)
    Booking.objects.filter(pk=w.objects["requested_booking"].pk).update(place_kind="phone_i_call",
                                                                      company_phone=COMPANY_PHONE)
    for name in ("held_booking", "past_confirmed_booking"):
        Booking.objects.filter(pk=w.objects[name].pk).update(place_kind="phone_they_call",
                                                             place_phone=CONSULTANT_PHONE)
    return w


@pytest.mark.parametrize("row", READABLE_ROWS, ids=lambda r: r.name)
def test_no_page_shows_a_meeting_place_to_someone_who_may_not_see_it(world, row):
    for actor, url, response in pages_read(world, row):
        if actor in MAY_SEE or row.name in TOKEN_PAGES:
            continue
        body = (b"".join(response.streaming_content) if response.streaming else response.content).decode(
            errors="replace")  # PDFs too
        leaked = [s for s in SECRETS if s in body]
        assert not leaked, f"{row.name} as {actor} shows {leaked}"


def test_the_company_and_the_consultant_do_see_the_room_and_the_number(world):
    booking, request = world.objects["booking"], world.objects["requested_booking"]
    member, consultant = client_for(world, "member"), client_for(world, "consultant")
    join = "https://meet.example.org/" + ROOM

    assert join in member.get(reverse("booking:company_booking", args=[booking.pk])).content.decode()
    assert join in member.get(reverse("booking:company_dashboard")).content.decode()
    assert join in member.get(reverse("booking:manage", args=[world.tokens["manage"]])).content.decode()
    sessions = consultant.get(reverse("booking:consultant_dashboard")).content.decode()
    assert join in sessions and "+45 32 12 34 56" in sessions
    assert "+45 32 12 34 56" in member.get(reverse("booking:company_booking", args=[request.pk])).content.decode()


def test_the_public_profile_and_booking_step_name_only_the_kind_and_city(world):
    consultant = world.objects["consultant_profile"]
    for actor in ("anonymous", "other_member"):
        client = client_for(world, actor)
        profile = client.get(reverse("consultants:profile", args=[consultant.slug])).content.decode()
        step = client.get(reverse("booking:book", args=[world.objects["free_slot"].pk])).content.decode()
        for body in (profile, step):
            assert "Uppsala" in body and STREET not in body and "753 20" not in body
