"""Copy the holds of waitlist offers that are open now onto Slot.held_until (new in consultants 0005)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    Slot = apps.get_model("consultants", "Slot")
    WaitlistOffer = apps.get_model("booking", "WaitlistOffer")
    open_offers = WaitlistOffer.objects.filter(status="open")
    latest = open_offers.filter(slot_id=OuterRef("pk")).order_by("-expires_at").values("expires_at")[:1]
    Slot.objects.filter(pk__in=open_offers.values("slot_id")).update(held_until=Subquery(latest))


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0005_sending_lease"),
        ("consultants", "0005_slot_held_until"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
