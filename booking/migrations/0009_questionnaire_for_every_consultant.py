"""Every consultant gets the default questionnaire now, so no GET ever has to create one (issue 18, defect 4)."""

from django.db import migrations
from django.utils import translation


def forwards(apps, schema_editor):
    from booking.questionnaires import default_questions

    Consultant = apps.get_model("consultants", "Consultant")
    Questionnaire = apps.get_model("booking", "Questionnaire")
    Question = apps.get_model("booking", "Question")
    for consultant in Consultant.objects.filter(questionnaires__isnull=True).select_related("user"):
        with translation.override(consultant.user.language or None):
            questions = default_questions()
        q = Questionnaire.objects.create(consultant=consultant, version=1)
        Question.objects.bulk_create([
            Question(questionnaire=q, order=i, kind=item["kind"], label=item["label"],
                     help_text=item.get("help_text") or "", required=bool(item.get("required", True)),
                     choices=list(item.get("choices") or []))
            for i, item in enumerate(questions)
        ])


class Migration(migrations.Migration):
    dependencies = [("booking", "0008_customer_nps_kinds")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
