"""Offered times tell the truth after publishing (issue 14): notice, time off, overrides, holidays, breaks,
real-time fit, caps and limits — on every path that offers or books a time, with a frozen clock in Stockholm
and Copenhagen."""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.selectors import slot_list_free
from booking.services import BookingError, booking_approve, booking_cancel, booking_create, booking_reschedule
from consultants.availability import rule_candidates
from consultants.models import Slot
from consultants.offer import holiday_country
from consultants.selectors import slot_bookable_check, slot_list_bookable
from consultants.services import (
    SlotError,
    blackout_add,
    blackout_delete,
    consultant_update_limits,
    holiday_open,
    override_set,
    slot_add,
    slot_generate_month,
    slot_publish_month,
)
from consultants.tasks import slot_conflicts_notify
from tests.booking.helpers import answers_for, post_data_for
from tests.factories import (
    AvailabilityRuleFactory,
    BookingFactory,
    ConsultantFactory,
    MembershipFactory,
    SlotFactory,
    WaitlistEntryFactory,
)
from waitlist.services import waitlist_claim, waitlist_offer_free_slots, waitlist_offer_slot

pytestmark = pytest.mark.django_db
STHLM, CPH = zoneinfo.ZoneInfo("Europe/Stockholm"), zoneinfo.ZoneInfo("Europe/Copenhagen")
NOW = datetime(2027, 6, 10, 8, tzinfo=UTC)  # Thursday 10 June 2027, 10:00 in Stockholm
JUNE = date(2027, 6, 1)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def anna():
    """Every Monday 09:00–15:00 in Stockholm: 09:00, 10:15, 11:30, 12:45, 14:00 (60 min, 15 min break)."""
    c = ConsultantFactory(display_name="Anna Lindqvist", slug="anna", time_zone="Europe/Stockholm",
                          user__language="en", user__time_zone="Europe/Stockholm")
    AvailabilityRuleFactory(consultant=c, kind="weekly", ordinal=None, weekday=0)
    return c


@pytest.fixture
def member():
    return MembershipFactory(role="owner").user


def publish(consultant, month=JUNE):
    slot_generate_month(consultant=consultant, month=month)
    slot_publish_month(consultant=consultant, month=month)


def local(slots, zone=STHLM):
    return [s.starts_at.astimezone(zone).strftime("%d %H:%M") for s in slots]


def at(day: date, hour: int, minute: int = 0, zone=STHLM) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def slot_at(consultant, day, hour, minute=0, zone=STHLM) -> Slot:
    return Slot.objects.get(consultant=consultant, starts_at=at(day, hour, minute, zone))


def book(slot, member, **kw):
    slot.refresh_from_db()
    return booking_create(slot=slot, company=member.memberships.get().company, user=member,
                          answers=answers_for(slot.consultant), **kw)


# --- 1. Minimum notice after publishing ----------------------------------------------------------------------
def test_a_published_session_inside_the_notice_is_offered_nowhere_and_refused(client, anna, member):
    consultant_update_limits(consultant=anna, min_notice=timedelta(hours=24))
    soon = SlotFactory(consultant=anna, starts_at=NOW + timedelta(hours=3))
    later = SlotFactory(consultant=anna, starts_at=NOW + timedelta(hours=30))
    profile = client.get("/consultants/anna/").content.decode()
    assert f"/book/{soon.pk}/" not in profile and f"/book/{later.pk}/" in profile
    assert client.get("/consultants/").context["consultants"][0].next_free == later.starts_at
    assert [s.pk for s in slot_list_free(consultant=anna)] == [later.pk]  # the reschedule and "taken" lists
    client.force_login(member)
    assert client.get(f"/book/{soon.pk}/").status_code == 409
    with pytest.raises(BookingError) as refused:
        book(soon, member)
    assert refused.value.code == "slot_unavailable" and "too soon" in refused.value.message
    booking = book(later, member)
    other = SlotFactory(consultant=anna, starts_at=NOW + timedelta(hours=5))
    with pytest.raises(BookingError):
        booking_reschedule(booking=booking, new_slot=other, by=member)


