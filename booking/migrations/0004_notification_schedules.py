"""Register the periodic notification jobs (reminders, waitlist offers and expiry, request expiry).

Idempotent: update_or_create by name (booking/schedules.py), the same as `manage.py booking_setup_schedules`.
"""

from django.db import migrations
from django.utils import timezone


def register(apps, schema_editor):
    from booking.schedules import schedules_ensure

    schedules_ensure(apps.get_model("django_q", "Schedule"), timezone.now())


def unregister(apps, schema_editor):
    from booking.schedules import SCHEDULES

    apps.get_model("django_q", "Schedule").objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0003_feedback"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(register, unregister)]
