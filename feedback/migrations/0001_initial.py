"""The survey's model moves here from booking without touching the database: the state moves (booking's 0007
forgets it), the table keeps its name (Meta.db_table) and every row stays where it is."""

import django.db.models.deletion
from django.db import migrations, models

APP = "feedback"
MODELS = ("feedback",)


def _move_content_types(apps, old: str, new: str) -> None:
    """Permissions and audit entries point at content types: move them with the models instead of leaving stale ones
    behind (post_migrate would otherwise create fresh ones under the new app)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    _move_content_types(apps, "booking", APP)


def backwards(apps, schema_editor):
    _move_content_types(apps, APP, "booking")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('booking', '0006_slot_hold_backfill'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Feedback',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('session', 'After the free session'), ('engagement', 'After the paid engagement')], default='session', max_length=12, verbose_name='survey')),
                        ('score', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='score')),
                        ('comment', models.TextField(blank=True, verbose_name='comment')),
                        ('show_company', models.BooleanField(default=False, verbose_name='company may be named on the wall')),
                        ('token_hash', models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True)),
                        ('due_at', models.DateTimeField(blank=True, null=True, verbose_name='due at')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                        ('sending_until', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answered at')),
                        ('alerted_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('booking', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='feedback', to='booking.booking')),
                    ],
                    options={
                        'verbose_name': 'feedback',
                        'verbose_name_plural': 'feedback',
                        'db_table': 'booking_feedback',
                        'ordering': ['-answered_at', '-pk'],
                        'indexes': [models.Index(fields=['answered_at', 'score'], name='feedback_answered_score_idx'), models.Index(fields=['sent_at', 'due_at'], name='feedback_sent_due_idx')],
                        'constraints': [models.UniqueConstraint(fields=('booking', 'kind'), name='feedback_one_per_booking_and_kind'), models.CheckConstraint(condition=models.Q(('score__isnull', True), models.Q(('score__gte', 0), ('score__lte', 10)), _connector='OR'), name='feedback_score_0_to_10'), models.CheckConstraint(condition=models.Q(('score__isnull', True), ('answered_at__isnull', False), _connector='OR'), name='feedback_score_has_answer_time'), models.CheckConstraint(condition=models.Q(('kind__in', ['session', 'engagement'])), name='feedback_kind_valid')],
                    },
                ),
            ],
            database_operations=[],  # the tables stay as they are
        ),
        migrations.RunPython(forwards, backwards),
    ]