@pytest.mark.parametrize("zone", [STHLM, CPH], ids=["Stockholm", "Copenhagen"])
def test_notice_counts_real_hours_across_the_spring_forward_night(zone):
    c = ConsultantFactory(time_zone=str(zone), min_notice=timedelta(hours=24))
    now = at(date(2027, 3, 27), 10, zone=zone)  # Saturday 10:00 winter time
    short = SlotFactory(consultant=c, starts_at=at(date(2027, 3, 28), 10, zone=zone))  # 23 real hours later
    enough = SlotFactory(consultant=c, starts_at=at(date(2027, 3, 28), 11, zone=zone))  # 24 real hours later
    assert list(slot_list_bookable(consultant=c, now=now)) == [enough]
    assert slot_bookable_check(short, now=now).code == "notice"
    assert slot_bookable_check(enough, now=now) is None


@pytest.mark.parametrize("zone", [STHLM, CPH], ids=["Stockholm", "Copenhagen"])
def test_notice_counts_real_hours_across_the_fall_back_night(zone):
    c = ConsultantFactory(time_zone=str(zone), min_notice=timedelta(hours=24))
    now = at(date(2027, 10, 30), 10, zone=zone)  # Saturday 10:00 summer time
    short = SlotFactory(consultant=c, starts_at=at(date(2027, 10, 31), 8, 30, zone=zone))  # 23.5 real hours
    # 23 hours by the wall clock, but the night has an extra hour: 24 real hours, so it may be booked.
    enough = SlotFactory(consultant=c, starts_at=at(date(2027, 10, 31), 9, zone=zone))
    assert enough.starts_at - now == timedelta(hours=24)
    assert list(slot_list_bookable(consultant=c, now=now)) == [enough]
    assert slot_bookable_check(short, now=now).code == "notice"
    assert slot_bookable_check(enough, now=now) is None


# --- 2 and 4. Time off after publishing, part-day ------------------------------------------------------------
def test_time_off_added_after_publishing_stops_that_days_sessions_at_once(client, anna):
    publish(anna)
    monday = date(2027, 6, 21)
    assert len(local(slot_list_bookable(consultant=anna, start=at(monday, 0), end=at(monday, 23)))) == 5
    client.force_login(anna.user)
    response = client.post("/me/rules/", {"form": "blackout", "blackout-start_date": "2027-06-21",
                                          "blackout-end_date": "", "blackout-note": "Vacation"})
    assert response.status_code == 302
    assert list(slot_list_bookable(consultant=anna, start=at(monday, 0), end=at(monday, 23))) == []
    assert Slot.objects.filter(consultant=anna, status="published").count() == 15  # filtered, not deleted
    review = client.get("/me/month/2027/6/").content.decode()
    assert "Time off (Vacation)" in review and review.count("not offered: your time off") == 5
    blackout_delete(blackout=anna.blackouts.get())
    assert len(slot_list_bookable(consultant=anna, start=at(monday, 0), end=at(monday, 23))) == 5


def test_part_day_time_off_removes_only_the_sessions_it_overlaps(anna):
    publish(anna)
    blackout_add(consultant=anna, start_date=date(2027, 6, 14), end_date=date(2027, 6, 14),
                 start_time=time(12), end_time=time(14), note="Dentist")
    day = date(2027, 6, 14)
    # 11:30–12:30 and 12:45–13:45 overlap 12:00–14:00; 14:00–15:00 starts as it ends.
    assert local(slot_list_bookable(consultant=anna, start=at(day, 0), end=at(day, 23))) == [
        "14 09:00", "14 10:15", "14 14:00"]


def test_time_off_over_a_range_with_times_applies_on_each_day_and_drafts_follow(anna):
    blackout_add(consultant=anna, start_date=date(2027, 6, 14), end_date=date(2027, 6, 21),
                 start_time=time(9), end_time=time(11))
    slot_generate_month(consultant=anna, month=JUNE)
    assert local(Slot.objects.filter(consultant=anna, starts_at__lt=at(date(2027, 6, 22), 0))) == [
        "14 11:30", "14 12:45", "14 14:00", "21 11:30", "21 12:45", "21 14:00"]


