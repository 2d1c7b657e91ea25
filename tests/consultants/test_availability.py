"""Rule expansion: every kind, DST in Stockholm and Copenhagen, buffers, caps, notice and blackouts."""

import zoneinfo
from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import pytest

from consultants.availability import day_wall_times, local_to_utc, rule_candidates, rule_dates

STHLM = zoneinfo.ZoneInfo("Europe/Stockholm")
CPH = zoneinfo.ZoneInfo("Europe/Copenhagen")
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def rule(**kw):
    base = {"pk": 1, "kind": "monthly", "ordinal": 1, "weekday": 0, "on_date": None, "start_time": time(9),
            "end_time": time(15), "session_minutes": 60, "buffer_minutes": 15}
    return SimpleNamespace(**{**base, **kw})


def local_starts(candidates, zone=STHLM):
    return [c.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") for c in candidates]


def test_the_first_monday_of_every_month_of_2027():
    firsts = [rule_dates(rule(), date(2027, m, 1)) for m in range(1, 13)]
    assert firsts == [[date(2027, 1, 4)], [date(2027, 2, 1)], [date(2027, 3, 1)], [date(2027, 4, 5)],
                      [date(2027, 5, 3)], [date(2027, 6, 7)], [date(2027, 7, 5)], [date(2027, 8, 2)],
                      [date(2027, 9, 6)], [date(2027, 10, 4)], [date(2027, 11, 1)], [date(2027, 12, 6)]]
    assert all(d[0].weekday() == 0 and d[0].day <= 7 for d in firsts)


@pytest.mark.parametrize(("ordinal", "weekday", "expected"), [
    (2, 1, date(2027, 3, 9)),  # second Tuesday
    (3, 2, date(2027, 3, 17)),  # third Wednesday
    (4, 3, date(2027, 3, 25)),  # fourth Thursday
    (-1, 4, date(2027, 3, 26)),  # last Friday
    (-1, 0, date(2027, 5, 31)),  # last Monday of May is the 31st
])
def test_monthly_rules_pick_the_nth_or_last_weekday(ordinal, weekday, expected):
    assert rule_dates(rule(ordinal=ordinal, weekday=weekday), expected.replace(day=1)) == [expected]


def test_a_weekly_rule_gives_every_such_weekday_of_the_month():
    assert rule_dates(rule(kind="weekly", weekday=3), date(2027, 4, 1)) == [
        date(2027, 4, 1), date(2027, 4, 8), date(2027, 4, 15), date(2027, 4, 22), date(2027, 4, 29)]


def test_a_single_date_rule_only_gives_its_own_month():
    r = rule(kind="date", on_date=date(2027, 4, 14), weekday=None, ordinal=None)
    assert rule_dates(r, date(2027, 4, 1)) == [date(2027, 4, 14)]
    assert rule_dates(r, date(2027, 5, 1)) == []


def test_sessions_follow_each_other_with_the_buffer_and_end_by_the_end_time():
    assert day_wall_times(rule()) == [time(9), time(10, 15), time(11, 30), time(12, 45), time(14)]  # 14–15 fits
    assert day_wall_times(rule(buffer_minutes=0)) == [time(h) for h in range(9, 15)]
    # 10:00–10:45 would end after 10:44, so only the first session fits; a window shorter than a session gives none.
    assert day_wall_times(rule(session_minutes=45, buffer_minutes=15, end_time=time(10, 44))) == [time(9)]
    assert day_wall_times(rule(session_minutes=60, end_time=time(9, 59))) == []


@pytest.mark.parametrize("zone", [STHLM, CPH], ids=["Stockholm", "Copenhagen"])
def test_nine_o_clock_stays_nine_o_clock_local_across_the_march_and_october_changes(zone):
    # Sundays before and after the changes of 2027 (28 March and 31 October).
    weekly = rule(kind="weekly", weekday=6, start_time=time(9), end_time=time(10), buffer_minutes=0)
    march = rule_candidates(weekly, date(2027, 3, 1), zone=zone, blackout_dates=set(), now=LONG_AGO)
    october = rule_candidates(weekly, date(2027, 10, 1), zone=zone, blackout_dates=set(), now=LONG_AGO)
    utc = {c.starts_at.date(): c.starts_at.time() for c in march + october}
    assert utc[date(2027, 3, 21)] == time(8)  # winter time, UTC+1
    assert utc[date(2027, 3, 28)] == time(7)  # summer time from this day, UTC+2
    assert utc[date(2027, 10, 24)] == time(7)
    assert utc[date(2027, 10, 31)] == time(8)  # back to winter time
    assert {c.starts_at.astimezone(zone).time() for c in march + october} == {time(9)}
    assert all(c.ends_at.astimezone(zone).time() == time(10) for c in march + october)


@pytest.mark.parametrize("zone", [STHLM, CPH], ids=["Stockholm", "Copenhagen"])
def test_a_0230_session_on_the_spring_forward_sunday_is_skipped_because_that_time_does_not_exist(zone):
    last_sunday = rule(ordinal=-1, weekday=6, start_time=time(2, 30), end_time=time(3, 30), buffer_minutes=0)
    assert local_to_utc(date(2027, 3, 28), time(2, 30), zone) is None
    assert rule_candidates(last_sunday, date(2027, 3, 1), zone=zone, blackout_dates=set(), now=LONG_AGO) == []
    # The same rule in February (no change that day) gives its slot.
    feb = rule_candidates(last_sunday, date(2027, 2, 1), zone=zone, blackout_dates=set(), now=LONG_AGO)
    assert local_starts(feb, zone) == ["2027-02-28 02:30"]


@pytest.mark.parametrize("zone", [STHLM, CPH], ids=["Stockholm", "Copenhagen"])
def test_a_0230_session_on_the_fall_back_sunday_uses_the_first_of_the_two_0230s(zone):
    last_sunday = rule(ordinal=-1, weekday=6, start_time=time(2, 30), end_time=time(3, 30), buffer_minutes=0)
    [slot] = rule_candidates(last_sunday, date(2027, 10, 1), zone=zone, blackout_dates=set(), now=LONG_AGO)
    assert slot.starts_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # 02:30 summer time (fold=0)
    assert slot.starts_at.astimezone(zone).strftime("%H:%M %Z") == "02:30 CEST"
    assert (slot.ends_at - slot.starts_at).total_seconds() == 3600  # a real hour, whatever the clock says


def test_only_the_gap_sessions_of_a_day_are_skipped_the_rest_of_the_day_stays():
    night = rule(ordinal=-1, weekday=6, start_time=time(1, 30), end_time=time(4, 30), session_minutes=30,
                 buffer_minutes=30)
    starts = local_starts(rule_candidates(night, date(2027, 3, 1), zone=STHLM, blackout_dates=set(), now=LONG_AGO))
    assert starts == ["2027-03-28 01:30", "2027-03-28 03:30"]  # 02:30 never happens that night


def test_blackout_days_give_no_sessions():
    weekly = rule(kind="weekly", weekday=0)
    candidates = rule_candidates(weekly, date(2027, 3, 1), zone=STHLM,
                                 blackout_dates={date(2027, 3, 8), date(2027, 3, 15)}, now=LONG_AGO)
    assert sorted({c.starts_at.date() for c in candidates}) == [date(2027, 3, 1), date(2027, 3, 22),
                                                                 date(2027, 3, 29)]


def test_rules_no_longer_cap_or_delay_the_drafts_the_consultants_limits_do_that_on_the_offer():
    weekly = rule(kind="weekly", weekday=0)
    now = datetime(2027, 2, 27, 8, 30, tzinfo=UTC)
    starts = local_starts(rule_candidates(weekly, date(2027, 3, 1), zone=STHLM, now=now))
    assert len(starts) == 25 and starts[0] == "2027-03-01 09:00"
