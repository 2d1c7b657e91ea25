"""The report page, its CSV files and the query budget of every list page at 10 and at 1,000 bookings."""

import csv
import datetime as dt
import io
import secrets

import pytest
import time_machine
from django.urls import reverse

from booking.models import Booking
from consultants.models import Slot
from engagements.models import Engagement
from feedback.models import Feedback
from tests.factories import CompanyFactory, ConsultantFactory, MembershipFactory, UserFactory

MARCH = {"period": "month", "year": "2030", "month": "3"}


@pytest.fixture
def staff(db, client):
    user = UserFactory(is_staff=True, time_zone="UTC")
    client.force_login(user)
    return user


def _csv(response) -> tuple[str, list[list[str]]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    sep = ";" if response.wsgi_request.GET.get("sep") == "semicolon" else ","
    return body, list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=sep))


# --- the page -----------------------------------------------------------------------------------------------
def test_the_report_shows_each_consultants_figures_and_the_charts(client, staff, world):
    response = client.get(reverse("reports:index"), MARCH)
    assert response.status_code == 200
    text = response.text
    assert "Anna" in text and "Bo" in text and "Cleo" in text
    assert "60&nbsp;%" in text and "33&nbsp;%" in text  # Anna's utilisation and no-show rate
    assert "10,000.00\u00a0SEK" in text and "2,000.00\u00a0EUR" in text
    assert text.count("<svg") == 2
    assert "<title id=\"funnel-svg-title\">" in text and "<title id=\"trend-svg-title\">" in text
    assert "Free slots published: 8; Booked: 6; Held: 4; Proposal sent: 4; Won: 2" in text  # the funnel's desc
    assert "The funnel as a table" in text and "The trend as a table" in text


@pytest.mark.parametrize("language", ["sv", "da", "en"])
def test_chart_coordinates_are_plain_numbers_in_every_language(client, staff, world, language):
    import re

    staff.language = language
    staff.save()
    text = client.get(reverse("reports:index"), MARCH).text
    svg = "".join(re.findall(r"<svg.*?</svg>", text, flags=re.S))
    numbers = re.findall(r'\b(?:x|y|x1|x2|y1|y2|cx|cy|width|height|dy)="([^"%]*)"', svg)
    assert numbers and all(re.fullmatch(r"-?\d+(\.\d+)?", n) for n in numbers), sorted(set(numbers))[:10]
    points = re.findall(r'points="([^"]*)"', svg)
    assert all(re.fullmatch(r"(-?[\d.]+,-?[\d.]+ ?)+", p.strip()) for p in points), points


def test_the_cached_table_is_the_current_reports_in_the_viewers_language(client, staff, world):
    from django.core.cache import cache

    from reports.forms import PeriodForm
    from reports.views import _report_key

    assert "Anna" in client.get(reverse("reports:index"), MARCH).text
    world.anna.display_name = "Annika"
    world.anna.save()
    assert "Annika" not in client.get(reverse("reports:index"), MARCH).text  # figures at most a minute old
    cache.delete(_report_key(PeriodForm(MARCH, zone="UTC").get_period()))  # the minute is over
    assert "Annika" in client.get(reverse("reports:index"), MARCH).text  # a new report: its table, not the old one
    staff.language = "sv"
    staff.save()
    assert "Konvertering" in client.get(reverse("reports:index"), MARCH).text


@pytest.mark.parametrize("params", [
    {"period": "custom"},
    {"period": "custom", "start": "2030-03-10", "end": "2030-03-01"},
    {"period": "custom", "start": "yesterday", "end": "2030-03-01"},
    {"period": "month", "year": "99999", "month": "3"},
    {"period": "month", "year": "2030", "month": "13"},
    {"period": "fortnight"},
    {"period": "custom", "start": "2000-01-01", "end": "2030-01-01"},
])
def test_bad_periods_show_errors_never_a_500(client, staff, params):
    response = client.get(reverse("reports:index"), params)
    assert response.status_code == 400
    assert 'class="error' in response.text or "errorlist" in response.text
    assert client.get(reverse("reports:conversions_csv"), params).status_code == 400


def test_the_first_visit_shows_the_current_month(client, staff):
    with time_machine.travel(dt.datetime(2030, 5, 20, 12, tzinfo=dt.UTC), tick=False):
        client.force_login(staff)  # a session from 2026 has expired by 2030
        response = client.get(reverse("reports:index"))
    assert response.status_code == 200
    assert "1 May 2030" in response.text and "31 May 2030" in response.text


def test_a_quarter_a_year_and_custom_dates_can_be_chosen(client, staff, world):
    for params in ({"period": "quarter", "year": "2030", "quarter": "1"}, {"period": "year", "year": "2030"},
                   {"period": "custom", "start": "2030-03-01", "end": "2030-03-31"}):
        response = client.get(reverse("reports:index"), params)
        assert response.status_code == 200, params
        assert "Anna" in response.text


