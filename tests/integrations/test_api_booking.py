"""Booking through the API uses the booking flow's own services and rules, answers their error codes as JSON, and
each list costs the same number of queries whatever its length."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.api_tokens import api_token_create
from booking.models import Booking, IntakeAnswer, PipelineEvent
from consultants.models import Slot
from tests.factories import BookingFactory, ConsultantFactory, MembershipFactory, SlotFactory


def _future(days: int, hour: int = 9) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _slot(consultant, days: int, hour: int = 9) -> Slot:
    at = _future(days, hour)
    return SlotFactory(consultant=consultant, starts_at=at, ends_at=at + dt.timedelta(hours=1))


class Api:
    def __init__(self, client, user, scope="read_write"):
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='t', scope=scope)[1]}"}

    def get(self, url, **params):
        return self.client.get(url, params, **self.headers)

    def post(self, url, data):
        return self.client.post(url, data, content_type="application/json", **self.headers)


def _answers(api, slug: str) -> dict:
    """Valid answers to each of the consultant's current questions, keyed by question id."""
    out = {}
    for q in api.get(f"/api/v1/consultants/{slug}/questions").json()["questions"]:
        if q["kind"] == "multiple_choice":
            out[str(q["id"])] = q["choices"][:1]
        else:  # one of the choices where there are any (consultant's, or the company record's sizes/industries)
            out[str(q["id"])] = q["choices"][0] if q["choices"] else "Measured with NPS"
    return out


@pytest.fixture
def setup(db, client):
    consultant = ConsultantFactory(slug="cecilia")
    member = MembershipFactory(role="owner").user
    return consultant, member, Api(client, member)


def test_a_member_books_a_free_time_with_answers_through_the_booking_service(setup):
    consultant, member, api = setup
    slot = _slot(consultant, 10)
    times = api.get("/api/v1/consultants/cecilia/slots", start=slot.starts_at.date().isoformat(),
                    end=slot.starts_at.date().isoformat()).json()
    assert [t["id"] for t in times] == [slot.pk]

    response = api.post("/api/v1/bookings", {"slot_id": slot.pk, "answers": _answers(api, "cecilia")})
    assert response.status_code == 201, response.content
    body = response.json()
    booking = Booking.objects.get(pk=body["id"])
    assert body["status"] == "confirmed" and body["manage_token"]
    assert booking.manage_token_hash == Booking.hash_token(body["manage_token"])
    assert booking.booked_by == member and IntakeAnswer.objects.filter(booking=booking).count() == 5
    assert PipelineEvent.objects.filter(booking=booking, kind="booked", actor=member).exists()
    assert Slot.objects.get(pk=slot.pk).status == "booked"
    assert api.get("/api/v1/consultants/cecilia/slots").json() == []
    assert "Measured with NPS" in [a["value"] for a in api.get(f"/api/v1/bookings/{booking.pk}").json()["answers"]]


def test_refusals_carry_the_services_codes(setup, client):
    consultant, member, api = setup
    first, second = _slot(consultant, 10), _slot(consultant, 11)
    answers = _answers(api, "cecilia")

    missing = api.post("/api/v1/bookings", {"slot_id": first.pk, "answers": {}})
    assert (missing.status_code, missing.json()["code"]) == (409, "answers_missing")
    wrong = dict(answers, **{next(iter(answers)): "Not one of the choices"})
    invalid = api.post("/api/v1/bookings", {"slot_id": first.pk, "answers": wrong})
    assert (invalid.status_code, invalid.json()["code"]) == (422, "answers_invalid")
    unknown = api.post("/api/v1/bookings", {"slot_id": first.pk, "answers": dict(answers, **{"999999": "x"})})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_question")

    assert api.post("/api/v1/bookings", {"slot_id": first.pk, "answers": answers}).status_code == 201
    # Fair use, as on the pages: one upcoming free session per company.
    refused = api.post("/api/v1/bookings", {"slot_id": second.pk, "answers": answers})
    assert (refused.status_code, refused.json()["code"]) == (409, "max_upcoming")
    # Another company is too late for the first time.
    other = Api(client, MembershipFactory().user)
    taken = other.post("/api/v1/bookings", {"slot_id": first.pk, "answers": answers})
    assert (taken.status_code, taken.json()["code"]) == (409, "slot_taken")
    assert Booking.objects.count() == 1