def test_a_booked_session_in_new_time_off_is_flagged_never_cancelled_and_mailed_once(
        client, anna, member, mailoutbox, django_capture_on_commit_callbacks):
    publish(anna)
    booking = book(slot_at(anna, date(2027, 6, 14), 9), member)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        blackout_add(consultant=anna, start_date=date(2027, 6, 14), end_date=date(2027, 6, 14))
    booking.refresh_from_db()
    assert booking.status == "confirmed" and booking.slot.status == "booked"
    mails = [m for m in mailoutbox if m.to == [anna.user.email]]
    assert len(mails) == 1 and "conflicts with your time off on" in mails[0].body
    assert f"/me/slots/{booking.slot_id}/cancel-booking/" in mails[0].body
    with django_capture_on_commit_callbacks(execute=True):
        assert slot_conflicts_notify(anna.pk) == 0  # the task running again mails nothing
        blackout_add(consultant=anna, start_date=date(2027, 6, 14), end_date=date(2027, 6, 14), note="again")
    assert len([m for m in mailoutbox if m.to == [anna.user.email]]) == 1
    client.force_login(anna.user)
    assert "conflicts with your time off on" in client.get("/me/sessions/").content.decode()
    assert "conflicts with your time off on" in client.get("/me/calendar/?month=2027-06").content.decode()


# --- 3. Date overrides ---------------------------------------------------------------------------------------------
def test_an_override_replaces_the_rules_hours_for_the_published_offer_and_the_drafts(client, anna):
    publish(anna)
    day = date(2027, 6, 14)
    override_set(consultant=anna, day=day, windows=[(time(13), time(15))])
    assert local(slot_list_bookable(consultant=anna, start=at(day, 0), end=at(day, 23))) == ["14 14:00"]
    client.force_login(anna.user)
    review = client.get("/me/month/2027/6/").content.decode()
    assert "Your hours this day: 13:00–15:00" in review and "outside your hours for this date" in review
    # In a month not yet made, the drafts follow the override (and a date without a rule gets its hours).
    july = date(2027, 7, 5)
    override_set(consultant=anna, day=july, windows=[(time(13), time(15))])
    override_set(consultant=anna, day=date(2027, 7, 7), windows=[(time(10), time(11, 30))])  # a Wednesday
    override_set(consultant=anna, day=date(2027, 7, 12), windows=[])  # not available
    slot_generate_month(consultant=anna, month=july)
    days = local(Slot.objects.filter(consultant=anna, starts_at__gte=at(july, 0),
                                     starts_at__lt=at(date(2027, 7, 13), 0)))
    assert days == ["05 13:00", "07 10:00"]


def test_an_override_is_set_from_the_month_review_with_several_windows(client, anna):
    publish(anna)
    client.force_login(anna.user)
    response = client.post("/me/overrides/", {"override-day": "2027-06-28", "override-start_1": "09:00",
                                              "override-end_1": "10:00", "override-start_2": "14:00",
                                              "override-end_2": "15:00", "next": "/me/month/2027/6/"})
    assert response["Location"] == "/me/month/2027/6/"
    day = date(2027, 6, 28)
    assert local(slot_list_bookable(consultant=anna, start=at(day, 0), end=at(day, 23))) == ["28 09:00", "28 14:00"]
    client.post("/me/overrides/2027/6/28/delete/")
    assert len(slot_list_bookable(consultant=anna, start=at(day, 0), end=at(day, 23))) == 5


# --- 5. Public holidays ------------------------------------------------------------------------------------------
def test_easter_monday_gives_no_sessions_in_sweden_and_the_review_names_it_in_the_viewers_language(client, anna):
    assert holiday_country(anna) == "SE"
    with time_machine.travel(datetime(2027, 3, 1, 8, tzinfo=UTC), tick=False):
        publish(anna, date(2027, 3, 1))
        assert "29 09:00" not in local(Slot.objects.filter(consultant=anna))
        client.force_login(anna.user)
        assert "Easter Monday — no sessions" in client.get("/me/month/2027/3/").content.decode()
        anna.user.language = "sv"
        anna.user.save()
        assert "Annandag påsk" in client.get("/me/month/2027/3/").content.decode()
        client.post("/me/holidays/2027/3/29/", {"open": "1"})
        publish(anna, date(2027, 3, 1))
        assert len(slot_list_bookable(consultant=anna, start=at(date(2027, 3, 29), 0))) == 5


def test_whit_monday_in_denmark_and_opening_a_single_holiday_for_the_published_offer():
    c = ConsultantFactory(time_zone="Europe/Copenhagen", skip_holidays=False)
    AvailabilityRuleFactory(consultant=c, kind="weekly", ordinal=None, weekday=0, end_time=time(10))
    with time_machine.travel(datetime(2027, 5, 1, 8, tzinfo=UTC), tick=False):
        publish(c, date(2027, 5, 1))
        assert local(slot_list_bookable(consultant=c), CPH) == ["03 09:00", "10 09:00", "17 09:00", "24 09:00",
                                                                "31 09:00"]
        consultant_update_limits(consultant=c, skip_holidays=True)  # applies to the published month at once
        assert "17 09:00" not in local(slot_list_bookable(consultant=c), CPH)
        holiday_open(consultant=c, day=date(2027, 5, 17))
        assert "17 09:00" in local(slot_list_bookable(consultant=c), CPH)


