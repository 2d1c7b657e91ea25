from django.core.management.base import BaseCommand
from django.utils import timezone
from django_q.models import Schedule

from booking.schedules import schedules_ensure


class Command(BaseCommand):
    help = "Register (or update) the periodic booking tasks: reminders, waitlist offers and expiry, request expiry."

    def handle(self, *args, **options):
        for name in schedules_ensure(Schedule, timezone.now()):
            self.stdout.write(f"schedule {name}: ok")
