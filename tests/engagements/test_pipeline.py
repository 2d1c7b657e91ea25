"""The pipeline board: every booking is a lead in exactly one column; counts checked by hand."""

import datetime as dt

import pytest
from django.urls import reverse

from engagements.selectors import pipeline_board
from tests.factories import BookingFactory, ConsultantFactory, EngagementFactory, SlotFactory

pytestmark = pytest.mark.django_db

MARCH = dt.datetime(2031, 3, 3, 8, tzinfo=dt.UTC)
APRIL = dt.datetime(2031, 4, 7, 8, tzinfo=dt.UTC)


def _lead(consultant, status="held", when=MARCH, n=[0]):  # noqa: B006 — a counter for distinct slot times
    n[0] += 1
    start = when + dt.timedelta(hours=n[0])
    slot = SlotFactory(consultant=consultant, starts_at=start, ends_at=start + dt.timedelta(hours=1), status="booked")
    return BookingFactory(slot=slot, status=status)


@pytest.fixture
def seeded(consultant):
    """13 leads of one consultant (+1 of another). By hand: booked 2, held 2, proposal 3, won 2, lost 3, cancelled 1."""
    c = consultant
    _lead(c, "confirmed", APRIL)                                          # booked (April)
    _lead(c, "requested", APRIL)                                          # booked (April)
    _lead(c, "held")                                                      # held
    EngagementFactory(booking=_lead(c, "held"), status="draft")           # held: a draft is not a proposal
    EngagementFactory(booking=_lead(c, "held"), amount_minor=1_000_000)   # proposal, SEK 10 000
    EngagementFactory(booking=_lead(c, "held", APRIL), status="accepted", currency="EUR", amount_minor=50_000)
    EngagementFactory(booking=_lead(c, "held"), status="paid")            # won
    won = _lead(c, "held")                                                # won beats an earlier decline
    EngagementFactory(booking=won, status="declined")
    EngagementFactory(booking=won, status="completed")
    EngagementFactory(booking=_lead(c, "held"), status="declined")        # lost
    EngagementFactory(booking=_lead(c, "held"), status="expired")         # lost
    _lead(c, "no_show")                                                   # lost
    _lead(c, "cancelled")                                                 # cancelled: not a lost sale
    second_try = _lead(c, "held")                                         # proposal: a new offer after a decline
    EngagementFactory(booking=second_try, status="declined")
    EngagementFactory(booking=second_try, amount_minor=500_000)           # SEK 5 000
    _lead(ConsultantFactory(), "held")                                    # someone else's
    return c


def test_each_lead_is_counted_in_its_stage(seeded):
    board = pipeline_board(consultant=seeded)
    assert {c.stage: c.count for c in board.columns} == {"booked": 2, "held": 2, "proposal": 3, "won": 2, "lost": 3}
    assert [c.stage for c in board.columns] == ["booked", "held", "proposal", "won", "lost"]
    assert board.cancelled == 1


def test_open_proposal_value_is_summed_per_currency_excluding_vat(seeded):
    board = pipeline_board(consultant=seeded)
    assert board.open_value == [{"currency": "EUR", "total": 50_000}, {"currency": "SEK", "total": 1_500_000}]


def test_the_month_filter_uses_the_session_month(seeded, login):
    board = pipeline_board(consultant=seeded, month=dt.date(2031, 4, 1))
    assert {c.stage: c.count for c in board.columns} == {"booked": 2, "held": 0, "proposal": 1, "won": 0, "lost": 0}
    assert board.open_value == [{"currency": "EUR", "total": 50_000}]
    page = login(seeded.user).get(reverse("engagements:pipeline"), {"month": "2031-04"}).content.decode()
    assert 'data-count="2"' in page and "500.00" in page


def test_the_board_page_shows_counts_and_values(seeded, login):
    page = login(seeded.user).get(reverse("engagements:pipeline")).content.decode()
    for label, count in [("Booked", 2), ("Held", 2), ("Proposal sent", 3), ("Won", 2), ("Lost", 3)]:
        assert f'{label} <span class="count" data-count="{count}">' in page
    assert "1 free session was cancelled, declined or expired before it was held (not counted as lost)." in page
    assert "15,000.00" in page and "500.00" in page


def test_the_board_is_404_for_anyone_but_a_consultant(member, staff_user, login):
    assert login(member).get(reverse("engagements:pipeline")).status_code == 404
    assert login(staff_user).get(reverse("engagements:pipeline")).status_code == 404


@pytest.mark.parametrize("leads", [3, 60])
def test_the_board_runs_the_same_number_of_queries_for_3_and_60_leads(
        consultant, login, leads, django_assert_max_num_queries):
    statuses = ["confirmed", "held", "no_show"]
    for i in range(leads):
        booking = _lead(consultant, statuses[i % 3])
        if i % 3 == 1:
            EngagementFactory(booking=booking, status=["proposed", "paid", "declined"][i % 9 // 3])
    client = login(consultant.user)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("engagements:pipeline"))
    board = pipeline_board(consultant=consultant)
    assert sum(column.count for column in board.columns) == leads
    assert response.content.decode().count('class="card lead-card"') == sum(len(c.shown) for c in board.columns)


def test_columns_that_grow_with_history_show_their_newest_cards_and_count_the_rest(consultant, login):
    from engagements.selectors import CARDS_SHOWN

    for _ in range(CARDS_SHOWN + 3):
        _lead(consultant, "no_show")
    for _ in range(CARDS_SHOWN + 2):
        _lead(consultant, "held")
    for _ in range(CARDS_SHOWN + 3):
        _lead(consultant, "confirmed", APRIL)
    columns = {c.stage: c for c in pipeline_board(consultant=consultant).columns}
    assert (columns["lost"].count, len(columns["lost"].shown), columns["lost"].not_shown) == (CARDS_SHOWN + 3,
                                                                                             CARDS_SHOWN, 3)
    assert (columns["held"].count, len(columns["held"].shown), columns["held"].not_shown) == (CARDS_SHOWN + 2,
                                                                                             CARDS_SHOWN, 2)
    newest_held = sorted(columns["held"].shown, key=lambda c: c.starts_at, reverse=True)
    assert columns["held"].shown == newest_held  # the newest, newest first
    booked = columns["booked"]
    assert len(booked.shown) == booked.count == CARDS_SHOWN + 3  # upcoming sessions are never hidden
    client = login(consultant.user)
    body = client.get(reverse("engagements:pipeline")).content.decode()
    assert "and 3 older leads" in body and "and 2 older leads" in body


def test_a_card_shows_company_session_date_status_and_proposal_in_the_viewers_words(consultant, login):
    consultant.user.language, consultant.user.time_zone = "sv", "America/New_York"
    consultant.user.save()
    start = dt.datetime(2031, 5, 1, 2, tzinfo=dt.UTC)  # still 30 April in New York
    slot = SlotFactory(consultant=consultant, starts_at=start, ends_at=start + dt.timedelta(hours=1), status="booked")
    lead = BookingFactory(slot=slot, status="held")
    EngagementFactory(booking=lead, title="Kundresa", amount_minor=1_234_500, currency="SEK")
    body = login(consultant.user).get(reverse("engagements:pipeline")).content.decode()
    assert f'<a href="{reverse("engagements:session", args=[lead.pk])}"><strong>{lead.company.name}</strong>' in body
    assert "30 april 2031 · Genomförd" in body
    assert "Kundresa · 12\u00a0345,00\u00a0SEK" in body
