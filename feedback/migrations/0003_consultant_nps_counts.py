"""Fill the consultants' stored NPS from the answers given so far (feedback_nps_refresh keeps it current)."""

from django.db import migrations
from django.db.models import Count, Q


def forwards(apps, schema_editor):
    from feedback.nps import nps

    Feedback = apps.get_model("feedback", "Feedback")
    Consultant = apps.get_model("consultants", "Consultant")
    rows = (Feedback.objects.filter(score__isnull=False).values("booking__consultant_id")
            .annotate(answers=Count("pk"), promoters=Count("pk", filter=Q(score__gte=9)),
                      detractors=Count("pk", filter=Q(score__lte=6))))
    for row in rows:
        Consultant.objects.filter(pk=row["booking__consultant_id"]).update(
            nps_answers=row["answers"], nps_score=nps(row["promoters"], row["detractors"], row["answers"]))


class Migration(migrations.Migration):
    dependencies = [("feedback", "0002_customer_nps"), ("consultants", "0009_public_nps")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
