"""The waitlist's models move here from booking without touching the database: the state moves (booking's 0007
forgets them), the tables keep their names (Meta.db_table) and every row stays where it is."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

APP = "waitlist"
MODELS = ("waitlistentry", "waitlistoffer")


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
        ('accounts', '0002_auditentry'),
        ('booking', '0006_slot_hold_backfill'),
        ('consultants', '0005_slot_held_until'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='WaitlistEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('waiting', 'Waiting'), ('offered', 'Offered a time'), ('claimed', 'Booked'), ('expired', 'Offer expired'), ('left', 'Left the waitlist')], default='waiting', max_length=10, verbose_name='status')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('company', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='waitlist_entries', to='accounts.company')),
                        ('consultant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='waitlist_entries', to='consultants.consultant')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='waitlist_entries', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'waitlist entry',
                        'verbose_name_plural': 'waitlist entries',
                        'db_table': 'booking_waitlistentry',
                        'ordering': ['created_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='WaitlistOffer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token_hash', models.CharField(max_length=64, unique=True)),
                        ('status', models.CharField(choices=[('open', 'Open'), ('claimed', 'Claimed'), ('expired', 'Expired'), ('withdrawn', 'Withdrawn')], default='open', max_length=10, verbose_name='status')),
                        ('expires_at', models.DateTimeField(verbose_name='expires at')),
                        ('mailed_at', models.DateTimeField(blank=True, null=True)),
                        ('sending_until', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('booking', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='booking.booking')),
                        ('entry', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='offers', to='waitlist.waitlistentry')),
                        ('slot', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='waitlist_offers', to='consultants.slot')),
                    ],
                    options={
                        'verbose_name': 'waitlist offer',
                        'verbose_name_plural': 'waitlist offers',
                        'db_table': 'booking_waitlistoffer',
                    },
                ),
                migrations.AddIndex(
                    model_name='waitlistentry',
                    index=models.Index(fields=['consultant', 'status', 'created_at'], name='waitlist_line_idx'),
                ),
                migrations.AddConstraint(
                    model_name='waitlistentry',
                    constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['waiting', 'offered'])), fields=('consultant', 'company'), name='waitlist_one_active_entry_per_company'),
                ),
                migrations.AddIndex(
                    model_name='waitlistoffer',
                    index=models.Index(fields=['status', 'expires_at'], name='waitlist_offer_expiry_idx'),
                ),
                migrations.AddConstraint(
                    model_name='waitlistoffer',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'open')), fields=('slot',), name='waitlist_one_open_offer_per_slot'),
                ),
                migrations.AddConstraint(
                    model_name='waitlistoffer',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'open')), fields=('entry',), name='waitlist_one_open_offer_per_entry'),
                ),
            ],
            database_operations=[],  # the tables stay as they are
        ),
        migrations.RunPython(forwards, backwards),
    ]
