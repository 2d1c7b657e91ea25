"""The company's own customers' NPS: real-looking exports in (fixture files in both encodings and separators, an
.xlsx, Swedish and Danish headers, bad rows), figures computed exactly like the product's own NPS, the consultant's
preparation view, the second snapshot after a completed engagement, the timeline, the reports, the public profile
only with consent, and the company's data rights."""

import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from booking.models import PipelineEvent
from consultants.public_cache import public_pages_changed
from engagements.services import engagement_complete
from feedback.customer_nps import (
    CustomerNpsError,
    customer_nps_change_by_consultant,
    customer_nps_save,
    figures_of,
)
from feedback.customer_nps_import import MAX_ROWS, ImportRefused, parse_export
from feedback.models import CustomerNpsComment, CustomerNpsRequest, CustomerNpsSnapshot
from feedback.nps import nps
from tests.factories import ConsultantFactory, EngagementFactory, HeldBookingFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading exports ------------------------------------------------------------------------------------
def test_a_swedish_cp1252_semicolon_export_is_read_with_its_dates_comments_and_segments():
    parsed = parse_export(data=fixture("betyg_sv_cp1252_semikolon.csv"), filename="betyg.csv")
    assert parsed.encoding != "utf_8" and parsed.delimiter == ";"
    # scores 10, 9, 10, 8, 7, 6, 2, 8: 3 promoters, 3 passives, 2 detractors of 8
    assert parsed.counts == [0, 0, 1, 0, 0, 0, 1, 1, 2, 1, 2]
    assert parsed.monthly == {"2026-09": [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1],
                              "2026-10": [0, 0, 1, 0, 0, 0, 1, 1, 2, 0, 1]}
    texts = {c.comment: (c.score, c.segment) for c in parsed.comments}
    assert texts["Personalen är fantastisk, tack för hjälpen!"] == (10, "Hyresgäst")
    assert texts["Ingen återkoppling på felanmälan - igen"] == (2, "Hyresgäst")
    assert len(parsed.comments) == 6


def test_an_english_utf8_comma_export_with_quoted_commas():
    parsed = parse_export(data=fixture("scores_en_utf8_comma.csv"), filename="scores.csv")
    assert parsed.delimiter == "," and parsed.responses == 20
    assert 'They called me back the same day, "wow"' in [c.comment for c in parsed.comments]


def test_a_danish_utf8_export_with_a_bom_and_day_first_dates():
    parsed = parse_export(data=fixture("karakterer_da_utf8_semikolon.csv"), filename="karakterer.csv")
    assert parsed.counts == [0, 1, 0, 0, 1, 1, 0, 1, 2, 1, 1]
    assert list(parsed.monthly) == ["2026-11"]
    assert "Søde og hjælpsomme medarbejdere" in [c.comment for c in parsed.comments]


def test_an_excel_workbook_with_swedish_headers_and_real_dates():
    import datetime as dt

    data = xlsx([["Svarsdatum", "Betyg (0-10)", "Kommentar"], [dt.datetime(2026, 8, 1, 9, 30), 10, "Toppen"],
                 [dt.datetime(2026, 8, 2), 9.0, None], [dt.datetime(2026, 9, 3), 3, "Dåligt"], [None, None, None]])
    parsed = parse_export(data=data, filename="export.xlsx")
    assert parsed.counts == [0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1]
    assert parsed.monthly["2026-08"][10] == 1 and parsed.monthly["2026-09"][3] == 1
    assert [c.comment for c in parsed.comments] == ["Toppen", "Dåligt"]


def test_bad_rows_are_named_by_their_row_number_and_the_file_is_refused():
    with pytest.raises(ImportRefused) as refused:
        parse_export(data=fixture("betyg_felaktiga_rader.csv"), filename="betyg.csv")
    assert refused.value.errors == [
        "row 3: 'elva' is not a score from 0 to 10",
        "row 4: the score is missing",
        "row 5: '11' is not a score from 0 to 10",
        "row 6: '32.13.2026' is not a date",
    ]


