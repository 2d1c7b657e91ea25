"""The consultant's own pages: rules, month review, calendar. Outsiders get 404 everywhere."""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from consultants.models import AvailabilityRule, Blackout, Slot
from tests.factories import (
    AvailabilityRuleFactory,
    BlackoutFactory,
    BookingFactory,
    ConsultantFactory,
    MembershipFactory,
    SlotFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 2, 10, 10, tzinfo=UTC)
STHLM = zoneinfo.ZoneInfo("Europe/Stockholm")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


RULE_POST = {
    "form": "rule", "rule-kind": "monthly", "rule-ordinal": "1", "rule-weekday": "0", "rule-start_time": "09:00",
    "rule-end_time": "15:00", "rule-session_minutes": "60", "rule-buffer_minutes": "15", "rule-is_active": "on",
}


def test_a_consultant_creates_a_first_monday_rule_reviews_march_and_publishes_it(consultant_client, consultant):
    response = consultant_client.post("/me/rules/", RULE_POST)
    assert response.status_code == 302
    rule = AvailabilityRule.objects.get(consultant=consultant)
    assert (rule.ordinal, rule.weekday, rule.start_time, rule.on_date) == (1, 0, time(9), None)

    response = consultant_client.post("/me/month/2027/3/generate/", follow=True)
    body = response.content.decode()
    assert "5 added" in body
    assert body.count("status-draft") >= 5
    response = consultant_client.post("/me/month/2027/3/publish/", follow=True)
    assert "5 slots published" in response.content.decode()
    assert Slot.objects.filter(consultant=consultant, status="published").count() == 5
    # Companies now see them on the public profile, in local time.
    public = consultant_client.get(f"/consultants/{consultant.slug}/").content.decode()
    assert "Monday 1 March 2027" in public and "09:00" in public


def test_a_weekly_rule_without_a_weekday_is_refused_with_a_message(consultant_client):
    response = consultant_client.post("/me/rules/", {**RULE_POST, "rule-kind": "weekly", "rule-weekday": ""})
    assert response.status_code == 400
    assert "A weekly rule needs a weekday" in response.content.decode()
    assert not AvailabilityRule.objects.exists()


def test_a_single_date_rule_clears_the_weekday(consultant_client):
    consultant_client.post("/me/rules/", {**RULE_POST, "rule-kind": "date", "rule-on_date": "2027-03-17"})
    rule = AvailabilityRule.objects.get()
    assert (rule.kind, rule.on_date, rule.weekday, rule.ordinal) == ("date", date(2027, 3, 17), None, None)


