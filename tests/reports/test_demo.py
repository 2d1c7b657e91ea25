import pytest
from django.core.management import call_command

from feedback.models import Feedback
from reports.selectors import promoter_wall

pytestmark = pytest.mark.django_db


def test_the_demo_has_promoters_passives_and_detractors_over_six_months_and_runs_twice(capsys):
    call_command("demo_data")
    answered = Feedback.objects.filter(answered_at__isnull=False)
    count = answered.count()
    scores = set(answered.values_list("score", flat=True))
    assert scores & {9, 10} and scores & {7, 8} and scores & set(range(7))
    months = {(a.year, a.month) for a in answered.values_list("answered_at", flat=True)}
    assert len(months) >= 6
    wall = promoter_wall(zone="Europe/Stockholm")
    assert wall.promoters and wall.responses
    call_command("demo_data")
    assert Feedback.objects.filter(answered_at__isnull=False).count() == count


def test_the_demo_prints_a_working_wall_screen_link_and_keeps_one_screen(client, capsys):
    call_command("demo_data")
    out = capsys.readouterr().out
    link = next(line.split()[-1] for line in out.splitlines() if "wall screen" in line)
    assert "/wall/screen/" in link
    call_command("demo_data")
    assert link in capsys.readouterr().out  # the same link every run
    from reports.models import WallScreen

    assert WallScreen.objects.count() == 1
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200 and "What our customers say" in page.content.decode()