def test_a_file_without_a_header_is_read_as_scores_and_one_without_scores_is_refused():
    assert parse_export(data=b"10\n9\n3\n", filename="x.csv").counts == [0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1]
    with pytest.raises(ImportRefused) as refused:
        parse_export(data=b"Namn;Stad\nAnna;Lund\n", filename="x.csv")
    assert "No column with the scores" in refused.value.errors[0]


def test_limits_on_size_and_rows(settings):
    with pytest.raises(ImportRefused, match="larger than 5 MB"):
        parse_export(data=b"score\n" + b"10\n" * (3 * 1024 * 1024), filename="big.csv")
    with pytest.raises(ImportRefused, match="more than"):
        parse_export(data=b"score\n" + b"9\n" * (MAX_ROWS + 1), filename="many.csv")
    with pytest.raises(ImportRefused, match="Excel"):
        parse_export(data=b"PK\x03\x04not really a zip", filename="broken.xlsx")


# --- the same NPS as the product's own --------------------------------------------------------------------
@pytest.mark.parametrize("name, expected_nps, shares", [
    ("betyg_sv_cp1252_semikolon.csv", 13, {"promoters": 38, "passives": 38, "detractors": 25}),  # 12.5 → 13
    ("karakterer_da_utf8_semikolon.csv", -13, {"promoters": 25, "passives": 38, "detractors": 38}),  # −12.5 → −13
    ("scores_en_utf8_comma.csv", 10, {"promoters": 45, "passives": 20, "detractors": 35}),  # (9 − 7) / 20
])
def test_figures_are_the_products_own_nps_with_its_rounding(name, expected_nps, shares):
    booking = HeldBookingFactory()
    parsed = parse_export(data=fixture(name), filename=name)
    snapshot = customer_nps_save(booking=booking, phase="before", by=booking.booked_by, parsed=parsed, filename=name)
    figures = figures_of(snapshot)
    assert figures.nps == expected_nps
    assert figures.nps == nps(figures.promoters, figures.detractors, figures.responses)
    assert figures.shares == shares


# --- the company uploads, the consultant prepares -------------------------------------------------------
@pytest.fixture
def booking():
    return HeldBookingFactory(slot__consultant=ConsultantFactory(display_name="Anna Lindqvist"))


def upload(client, booking, name, data=None, **extra):
    client.force_login(booking.booked_by)
    file = SimpleUploadedFile(name, data if data is not None else fixture(name))
    return client.post(reverse("booking:customer_nps_upload", args=[booking.pk]), {"file": file, **extra})


def test_a_member_uploads_and_the_consultant_sees_nps_distribution_trend_and_comments(client, booking):
    response = upload(client, booking, "betyg_sv_cp1252_semikolon.csv")
    assert response.status_code == 302
    snapshot = CustomerNpsSnapshot.objects.get(booking=booking)
    assert (snapshot.phase, snapshot.responses, snapshot.source) == ("before", 8, "file")
    client.force_login(booking.consultant.user)
    page = client.get(reverse("engagements:session", args=[booking.pk])).content.decode()
    assert "+13" in page and "Promoters 38 %, passives 38 %, detractors 25 %" in page
    assert "<title>10: 2</title>" in page and "<title>2: 1</title>" in page  # the SVG distribution
    assert "2026-09" in page and "2026-10" in page  # by month
    assert "Personalen är fantastisk" in page and "Svårt att nå er på telefon" in page
    searched = client.get(reverse("engagements:session", args=[booking.pk]), {"q": "telefon"}).content.decode()
    assert "Svårt att nå er på telefon" in searched and "Personalen är fantastisk" not in searched
    event = PipelineEvent.objects.get(booking=booking, kind="customer_nps")
    assert event.data == {"phase": "before", "nps": 13, "responses": 8}


def test_a_bad_upload_shows_the_row_errors_and_saves_nothing(client, booking):
    response = upload(client, booking, "betyg_felaktiga_rader.csv")
    assert response.status_code == 400
    text = response.content.decode()
    assert "row 3: &#x27;elva&#x27; is not a score from 0 to 10" in text and "row 6:" in text
    assert not CustomerNpsSnapshot.objects.exists()


