"""Register the hourly proposal-expiry schedule (idempotent: update_or_create by name)."""

from django.db import migrations
from django.utils import timezone

SCHEDULE_NAME = "engagements.engagements_expire"


def register(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=SCHEDULE_NAME,
        defaults={"func": "engagements.tasks.engagements_expire", "schedule_type": "H", "repeats": -1,
                  "next_run": timezone.now()},
    )


def unregister(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(register, unregister)]