# --- CSV ------------------------------------------------------------------------------------------------------
def test_the_conversions_csv_has_a_bom_and_every_figure(client, staff, world):
    response = client.get(reverse("reports:conversions_csv"), MARCH)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="conversions-20300301-20300331.csv"' in response["Content-Disposition"]
    body, rows = _csv(response)
    assert body.startswith("\ufeffconsultant,")
    header = rows[0]
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    anna, bo, total = by_name["Anna"], by_name["Bo"], by_name["Total"]
    assert (anna["slots_published"], anna["booked"], anna["utilisation_percent"]) == ("5", "3", "60")
    assert (anna["revenue_ex_vat_SEK"], anna["median_days_session_to_payment"]) == ("10000.00", "10.0")
    assert (anna["pro_bono_hours"], anna["pro_bono_value_SEK"], anna["nps"]) == ("2.5", "3750.00", "33")
    assert (bo["revenue_ex_vat_DKK"], bo["revenue_ex_vat_EUR"], bo["median_days_session_to_payment"]) == (
        "5000.00", "2000.00", "4.5")
    assert by_name["Cleo"]["utilisation_percent"] == "" and by_name["Cleo"]["nps"] == ""
    assert (total["won"], total["conversion_percent"], total["nps"], total["responses"]) == ("2", "50", "20", "5")


def test_the_semicolon_csv_is_for_nordic_excel_with_decimal_commas(client, staff, world):
    response = client.get(reverse("reports:conversions_csv"), {**MARCH, "sep": "semicolon"})
    body, rows = _csv(response)
    assert body.startswith("\ufeffconsultant;slots_published;")
    anna = dict(zip(rows[0], next(r for r in rows if r[0] == "Anna"), strict=True))
    assert (anna["revenue_ex_vat_SEK"], anna["pro_bono_hours"]) == ("10000,00", "2,5")