def test_swedish_sundays_are_not_holidays_but_easter_sunday_is():
    c = ConsultantFactory(time_zone="Europe/Stockholm")
    AvailabilityRuleFactory(consultant=c, kind="weekly", ordinal=None, weekday=6, end_time=time(10))
    with time_machine.travel(datetime(2027, 3, 1, 8, tzinfo=UTC), tick=False):
        slot_generate_month(consultant=c, month=date(2027, 3, 1))
    assert local(Slot.objects.filter(consultant=c)) == ["07 09:00", "14 09:00", "21 09:00"]  # 28th: Påskdagen


def test_the_holiday_country_follows_the_zone_unless_chosen():
    assert holiday_country(ConsultantFactory(time_zone="Europe/Copenhagen")) == "DK"
    assert holiday_country(ConsultantFactory(time_zone="Europe/Oslo")) == ""
    assert holiday_country(ConsultantFactory(time_zone="Europe/Oslo", holiday_country="SE")) == "SE"
    assert holiday_country(ConsultantFactory(time_zone="Europe/Stockholm", holiday_country="none")) == ""


# --- 6. Breaks around every session --------------------------------------------------------------------------
def test_a_hand_added_session_inside_another_sessions_break_is_refused(client, anna):
    publish(anna)
    with pytest.raises(SlotError) as refused:
        slot_add(consultant=anna, starts_at=at(date(2027, 6, 14), 15))  # the 14:00 session ends at 15:00
    assert refused.value.code == "break"
    assert slot_add(consultant=anna, starts_at=at(date(2027, 6, 14), 15, 15))
    client.force_login(anna.user)
    page = client.post("/me/month/2027/6/add/", {"day": "2027-06-21", "start": "08:00", "minutes": "60"},
                       follow=True).content.decode()
    assert "inside the break before or after another session (15 minutes)" in page


def test_two_adjacent_windows_keep_the_break_between_them(anna):
    AvailabilityRuleFactory(consultant=anna, kind="weekly", ordinal=None, weekday=1, start_time=time(9),
                            end_time=time(10))
    AvailabilityRuleFactory(consultant=anna, kind="weekly", ordinal=None, weekday=1, start_time=time(10),
                            end_time=time(12, 30))
    slot_generate_month(consultant=anna, month=JUNE)
    tuesday = Slot.objects.filter(consultant=anna, starts_at__gte=at(date(2027, 6, 15), 0),
                                  starts_at__lt=at(date(2027, 6, 16), 0))
    assert local(tuesday) == ["15 09:00", "15 11:15"]  # not 10:00, straight after 09:00–10:00


# --- 7. Real-time fit -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("zone", [STHLM, CPH], ids=["Stockholm", "Copenhagen"])
def test_on_the_spring_forward_night_a_session_never_ends_after_its_window(zone):
    from types import SimpleNamespace

    night = SimpleNamespace(pk=1, kind="monthly", ordinal=-1, weekday=6, on_date=None, start_time=time(1, 30),
                            end_time=time(3), session_minutes=60, buffer_minutes=0)
    # 01:30 winter time + 60 real minutes = 03:30 summer time, after the 03:00 end.
    assert rule_candidates(night, date(2027, 3, 1), zone=zone, now=datetime(2000, 1, 1, tzinfo=UTC)) == []
    [feb] = rule_candidates(night, date(2027, 2, 1), zone=zone, now=datetime(2000, 1, 1, tzinfo=UTC))
    assert feb.ends_at.astimezone(zone).time() == time(2, 30)


# --- 8. Caps and limits count bookings ---------------------------------------------------------------------
def test_the_monthly_cap_offers_every_time_until_n_are_booked_then_hides_and_refuses_the_rest(anna, member):
    publish(anna)
    consultant_update_limits(consultant=anna, monthly_cap=2)
    june = slot_list_bookable(consultant=anna)
    assert june.count() == 15  # a choice of time: every session is offered
    first = book(slot_at(anna, date(2027, 6, 14), 9), member)
    other = MembershipFactory(role="owner").user
    book(slot_at(anna, date(2027, 6, 21), 9), other)
    assert slot_list_bookable(consultant=anna).count() == 0
    third = MembershipFactory(role="owner").user
    with pytest.raises(BookingError) as refused:
        book(slot_at(anna, date(2027, 6, 28), 9), third)
    assert refused.value.code == "slot_unavailable" and "The next month opens" in refused.value.message
    assert refused.value.lifts_at == at(date(2027, 7, 1), 0)
    booking_cancel(booking=first, by=member)
    assert slot_list_bookable(consultant=anna).count() == 14  # one booked of two: every free time again


