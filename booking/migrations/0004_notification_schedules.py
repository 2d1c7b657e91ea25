"""Once this registered periodic tasks; they are now declared in each app's tasks.py (SCHEDULES) and installed
after every `migrate` by accounts/schedules.py, which also updates and removes what this migration wrote on older
databases. The operation stays, as a no-op, so that the migration graph of existing databases is unchanged."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0003_feedback"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