def test_the_leads_csv_lists_every_lead_with_its_stage_and_value(client, staff, world):
    world.a1.company.name = "Åkerö Fisk AB"
    world.a1.company.save()
    body, rows = _csv(client.get(reverse("reports:leads_csv")))
    assert body.startswith("\ufeffbooking_id,booked_at,session_at,consultant,company,status,stage,")
    assert len(rows) - 1 == Booking.objects.count() == 10
    leads = {int(r[0]): dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    a1 = leads[world.a1.pk]
    assert (a1["company"], a1["consultant"], a1["status"], a1["stage"]) == ("Åkerö Fisk AB", "Anna", "Held", "Won")
    assert (a1["won_value_ex_vat"], a1["session_at"], a1["paid_at"]) == ("10000.00", "2030-03-04 09:00",
                                                                        "2030-03-14 09:00")
    a2 = leads[world.a2.pk]
    assert (a2["stage"], a2["proposal_value_ex_vat"], a2["proposal_currency"], a2["proposal_status"],
            a2["won_value_ex_vat"]) == ("Proposal sent", "3000.00", "SEK", "Proposed", "")
    b1 = leads[world.b1.pk]
    assert b1["stage"] == "Won"
    stages = sorted(r["stage"] for r in leads.values())
    assert stages.count("Lost") == 2  # the no-show and the refunded engagement
    assert stages.count("Cancelled before the session") == 1  # a cancelled free session is not a lost sale


def test_the_leads_csv_with_semicolons(client, staff, world):
    response = client.get(reverse("reports:leads_csv"), {"sep": "semicolon"})
    body, rows = _csv(response)
    assert body.startswith("\ufeffbooking_id;booked_at;")
    assert any(r[10] == "10000,00" for r in rows[1:])


# --- query counts ------------------------------------------------------------------------------------------
def _bulk(n: int) -> None:
    """n bookings over three consultants in March 2030: held, with an engagement and a feedback answer each."""
    consultants = [ConsultantFactory() for _ in range(3)]
    company = CompanyFactory()
    booker = MembershipFactory(company=company).user
    start = dt.datetime(2030, 3, 1, 8, tzinfo=dt.UTC)
    slots = Slot.objects.bulk_create([
        Slot(consultant=consultants[i % 3], starts_at=start + dt.timedelta(minutes=30 * i),
             ends_at=start + dt.timedelta(minutes=30 * i + 25), status="booked") for i in range(n)])
    bookings = Booking.objects.bulk_create([
        Booking(slot=s, consultant=s.consultant, company=company, booked_by=booker,
                status=["held", "no_show", "confirmed"][i % 3], confirmed_at=start,
                manage_token_hash=secrets.token_hex(32)) for i, s in enumerate(slots)])
    Engagement.objects.bulk_create([
        Engagement(booking=b, consultant=b.consultant, company=company, title="Work", scope="Scope",
                   amount_minor=100_000 + i, currency=["SEK", "DKK", "EUR"][i % 3], valid_until=dt.date(2030, 6, 1),
                   status="paid", paid_at=b.slot.starts_at + dt.timedelta(days=i % 20))
        for i, b in enumerate(bookings) if b.status == "held"])
    Feedback.objects.bulk_create([
        Feedback(booking=b, kind="session", score=i % 11, comment=f"Comment {i}", show_company=bool(i % 2),
                 sent_at=start, answered_at=dt.datetime(2030, 3, 20, tzinfo=dt.UTC))
        for i, b in enumerate(bookings) if b.status == "held"])


PAGES = [
    # 2 session/user + 10 report + the 60-second cache of the figures and of their rendered table (DatabaseCache:
    # up to 6 each; a get when cached) + the customer NPS change per consultant (one query, all time)
    ("reports:index", MARCH, 27),
    ("reports:conversions_csv", MARCH, 20),
    ("reports:leads_csv", {}, 4),
]


@pytest.mark.parametrize(("name", "params", "budget"), PAGES)
@pytest.mark.parametrize("n", [10, 1000])
def test_report_pages_use_the_same_number_of_queries_at_10_and_1000_bookings(
        client, staff, django_assert_max_num_queries, name, params, budget, n):
    _bulk(n)
    with django_assert_max_num_queries(budget):
        response = client.get(reverse(name), params)
        if hasattr(response, "streaming_content"):
            _body, rows = _csv(response)
            if name == "reports:leads_csv":
                assert len(rows) == n + 1
    assert response.status_code == 200


@pytest.mark.parametrize("n", [10, 1000])
def test_the_wall_and_the_feedback_page_use_the_same_number_of_queries(
        db, client, django_assert_max_num_queries, n):
    _bulk(n)
    consultant = Booking.objects.first().consultant
    with time_machine.travel(dt.datetime(2030, 3, 25, tzinfo=dt.UTC), tick=False):
        client.force_login(consultant.user)
        with django_assert_max_num_queries(10):
            assert client.get(reverse("reports:my_feedback")).status_code == 200
        with django_assert_max_num_queries(10):
            assert client.get(reverse("reports:wall")).status_code == 200


def test_leads_at_the_same_time_each_get_their_own_proposals(client, staff):
    from tests.factories import EngagementFactory, HeldBookingFactory

    same = dt.datetime(2030, 3, 4, 9, tzinfo=dt.UTC)
    first = HeldBookingFactory(slot__starts_at=same, slot__ends_at=same + dt.timedelta(hours=1))
    second = HeldBookingFactory(slot__starts_at=same, slot__ends_at=same + dt.timedelta(hours=1))
    EngagementFactory(booking=first, status="declined", amount_minor=100_00)
    EngagementFactory(booking=first, status="proposed", amount_minor=200_00)
    EngagementFactory(booking=second, status="paid", amount_minor=300_00, paid_at=same + dt.timedelta(days=2))
    EngagementFactory(booking=second, status="completed", amount_minor=400_00, paid_at=same + dt.timedelta(days=5))
    _body, rows = _csv(client.get(reverse("reports:leads_csv")))
    leads = {int(r[0]): dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    one, two = leads[first.pk], leads[second.pk]
    assert (one["proposal_value_ex_vat"], one["proposal_status"], one["won_value_ex_vat"], one["stage"]) == (
        "200.00", "Proposed", "", "Proposal sent")
    assert (two["proposal_value_ex_vat"], two["won_value_ex_vat"], two["paid_at"], two["stage"]) == (
        "400.00", "700.00", "2030-03-09 09:00", "Won")


def test_csv_cells_never_start_a_spreadsheet_formula(client, staff):
    from tests.factories import EngagementFactory, HeldBookingFactory

    booking = HeldBookingFactory(company__name='=HYPERLINK("http://evil.test","click")',
                                 slot__consultant__display_name="@SUM(A1:A9)",
                                 slot__starts_at=dt.datetime(2030, 3, 4, 9, tzinfo=dt.UTC),
                                 slot__ends_at=dt.datetime(2030, 3, 4, 10, tzinfo=dt.UTC))
    EngagementFactory(booking=booking, status="proposed")
    from tests.factories import FeedbackFactory

    FeedbackFactory(booking=booking, score=0)  # an NPS of −100 must stay a number
    _body, leads = _csv(client.get(reverse("reports:leads_csv")))
    assert leads[1][3] == "'@SUM(A1:A9)" and leads[1][4] == """'=HYPERLINK("http://evil.test","click")"""
    _body, report = _csv(client.get(reverse("reports:conversions_csv"), MARCH))
    row = dict(zip(report[0], report[1], strict=True))
    assert row["consultant"] == "'@SUM(A1:A9)" and row["nps"] == "-100"
