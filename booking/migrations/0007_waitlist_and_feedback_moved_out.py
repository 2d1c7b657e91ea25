"""WaitlistEntry, WaitlistOffer and Feedback now belong to the waitlist and feedback apps (their 0001 migrations take
them over in the migration state). Booking forgets them here, in the state only: the tables, their rows, indexes and
constraints stay exactly as they are (the models keep the table names through Meta.db_table)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0006_slot_hold_backfill'),
        ('waitlist', '0001_initial'),
        ('feedback', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='WaitlistOffer'),
                migrations.DeleteModel(name='WaitlistEntry'),
                migrations.DeleteModel(name='Feedback'),
            ],
            database_operations=[],
        ),
    ]