def test_regenerating_a_month_never_makes_more_sessions_than_the_cap_allows(anna, member):
    publish(anna)
    consultant_update_limits(consultant=anna, monthly_cap=2)
    book(slot_at(anna, date(2027, 6, 14), 9), member)
    book(slot_at(anna, date(2027, 6, 14), 10, 15), MembershipFactory(role="owner").user)
    AvailabilityRuleFactory(consultant=anna, kind="weekly", ordinal=None, weekday=2)  # Wednesdays too
    result = slot_generate_month(consultant=anna, month=JUNE)
    assert result.created == 0
    assert slot_list_bookable(consultant=anna).count() == 0


def test_daily_and_weekly_caps_and_the_booking_window(anna, member):
    AvailabilityRuleFactory(consultant=anna, kind="weekly", ordinal=None, weekday=2, end_time=time(10))
    publish(anna)
    consultant_update_limits(consultant=anna, daily_cap=1)
    book(slot_at(anna, date(2027, 6, 14), 9), member)
    free = local(slot_list_bookable(consultant=anna))
    assert not any(s.startswith("14 ") for s in free) and "16 09:00" in free and "21 09:00" in free
    consultant_update_limits(consultant=anna, daily_cap=None, weekly_cap=1)
    free = local(slot_list_bookable(consultant=anna))
    assert "16 09:00" not in free and "21 09:00" in free
    consultant_update_limits(consultant=anna, weekly_cap=None, booking_window=timedelta(days=12))
    free = local(slot_list_bookable(consultant=anna))
    assert "21 09:00" in free and "23 09:00" not in free  # 23 June 09:00 is more than 12 days ahead
    refusal = slot_bookable_check(slot_at(anna, date(2027, 6, 23), 9), now=NOW)
    assert refusal.code == "window" and refusal.lifts_at == at(date(2027, 6, 23), 9) - timedelta(days=12)


# --- The other paths: approval, waitlist offer and claim -----------------------------------------------------
def test_approving_a_request_whose_time_became_time_off_is_refused(anna, member):
    anna.requires_approval = True
    anna.save()
    publish(anna)
    request = book(slot_at(anna, date(2027, 6, 14), 9), member)
    assert request.status == "requested"
    blackout_add(consultant=anna, start_date=date(2027, 6, 14), end_date=date(2027, 6, 14))
    with pytest.raises(BookingError) as refused:
        booking_approve(booking=request, by=anna.user)
    assert refused.value.code == "conflict"
    request.refresh_from_db()
    assert request.status == "requested"


def test_the_waitlist_offers_and_claims_only_bookable_times(anna, member):
    slot = SlotFactory(consultant=anna, starts_at=at(date(2027, 6, 14), 9))
    entry = WaitlistEntryFactory(consultant=anna, company=member.memberships.get().company, user=member)
    blackout_add(consultant=anna, start_date=date(2027, 6, 14), end_date=date(2027, 6, 14))
    assert waitlist_offer_free_slots() == 0
    blackout_delete(blackout=anna.blackouts.get())
    offer = waitlist_offer_slot(slot=slot)
    assert offer is not None and offer.entry == entry
    blackout_add(consultant=anna, start_date=date(2027, 6, 14), end_date=date(2027, 6, 14))
    with pytest.raises(BookingError) as refused:
        waitlist_claim(offer=offer, user=member, answers=answers_for(anna))
    assert refused.value.code == "slot_unavailable"


def test_the_booking_steps_refuse_a_time_that_stopped_being_offered(client, anna, member):
    publish(anna)
    slot = slot_at(anna, date(2027, 6, 14), 9)
    client.force_login(member)
    assert client.post(f"/book/{slot.pk}/", post_data_for(anna)).status_code == 302
    override_set(consultant=anna, day=date(2027, 6, 14), windows=[])
    assert client.get(f"/book/{slot.pk}/review/").status_code == 409
    assert client.post(f"/book/{slot.pk}/review/").status_code == 409
    assert not slot.bookings.exists()