def test_typed_counts_work_without_a_file_and_are_checked(client, booking):
    client.force_login(booking.booked_by)
    url = reverse("booking:customer_nps_upload", args=[booking.pk])
    counts = {f"count_{s}": 0 for s in range(11)}
    assert client.post(url, counts).status_code == 400  # nothing typed
    assert client.post(url, {**counts, "count_3": "-1"}).status_code == 400
    assert client.post(url, {**counts, "count_10": "30", "count_8": "10", "count_2": "10"}).status_code == 302
    snapshot = CustomerNpsSnapshot.objects.get()
    assert snapshot.source == "typed" and figures_of(snapshot).nps == 40  # (30 − 10) / 50
    with pytest.raises(CustomerNpsError):
        customer_nps_save(booking=booking, phase="before", by=booking.booked_by, counts=[0] * 11)


def test_an_xlsx_upload_through_the_page(client, booking):
    data = xlsx([["Score", "Comment"], [10, "Lovely"], [0, "Awful"], [9, None]])
    assert upload(client, booking, "export.xlsx", data).status_code == 302
    assert CustomerNpsSnapshot.objects.get().counts == [1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]


def test_outsiders_cannot_upload_for_someone_elses_booking(client, booking):
    client.force_login(MembershipFactory().user)
    url = reverse("booking:customer_nps_upload", args=[booking.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"file": SimpleUploadedFile("a.csv", b"score\n10\n")}).status_code == 404
    with pytest.raises(CustomerNpsError):
        customer_nps_save(booking=booking, phase="before", by=UserFactory(), counts=[1] * 11)
    assert not CustomerNpsSnapshot.objects.exists()


# --- before and after -----------------------------------------------------------------------------------
def _before(booking, counts):
    return customer_nps_save(booking=booking, phase="before", by=booking.booked_by, counts=counts)


def test_a_completed_engagement_asks_for_the_second_snapshot_and_the_timeline_shows_the_change(
        client, booking, django_capture_on_commit_callbacks, mailoutbox):
    # Before: 170 promoters, 122 passives, 120 detractors of 412 → +12 (12.1).  After: 200/108/80 of 388 → +31.
    _before(booking, [8, 5, 6, 9, 14, 30, 48, 52, 70, 80, 90])
    engagement = EngagementFactory(booking=booking, status="paid")
    with django_capture_on_commit_callbacks(execute=True):
        engagement_complete(engagement=engagement, by=booking.consultant.user)
    ask = CustomerNpsRequest.objects.get(booking=booking)
    mail = next(m for m in mailoutbox if "/customer-nps/" in m.body)
    assert mail.to == [booking.booked_by.email]
    link = next(w for w in mail.body.split() if "/customer-nps/" in w)
    client.logout()
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert client.get(path).status_code == 200  # no login: the link is the credential
    counts = {f"count_{s}": n for s, n in enumerate([3, 2, 3, 5, 9, 20, 38, 48, 60, 90, 110])}
    page = client.post(path, {**counts, "public_consent": "on"})
    assert page.status_code == 200 and "Thank you" in page.content.decode()
    ask.refresh_from_db()
    assert ask.answered_at is not None
    after = CustomerNpsSnapshot.objects.get(booking=booking, phase="after")
    assert after.public_consent and figures_of(after).nps == 31
    event = PipelineEvent.objects.filter(booking=booking, kind="customer_nps").last()
    assert event.data == {"phase": "after", "nps": 31, "responses": 388, "before_nps": 12, "before_responses": 412}
    client.force_login(booking.booked_by)
    timeline = client.get(reverse("booking:company_booking", args=[booking.pk])).content.decode()
    assert "Customer NPS +12 → +31 (412 → 388 answers)" in timeline
    client.force_login(booking.consultant.user)
    session = client.get(reverse("engagements:session", args=[booking.pk])).content.decode()
    assert "Customer NPS +12 → +31 (412 → 388 answers)" in session
    assert 'id="customer-nps-before"' in session and 'id="customer-nps-after"' in session  # side by side