def test_bad_input_is_a_json_422_never_a_500(setup, client):
    _consultant, _member, api = setup
    for body in ("{not json", '{"slot_id": "abc"}', '{"answers": []}', "[]", '{"slot_id": 99999999999999999999999}'):
        response = client.post("/api/v1/bookings", body, content_type="application/json", **api.headers)
        assert response.status_code in (400, 422), (body, response.status_code)
        assert response.json()["code"] in ("invalid", "bad_request"), body
    response = api.get("/api/v1/consultants/cecilia/slots", start="2030-01-10", end="2029-01-01")
    assert (response.status_code, response.json()["code"]) == (422, "invalid_range")
    response = api.get("/api/v1/bookings", cursor="x'; drop")
    assert (response.status_code, response.json()["code"]) == (422, "invalid_cursor")


def test_cancel_and_reschedule_our_session(setup):
    consultant, member, api = setup
    booking = BookingFactory(consultant=consultant, company=member.memberships.get().company, booked_by=member,
                             slot=SlotFactory(consultant=consultant, status="booked", starts_at=_future(12),
                                              ends_at=_future(12) + dt.timedelta(hours=1)))
    later = _slot(consultant, 14)
    moved = api.post(f"/api/v1/bookings/{booking.pk}/reschedule", {"slot_id": later.pk})
    assert moved.status_code == 200, moved.content
    assert moved.json()["starts_at"].startswith(later.starts_at.strftime("%Y-%m-%dT%H"))
    booking.refresh_from_db()
    assert booking.slot_id == later.pk and booking.invite_sequence == 1
    same = api.post(f"/api/v1/bookings/{booking.pk}/reschedule", {"slot_id": later.pk})
    assert (same.status_code, same.json()["code"]) == (409, "same_slot")

    cancelled = api.post(f"/api/v1/bookings/{booking.pk}/cancel", {"reason": "Plans changed"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = api.post(f"/api/v1/bookings/{booking.pk}/cancel", {})
    assert (again.status_code, again.json()["code"]) == (409, "not_active")
    assert Slot.objects.get(pk=later.pk).status == "published"


def test_another_companys_session_is_a_404_and_stays_as_it_was(setup, client):
    consultant, _member, api = setup
    theirs = BookingFactory(consultant=consultant, slot=SlotFactory(consultant=consultant, status="booked",
                                                                    starts_at=_future(12),
                                                                    ends_at=_future(12) + dt.timedelta(hours=1)))
    assert api.get(f"/api/v1/bookings/{theirs.pk}").status_code == 404
    assert api.post(f"/api/v1/bookings/{theirs.pk}/cancel", {}).status_code == 404
    assert api.post(f"/api/v1/bookings/{theirs.pk}/reschedule", {"slot_id": _slot(consultant, 15).pk}).status_code \
        == 404
    theirs.refresh_from_db()
    assert theirs.status == "confirmed"


def test_a_consultant_records_the_outcome_of_their_own_ended_session(db, client):
    consultant = ConsultantFactory()
    past = (timezone.now() - dt.timedelta(days=2)).replace(microsecond=0)
    ended = BookingFactory(consultant=consultant, slot=SlotFactory(
        consultant=consultant, status="booked", starts_at=past, ends_at=past + dt.timedelta(hours=1)))
    upcoming = BookingFactory(consultant=consultant, slot=SlotFactory(consultant=consultant, status="booked",
                                                                      starts_at=_future(3),
                                                                      ends_at=_future(3) + dt.timedelta(hours=1)))
    api = Api(client, consultant.user)
    other = Api(client, ConsultantFactory().user)
    assert other.post(f"/api/v1/me/sessions/{ended.pk}/outcome", {"outcome": "held"}).status_code == 404
    early = api.post(f"/api/v1/me/sessions/{upcoming.pk}/outcome", {"outcome": "held"})
    assert (early.status_code, early.json()["code"]) == (409, "too_early")
    bad = api.post(f"/api/v1/me/sessions/{ended.pk}/outcome", {"outcome": "great"})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid")
    done = api.post(f"/api/v1/me/sessions/{ended.pk}/outcome", {"outcome": "held"})
    assert done.status_code == 200 and done.json()["status"] == "held"
    assert PipelineEvent.objects.filter(booking=ended, kind="held").count() == 1


def test_only_staff_read_the_pipeline(db, client, staff_user):
    BookingFactory()
    member = Api(client, MembershipFactory().user)
    refused = member.get("/api/v1/staff/bookings")
    assert (refused.status_code, refused.json()["code"]) == (403, "staff_only")
    staff = Api(client, staff_user)
    page = staff.get("/api/v1/staff/bookings", status="confirmed").json()
    assert len(page["items"]) == 1 and "answers" not in page["items"][0] and "place" not in page["items"][0]
    assert staff.get("/api/v1/staff/bookings", status="cancelled").json()["items"] == []


def test_the_pipeline_pages_with_a_cursor(db, client, staff_user):
    bookings = [BookingFactory() for _ in range(5)]
    staff = Api(client, staff_user)
    first = staff.get("/api/v1/staff/bookings", limit=2).json()
    second = staff.get("/api/v1/staff/bookings", limit=2, cursor=first["next_cursor"]).json()
    third = staff.get("/api/v1/staff/bookings", limit=2, cursor=second["next_cursor"]).json()
    seen = [b["id"] for b in first["items"] + second["items"] + third["items"]]
    assert seen == sorted((b.pk for b in bookings), reverse=True) and third["next_cursor"] is None


# --- query counts: constant with rows -------------------------------------------------------------------
def _queries(api, url) -> int:
    """The request's own queries (not the rate limit's counter, which is in Redis in production)."""
    api.get(url)  # the token's first use of the minute also records it
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(url).status_code == 200
    return len([q for q in ctx.captured_queries if "probono_cache" not in q["sql"] and "SAVEPOINT" not in q["sql"]])


_SEQUENCE = itertools.count(1)


def _grow(consultant, member, n: int):
    from engagements.models import Engagement, Invoice, Payment

    company = member.memberships.get().company
    for _i in range(n):
        i = next(_SEQUENCE)
        start = timezone.now() - dt.timedelta(days=40 + i)
        b = BookingFactory(consultant=consultant, company=company, booked_by=member, status="held",
                           slot=SlotFactory(consultant=consultant, status="booked", starts_at=start,
                                            ends_at=start + dt.timedelta(hours=1)))
        IntakeAnswer.objects.create(booking=b, question_label="Q", question_kind="short_text", value="A")
        e = Engagement.objects.create(booking=b, consultant=consultant, company=company, title="W", scope="S",
                                      amount_minor=1000, valid_until=timezone.localdate(), status="accepted")
        p = Payment.objects.create(engagement=e, provider="invoice", amount_minor=1000, vat_minor=250,
                                   total_minor=1250, currency="SEK")
        Invoice.objects.create(payment=p, year=2026, sequence=i, number=f"T-{i}",
                               issued_on=timezone.localdate(), due_on=timezone.localdate(), company_name="C",
                               seller_name="S", description="W", amount_minor=1000, vat_rate_bp=2500, vat_minor=250,
                               total_minor=1250, currency="SEK")
        _slot(consultant, 5 + i)


LISTS = {
    "member": ["/api/v1/bookings", "/api/v1/proposals", "/api/v1/invoices"],
    "consultant": ["/api/v1/me/sessions", "/api/v1/me/availability"],
    "staff": ["/api/v1/staff/bookings", "/api/v1/staff/engagements", "/api/v1/staff/payments"],
    "anyone": ["/api/v1/consultants", "/api/v1/consultants/cecilia/slots"],
}


@pytest.mark.parametrize("who", list(LISTS))
def test_list_endpoints_cost_the_same_queries_for_one_row_and_for_many(db, client, who, staff_user):
    consultant = ConsultantFactory(slug="cecilia")
    member = MembershipFactory(role="owner").user
    user = {"member": member, "consultant": consultant.user, "staff": staff_user, "anyone": member}[who]
    api = Api(client, user)
    _grow(consultant, member, 1)
    ConsultantFactory()
    before = {url: _queries(api, url) for url in LISTS[who]}
    _grow(consultant, member, 6)
    for _ in range(4):
        ConsultantFactory()
    after = {url: _queries(api, url) for url in LISTS[who]}
    assert after == before
    assert max(after.values()) <= 5, after


def test_dates_at_the_edge_of_the_calendar_are_a_422(db, client, staff_user):
    ConsultantFactory(slug="cecilia")
    staff = Api(client, staff_user)
    for params in ({"start": "9999-12-30"}, {"start": "0001-01-01", "end": "0001-01-05"}, {"end": "9999-12-31"}):
        response = staff.get("/api/v1/consultants/cecilia/slots", **params)
        assert (response.status_code, response.json()["code"]) == (422, "invalid_range"), params
    for params in ({"start": "9999-12-01"}, {"end": "9999-12-31"}, {"start": "1999-01-01"},
                   {"start": "2030-01-01", "end": "2020-01-01"}):
        response = staff.get("/api/v1/staff/reports/conversions", **params)
        assert (response.status_code, response.json()["code"]) == (422, "invalid_range"), params
    assert staff.get("/api/v1/staff/reports/conversions", start="2030-01-01", end="2030-03-31").status_code == 200