# --- 9. What the consultant sees -------------------------------------------------------------------------------
def test_the_month_review_and_calendar_say_per_session_whether_it_is_offered_and_why(client, anna, member):
    publish(anna)
    consultant_update_limits(consultant=anna, daily_cap=1)
    book(slot_at(anna, date(2027, 6, 14), 9), member)
    client.force_login(anna.user)
    review = client.get("/me/month/2027/6/").content.decode()
    assert review.count("offered now") == 10
    assert review.count("not offered: your daily limit is reached") == 4
    assert "10 sessions are offered to companies now." in review
    calendar = client.get("/me/calendar/?month=2027-06").content.decode()
    assert calendar.count("offered now") == 10 and "your daily limit is reached" in calendar


# --- Query counts do not grow -------------------------------------------------------------------------------
def _queries(client, url) -> int:
    client.get(url)  # the first visit creates the consultant's questionnaire and the fair-use policy
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _grow(consultant, n: int):
    """n weeks of sessions, time off, overrides and bookings for `consultant`."""
    for i in range(n):
        day = date(2027, 6, 14) + timedelta(days=7 * i)
        for h in (9, 11, 13, 15):
            SlotFactory(consultant=consultant, starts_at=at(day, h))
        blackout_add(consultant=consultant, start_date=day, end_date=day, start_time=time(15), end_time=time(16))
        override_set(consultant=consultant, day=day + timedelta(days=1), windows=[(time(9), time(10))])
        BookingFactory(slot=SlotFactory(consultant=consultant, starts_at=at(day, 17), status="booked"))


def test_profile_directory_booking_and_calendar_pages_make_the_same_queries_however_much_there_is(client):
    small, big = ConsultantFactory(slug="small"), ConsultantFactory(slug="big")
    _grow(small, 1)
    _grow(big, 12)
    consultant_update_limits(consultant=big, monthly_cap=50, daily_cap=3)
    member = MembershipFactory(role="owner").user
    client.force_login(member)
    counts = {}
    for c in (small, big):
        slot = slot_list_bookable(consultant=c).first()
        counts[c.slug] = [_queries(client, f"/consultants/{c.slug}/"), _queries(client, "/consultants/"),
                          _queries(client, f"/book/{slot.pk}/")]
    assert counts["small"] == counts["big"]
    calendars = []
    for c in (small, big):
        client.force_login(c.user)
        calendars.append(_queries(client, "/me/calendar/?month=2027-06"))
        calendars.append(_queries(client, "/me/month/2027/6/"))
    assert calendars[:2] == calendars[2:]


def test_the_hourly_task_applies_holidays_to_slots_written_without_a_refresh(anna):
    from consultants.tasks import slot_publish_due

    easter_monday = SlotFactory(consultant=anna, starts_at=at(date(2028, 4, 17), 9))  # written in bulk, say
    assert easter_monday in slot_list_bookable(consultant=anna)
    slot_publish_due()
    slot_publish_due()
    easter_monday.refresh_from_db()
    assert easter_monday.off_reason == "holiday" and easter_monday not in slot_list_bookable(consultant=anna)


def test_a_company_shown_a_full_month_is_told_when_the_next_month_opens(client, anna, member):
    publish(anna)
    consultant_update_limits(consultant=anna, monthly_cap=1)
    book(slot_at(anna, date(2027, 6, 14), 9), MembershipFactory(role="owner").user)
    client.force_login(member)
    response = client.get(f"/book/{slot_at(anna, date(2027, 6, 21), 9).pk}/")
    assert response.status_code == 409
    assert "free sessions for that month are all booked. The next month opens" in response.content.decode()


def test_the_limits_are_saved_from_the_rules_page_and_apply_at_once(client, anna):
    publish(anna)
    client.force_login(anna.user)
    response = client.post("/me/rules/", {"form": "limits", "limits-min_notice_hours": "24",
                                          "limits-booking_window_days": "3", "limits-monthly_cap": "",
                                          "limits-weekly_cap": "", "limits-daily_cap": "",
                                          "limits-holiday_country": "", "limits-skip_holidays": "on"})
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.min_notice == timedelta(hours=24) and anna.booking_window == timedelta(days=3)
    assert list(slot_list_bookable(consultant=anna)) == []  # 14 June is more than 3 days ahead
    page = client.get("/me/rules/").content.decode()
    assert 'name="limits-booking_window_days" value="3"' in page