def test_no_second_snapshot_is_asked_without_a_first(booking, django_capture_on_commit_callbacks, mailoutbox):
    engagement = EngagementFactory(booking=booking, status="paid")
    with django_capture_on_commit_callbacks(execute=True):
        engagement_complete(engagement=engagement, by=booking.consultant.user)
    assert not CustomerNpsRequest.objects.exists()
    assert not [m for m in mailoutbox if "/customer-nps/" in m.body]


def test_an_unknown_link_is_404(client):
    assert client.get(reverse("booking:customer_nps_after", args=["nope"])).status_code == 404


def test_reports_show_the_median_change_per_consultant(client, booking):
    anna = booking.consultant
    # Engagement 1: before 10 promoters of 10 (+100), after 10 detractors (−100): change −200.
    # Engagement 2: five of each score: 10 promoters, 35 detractors of 55 → −45.45 → −45; after all 10s (+100):
    # change +145.  Engagement 3: 0 → +20: change +20.  Median of (−200, +145, +20) = +20.
    changes = [([0] * 10 + [10], [10] + [0] * 10), ([5] * 11, [0] * 10 + [5])]
    second = HeldBookingFactory(slot__consultant=anna)
    third = HeldBookingFactory(slot__consultant=anna)
    for b, (before, after) in zip([booking, second], changes, strict=True):
        _before(b, before)
        customer_nps_save(booking=b, phase="after", by=None, counts=after)
    _before(third, [0, 0, 0, 0, 0, 0, 2, 4, 2, 1, 1])  # 2 promoters, 2 detractors of 10 → 0
    customer_nps_save(booking=third, phase="after", by=None, counts=[0, 0, 0, 0, 0, 0, 1, 4, 2, 2, 1])  # +20
    other = HeldBookingFactory()
    _before(other, [1] * 11)  # only a first snapshot: not counted
    result = customer_nps_change_by_consultant()
    assert list(result) == [anna.pk]
    assert (result[anna.pk].median_change, result[anna.pk].engagements) == (20, 3)
    client.force_login(UserFactory(is_staff=True))
    page = client.get(reverse("reports:index")).content.decode()
    assert "Customer NPS change" in page and "+20" in page


def test_the_public_profile_shows_the_change_only_with_consent(client, booking):
    _before(booking, [0] * 10 + [4])
    after = customer_nps_save(booking=booking, phase="after", by=None, counts=[0] * 10 + [8])
    url = reverse("consultants:profile", args=[booking.consultant.slug])
    booking.consultant.is_public = True
    booking.consultant.save()
    assert "Customer NPS +100" not in client.get(url).content.decode()
    CustomerNpsSnapshot.objects.filter(pk=after.pk).update(public_consent=True)
    public_pages_changed()  # the raw update stands in for a service; services and saves bump the visitors' cache
    page = client.get(url).content.decode()
    assert "Customer NPS +100 → +100 (4 → 8 answers)" in page
    assert booking.company.name not in page


# --- the company's data -----------------------------------------------------------------------------------
def test_the_privacy_export_includes_the_snapshots_and_deletion_removes_them(client):
    membership = MembershipFactory(role="owner")
    booking = HeldBookingFactory(company=membership.company, booked_by=membership.user)
    parsed = parse_export(data=fixture("betyg_sv_cp1252_semikolon.csv"), filename="betyg.csv")
    customer_nps_save(booking=booking, phase="before", by=membership.user, parsed=parsed, filename="betyg.csv")
    client.force_login(membership.user)
    data = json.loads(client.get(reverse("reports:company_export")).content)
    [exported] = next(b for b in data["bookings"] if b["id"] == booking.pk)["customer_nps"]
    assert exported["answers_per_score"] == [0, 0, 1, 0, 0, 0, 1, 1, 2, 1, 2]
    assert "Personalen är fantastisk, tack för hjälpen!" in [c["comment"] for c in exported["comments"]]
    response = client.post(reverse("reports:company_delete"), {"confirm_name": membership.company.name})
    assert response.status_code == 302
    assert not CustomerNpsSnapshot.objects.exists() and not CustomerNpsComment.objects.exists()
