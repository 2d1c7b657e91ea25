"""The JSON API in the security matrix (tests/security/matrix.py API_MATRIX): each actor, with their own API token
and with the site's session, gets the row's answer; refused POSTs change nothing; unknown ids are 404; and no answer
shows an actor data that belongs to someone else (another company's answers, a session's meeting place)."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from booking.models import Booking
from tests.integrations.api_world import FORBIDDEN, bearer, build_api_world
from tests.security.matrix import API_MATRIX
from tests.security.test_meeting_place_secrecy import COMPANY_PHONE, CONSULTANT_PHONE, ROOM, SECRETS, STREET
from tests.security.test_url_matrix import db_snapshot
from tests.security.world import ACTORS

MAY_SEE_PLACE = {"member", "consultant"}


@pytest.fixture
def world(db, settings):
    settings.VIDEO_ROOM_BASE_URL = "https://meet.example.org/"
    settings.API_RATE_LIMIT = 10_000
    w = build_api_world()
    consultant = w.objects["consultant_profile"]
    type(consultant).objects.filter(pk=consultant.pk).update(
        place_kind="in_person", place_street=STREET, place_city="Uppsala", place_postcode="753 20")
    Booking.objects.filter(pk=w.objects["booking"].pk).update(place_kind="video_room", video_room=ROOM)
    Booking.objects.filter(pk=w.objects["requested_booking"].pk).update(place_kind="phone_i_call",
                                                                      company_phone=COMPANY_PHONE)
    Booking.objects.filter(pk=w.objects["past_confirmed_booking"].pk).update(place_kind="phone_they_call",
                                                                           place_phone=CONSULTANT_PHONE)
    return w


def _session_client(w, actor) -> Client:
    client = Client(raise_request_exception=False)
    if w.users[actor] is not None:
        client.force_login(w.users[actor])
    return client


def _leaks(actor: str, body: str) -> list[str]:
    found = [s for s in FORBIDDEN[actor] if s in body]
    if actor not in MAY_SEE_PLACE:
        found += [s for s in SECRETS if s in body]
    return found


@pytest.mark.parametrize("row", API_MATRIX, ids=lambda r: r.name)
def test_each_actor_gets_the_rows_answer_with_a_token_and_with_the_session(world, row):
    url = reverse(row.name, kwargs=row.kwargs(world))
    wrong = {}
    for actor in ACTORS:
        for how, response in (("token", Client(raise_request_exception=False).get(url, **bearer(world, actor))),
                              ("session", _session_client(world, actor).get(url))):
            if response.status_code != row.get[actor]:
                wrong[f"{actor} ({how})"] = f"expected {row.get[actor]}, got {response.status_code}"
            if not response["Content-Type"].startswith("application/json"):
                wrong[f"{actor} ({how}) type"] = response["Content-Type"]
            else:
                body = json.dumps(response.json(), ensure_ascii=False)
                if response.status_code >= 400 and "code" not in response.json():
                    wrong[f"{actor} ({how}) code"] = body[:200]
                if leaked := _leaks(actor, body):
                    wrong[f"{actor} ({how}) leaks"] = leaked
    assert not wrong, f"GET {url} ({row.name}): {wrong}"


POST_ROWS = [row for row in API_MATRIX if row.post]


@pytest.mark.parametrize("row", POST_ROWS, ids=lambda r: r.name)
def test_a_post_by_someone_who_may_not_is_refused_as_json_and_changes_nothing(world, row):
    url = reverse(row.name, kwargs=row.kwargs(world))
    wrong = {}
    for actor, expected in row.post.items():
        client = Client(raise_request_exception=False)
        client.get("/api/v1/consultants", **bearer(world, actor))  # the token's use is recorded (as last_login is)
        before = db_snapshot()
        response = client.post(url, row.data(world), content_type="application/json", **bearer(world, actor))
        if response.status_code != expected:
            wrong[actor] = f"expected {expected}, got {response.status_code}: {response.content[:200]!r}"
        elif "code" not in response.json():
            wrong[actor] = f"no code: {response.content[:200]!r}"
        after = db_snapshot()
        changed = [label for label in before if before[label] != after.get(label)]
        if changed:
            wrong[f"{actor} changed"] = changed
    assert not wrong, f"POST {url} ({row.name}): {wrong}"




@pytest.mark.parametrize("row", [r for r in API_MATRIX if r.name.endswith(("booking_get", "session_get",
                                                                           "booking_cancel", "booking_reschedule",
                                                                           "session_outcome"))],
                         ids=lambda r: r.name)
def test_an_unknown_or_absurd_id_is_a_json_404(world, row):
    owner = "consultant" if "session" in row.name else "member"
    client = Client(raise_request_exception=False)
    wrong = {}
    for bad in (0, 987654321, 2**63, 10**30):
        url = reverse(row.name, kwargs={"booking_id": bad})
        method = client.get if row.get[owner] == 200 else client.post
        response = method(url, **({} if method is client.get else {"data": row.data(world),
                                                                     "content_type": "application/json"}),
                          **bearer(world, owner))
        if response.status_code != 404 or response.json().get("code") != "not_found":
            wrong[url] = (response.status_code, response.content[:120])
    assert not wrong, wrong


def test_the_openapi_document_and_the_docs_page_are_public(db, client):
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "Probono API"
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and b"/static/ninja/swagger-ui-bundle.js" in page.content