def test_editing_and_deleting_a_rule(consultant_client, consultant):
    rule = AvailabilityRuleFactory(consultant=consultant)
    post = {k.removeprefix("rule-"): v for k, v in RULE_POST.items() if k != "form"}
    response = consultant_client.post(f"/me/rules/{rule.pk}/", {**post, "ordinal": "-1", "weekday": "4"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.ordinal, rule.weekday) == (-1, 4)
    assert consultant_client.post(f"/me/rules/{rule.pk}/delete/").status_code == 302
    assert not AvailabilityRule.objects.exists()


def test_adding_and_removing_a_blackout(consultant_client, consultant):
    consultant_client.post("/me/rules/", {"form": "blackout", "blackout-start_date": "2027-07-01",
                                          "blackout-end_date": "2027-07-31", "blackout-note": "Summer"})
    blackout = Blackout.objects.get(consultant=consultant)
    assert "Summer" in consultant_client.get("/me/rules/").content.decode()
    consultant_client.post(f"/me/blackouts/{blackout.pk}/delete/")
    assert not Blackout.objects.exists()


def test_adding_a_single_slot_in_the_month_review_uses_the_consultants_zone(consultant_client, consultant):
    consultant_client.post("/me/month/2027/3/add/", {"day": "2027-03-30", "start": "14:00", "minutes": "45"})
    slot = Slot.objects.get(consultant=consultant)
    assert slot.starts_at == datetime(2027, 3, 30, 12, tzinfo=UTC)  # summer time by then
    assert (slot.status, slot.added_by_hand, slot.ends_at - slot.starts_at) == ("draft", True, timedelta(minutes=45))
    response = consultant_client.post("/me/month/2027/3/add/", {"day": "2027-03-30", "start": "14:30",
                                                                "minutes": "60"}, follow=True)
    assert "overlaps another slot" in response.content.decode()


def test_a_slot_in_the_spring_gap_cannot_be_added(consultant_client):
    response = consultant_client.post("/me/month/2027/3/add/", {"day": "2027-03-28", "start": "02:30",
                                                                "minutes": "60"}, follow=True)
    assert "does not exist" in response.content.decode()
    assert not Slot.objects.exists()


def test_removing_and_blocking_slots_from_the_pages(consultant_client, consultant):
    published = SlotFactory(consultant=consultant, starts_at=datetime(2027, 3, 2, 8, tzinfo=UTC))
    booked = SlotFactory(consultant=consultant, starts_at=datetime(2027, 3, 3, 8, tzinfo=UTC), status="booked")
    response = consultant_client.post(f"/me/slots/{published.pk}/block/", {"next": "/me/calendar/?month=2027-03"})
    assert response["Location"] == "/me/calendar/?month=2027-03"
    published.refresh_from_db()
    assert published.status == "blocked"
    response = consultant_client.post(f"/me/slots/{booked.pk}/block/", follow=True)
    assert "This slot is booked" in response.content.decode()
    booked.refresh_from_db()
    assert booked.status == "booked"
    consultant_client.post(f"/me/slots/{published.pk}/unblock/")
    published.refresh_from_db()
    assert published.status == "published"


def test_an_unsafe_next_address_is_ignored(consultant_client, consultant):
    slot = SlotFactory(consultant=consultant, starts_at=datetime(2027, 3, 2, 8, tzinfo=UTC))
    response = consultant_client.post(f"/me/slots/{slot.pk}/block/", {"next": "https://evil.example/"})
    assert response["Location"] == "/me/month/2027/3/"


def test_the_calendar_shows_the_month_with_counts_and_today(consultant_client, consultant):
    SlotFactory(consultant=consultant, starts_at=datetime(2027, 2, 15, 8, tzinfo=UTC), status="published")
    SlotFactory(consultant=consultant, starts_at=datetime(2027, 2, 16, 8, tzinfo=UTC), status="booked")
    SlotFactory(consultant=consultant, starts_at=datetime(2027, 2, 17, 8, tzinfo=UTC), status="draft")
    SlotFactory(consultant=consultant, starts_at=datetime(2027, 3, 1, 8, tzinfo=UTC), status="draft")  # in the grid
    body = consultant_client.get("/me/calendar/").content.decode()
    assert "February 2027" in body
    assert "Published: 1" in body and "Booked: 1" in body and "Draft: 1" in body and "Blocked: 0" in body
    assert 'aria-current="date"' in body
    assert body.count('aria-current="date"') == 1
    assert "<!DOCTYPE html>" in body


def test_calendar_navigation_returns_a_fragment_to_htmx_and_a_full_page_otherwise(consultant_client):
    full = consultant_client.get("/me/calendar/?month=2027-04").content.decode()
    assert "April 2027" in full and "<!DOCTYPE html>" in full and 'href="?month=2027-05"' in full
    fragment = consultant_client.get("/me/calendar/?month=2027-04", headers={"HX-Request": "true"}).content.decode()
    assert "April 2027" in fragment and "<!DOCTYPE html>" not in fragment and 'id="calendar"' in fragment
    assert consultant_client.get("/me/calendar/?month=nonsense").status_code == 404


def test_a_booked_slot_in_the_calendar_has_no_block_button(consultant_client, consultant):
    booked = SlotFactory(consultant=consultant, starts_at=datetime(2027, 2, 16, 8, tzinfo=UTC), status="booked")
    body = consultant_client.get("/me/calendar/").content.decode()
    assert f"/me/slots/{booked.pk}/block/" not in body


def test_the_calendar_offers_cancel_booking_only_for_upcoming_active_sessions(consultant_client, consultant):
    upcoming = BookingFactory(slot=SlotFactory(consultant=consultant, starts_at=datetime(2027, 2, 16, 8, tzinfo=UTC)))
    requested = BookingFactory(status="requested",
                               slot=SlotFactory(consultant=consultant, starts_at=datetime(2027, 2, 17, 8, tzinfo=UTC)))
    held = BookingFactory(status="held", slot=SlotFactory(consultant=consultant, status="booked",
                                                          starts_at=datetime(2027, 2, 3, 8, tzinfo=UTC)))
    not_yet_recorded = BookingFactory(slot=SlotFactory(consultant=consultant,
                                                       starts_at=datetime(2027, 2, 4, 8, tzinfo=UTC)))
    body = consultant_client.get("/me/calendar/").content.decode()
    assert f"/me/slots/{upcoming.slot.pk}/cancel-booking/" in body
    assert f"/me/slots/{requested.slot.pk}/cancel-booking/" in body
    assert f"/me/slots/{held.slot.pk}/cancel-booking/" not in body
    assert f"/me/slots/{not_yet_recorded.slot.pk}/cancel-booking/" not in body
    assert body.count("Cancel booking") == 2
    # The link that is offered works: posting it cancels the session and blocks the time.
    response = consultant_client.post(f"/me/slots/{upcoming.slot.pk}/cancel-booking/", {"reason": "Ill"})
    assert response.status_code == 302
    upcoming.refresh_from_db()
    assert upcoming.status == "cancelled" and Slot.objects.get(pk=upcoming.slot.pk).status == "blocked"


@pytest.mark.parametrize("n", [3, 300])
def test_calendar_and_month_review_need_the_same_queries_for_3_or_300_slots(
        consultant_client, consultant, n, django_assert_max_num_queries):
    start = datetime(2027, 2, 11, 7, tzinfo=UTC)
    statuses = ["draft", "published", "booked", "blocked"]
    Slot.objects.bulk_create([Slot(consultant=consultant, starts_at=start + timedelta(minutes=70 * i),
                                   ends_at=start + timedelta(minutes=70 * i + 60), status=statuses[i % 4])
                              for i in range(n)])
    assert Slot.objects.filter(starts_at__month=2).count() == n
    with django_assert_max_num_queries(9):
        assert consultant_client.get("/me/calendar/").status_code == 200
    with django_assert_max_num_queries(11):  # one of them: the month's busy periods (calendars)
        assert consultant_client.get("/me/month/2027/2/").status_code == 200


OWN_PAGES = ["/me/calendar/", "/me/rules/", "/me/month/2027/3/", "/me/consultant/profile/",
             "/me/consultant/settings/"]


@pytest.mark.parametrize("url", OWN_PAGES)
def test_people_who_are_not_consultants_get_404_on_consultant_pages(client, url):
    client.force_login(MembershipFactory(role="owner").user)
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(url).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get("/me/calendar/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_consultant_cannot_see_or_change_another_consultants_rules_slots_or_blackouts(consultant_client):
    other = ConsultantFactory()
    rule = AvailabilityRuleFactory(consultant=other)
    slot = SlotFactory(consultant=other, starts_at=datetime(2027, 3, 2, 8, tzinfo=UTC))
    blackout = BlackoutFactory(consultant=other)
    assert consultant_client.get(f"/me/rules/{rule.pk}/").status_code == 404
    assert consultant_client.post(f"/me/rules/{rule.pk}/", {"kind": "weekly"}).status_code == 404
    assert consultant_client.post(f"/me/rules/{rule.pk}/delete/").status_code == 404
    assert consultant_client.post(f"/me/blackouts/{blackout.pk}/delete/").status_code == 404
    for action in ("remove", "block", "unblock"):
        assert consultant_client.post(f"/me/slots/{slot.pk}/{action}/").status_code == 404
    slot.refresh_from_db()
    assert slot.status == "published" and AvailabilityRule.objects.filter(pk=rule.pk).exists()
    assert Blackout.objects.filter(pk=blackout.pk).exists()
    # Their own pages never show the other consultant's data.
    assert f"/me/slots/{slot.pk}/" not in consultant_client.get("/me/calendar/?month=2027-03").content.decode()
    assert f"/me/rules/{rule.pk}/" not in consultant_client.get("/me/rules/").content.decode()


def test_month_review_generation_and_publishing_only_affect_the_signed_in_consultant(consultant_client, consultant):
    AvailabilityRuleFactory(consultant=consultant)
    other_rule = AvailabilityRuleFactory()
    consultant_client.post("/me/month/2027/3/generate/")
    consultant_client.post("/me/month/2027/3/publish/")
    assert Slot.objects.filter(consultant=other_rule.consultant).count() == 0
    assert Slot.objects.filter(consultant=consultant, status="published").count() == 5


def test_slot_error_messages_are_in_the_consultants_language(client, consultant):
    consultant.user.language = "sv"
    consultant.user.save()
    client.force_login(consultant.user)
    booked = SlotFactory(consultant=consultant, starts_at=datetime(2027, 3, 3, 8, tzinfo=UTC), status="booked")
    response = client.post(f"/me/slots/{booked.pk}/block/", follow=True)
    assert "Den här tiden är bokad" in response.content.decode()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_at_the_edge_of_the_calendar_are_refused_politely(consultant_client, day):
    response = consultant_client.post("/me/month/2027/3/add/", {"day": day, "start": "00:30", "minutes": "60"},
                                      follow=True)
    assert response.status_code == 200
    assert "Give a date" in response.content.decode()
    assert not Slot.objects.exists()


def test_a_slot_added_for_another_month_shows_that_month(consultant_client):
    response = consultant_client.post("/me/month/2027/3/add/", {"day": "2027-04-07", "start": "10:00",
                                                                "minutes": "60"})
    assert response["Location"] == "/me/month/2027/4/"


@pytest.mark.parametrize(("field", "value"), [("rule-session_minutes", "5"), ("rule-buffer_minutes", "999"),
                                              ("rule-end_time", "08:00")])
def test_out_of_range_rule_values_are_refused_on_the_form(consultant_client, field, value):
    response = consultant_client.post("/me/rules/", {**RULE_POST, field: value})
    assert response.status_code == 400
    assert not AvailabilityRule.objects.exists()


def test_publishing_a_single_slot_says_slot_not_slots(consultant_client, consultant):
    consultant_client.post("/me/month/2027/3/add/", {"day": "2027-03-30", "start": "14:00", "minutes": "45"})
    response = consultant_client.post("/me/month/2027/3/publish/", follow=True)
    assert Slot.objects.filter(consultant=consultant, status="published").count() == 1
    assert "1 slot published. Companies can book it now." in response.content.decode()


def test_a_single_date_rule_in_the_past_is_refused_on_the_date_field(consultant_client):
    response = consultant_client.post("/me/rules/", {**RULE_POST, "rule-kind": "date", "rule-on_date": "2027-02-09"})
    assert response.status_code == 400
    assert "That date has passed" in response.content.decode()
    assert "Rule added" not in response.content.decode()
    assert not AvailabilityRule.objects.exists()
    # Today (in the consultant's zone) is still fine.
    assert consultant_client.post(
        "/me/rules/", {**RULE_POST, "rule-kind": "date", "rule-on_date": "2027-02-10"}).status_code == 302


def test_editing_a_rule_to_a_past_date_is_refused(consultant_client, consultant):
    rule = AvailabilityRuleFactory(consultant=consultant)
    post = {k.removeprefix("rule-"): v for k, v in RULE_POST.items() if k != "form"}
    response = consultant_client.post(f"/me/rules/{rule.pk}/", {**post, "kind": "date", "on_date": "2026-12-24"})
    assert response.status_code == 400
    assert "That date has passed" in response.content.decode()
    rule.refresh_from_db()
    assert rule.kind == "monthly"
