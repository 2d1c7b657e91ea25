"""Stored markup never runs: every free-text field people type (names, company, bio, intake answers, gap report,
proposal, reasons, survey comment on the wall) holds a script payload, and every page of the security matrix is
rendered for every actor who may see it — no <script>, no event handler, no javascript: link may come through.
The staff CSV exports neutralise spreadsheet formulas."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Company, User
from booking.models import Booking, IntakeAnswer, PipelineEvent
from consultants.models import Consultant
from feedback.models import Feedback
from tests.security.test_csp import inline_problems
from tests.security.test_url_matrix import READABLE_ROWS, client_for, pages_read
from tests.security.world import build_world

PAYLOAD = ("<script>alert(1)</script><img src=x onerror=alert(2)>\"'><svg onload=alert(3)>"
           "<a href=\"javascript:alert(4)\">x</a>")
FORMULA = "=HYPERLINK(\"http://evil.example\",\"click\")"


def hostile_world():
    w = build_world()
    for user in w.users.values():
        if user is not None:
            User.objects.filter(pk=user.pk).update(name=f"{PAYLOAD} {user.pk}")
    Company.objects.filter(pk=w.company.pk).update(name=FORMULA + PAYLOAD)
    Consultant.objects.filter(pk=w.consultant_profile.pk).update(display_name="Cecilia" + PAYLOAD, headline=PAYLOAD,
                                                                  bio=PAYLOAD + "\n\n" + PAYLOAD, city=PAYLOAD[:100])
    for booking in (w.booking, w.held_booking, w.requested_booking, w.past_confirmed_booking):
        IntakeAnswer.objects.create(booking=booking, question_label=PAYLOAD, question_kind="long_text",
                                    value=PAYLOAD)
        PipelineEvent.objects.create(booking=booking, kind="cancelled", actor_name=PAYLOAD,
                                     data={"reason": PAYLOAD, "cause": PAYLOAD})
    Booking.objects.filter(pk=w.booking.pk).update(cancel_reason=PAYLOAD)
    if hasattr(w, "gap_report") or "gap_report" in w.objects:
        from engagements.models import Engagement, GapItem, GapReport

        GapReport.objects.filter(pk=w.gap_report.pk).update(summary=PAYLOAD, recommendations=PAYLOAD,
                                                            next_steps=PAYLOAD)
        GapItem.objects.filter(report=w.gap_report).update(title=PAYLOAD, detail=PAYLOAD)
        Engagement.objects.filter(booking=w.held_booking).update(title=FORMULA + PAYLOAD, scope=PAYLOAD,
                                                                 decline_reason=PAYLOAD)
    if "survey" in w.objects:
        Feedback.objects.filter(pk=w.survey.pk).update(score=10, comment=PAYLOAD, show_company=True,
                                                       answered_at=timezone.now())
    return w


@pytest.mark.parametrize("row", READABLE_ROWS, ids=lambda r: r.name)
def test_typed_markup_is_shown_as_text_on_every_page(db, row):
    found = {}
    url = ""
    for actor, url, response in pages_read(hostile_world(), row):
        if not response["Content-Type"].startswith("text/html"):
            continue  # JSON is data served as an attachment; calendars and CSV are not rendered by a browser
        problems = inline_problems(response.content.decode())
        if problems:
            found[actor] = problems
    assert not found, f"{url}: {found}"


CSV_EXPORTS = ["reports:conversions_csv", "reports:leads_csv"]


@pytest.mark.parametrize("name", CSV_EXPORTS)
def test_csv_exports_do_not_start_cells_with_a_formula(db, name):
    world = hostile_world()
    response = client_for(world, "staff").get(reverse(name))
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0]) if text.strip() else csv.excel
    for row in csv.reader(io.StringIO(text), dialect):
        for cell in row:
            assert not cell.startswith(("=", "+", "@")), f"{name}: formula cell {cell[:40]!r}"
            assert not (cell.startswith("-") and not cell[1:2].isdigit()), f"{name}: formula cell {cell[:40]!r}"


def test_the_payload_really_reaches_the_pages_escaped(db):
    """So the sweep above is not passing on pages that never show the typed text."""
    world = hostile_world()
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    pages = {"member": [reverse("booking:company_booking", kwargs={"pk": world.booking.pk}),
                        reverse("engagements:gap_report", kwargs={"booking_id": world.held_booking.pk})],
             "consultant": [reverse("booking:consultant_dashboard")],
             "anonymous": [reverse("consultants:profile", kwargs={"slug": world.consultant_profile.slug})],
             "staff": [reverse("reports:wall")]}
    for actor, urls in pages.items():
        client = client_for(world, actor)
        for url in urls:
            html = client.get(url).content.decode()
            assert escaped in html, (actor, url)
