from django.core.management.base import BaseCommand

from accounts.schedules import schedules_sync


class Command(BaseCommand):
    help = ("Make the periodic tasks match every app's SCHEDULES (tasks.py): create, update and remove. "
            "`migrate` does the same; running it again changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default", help="the database to sync (default: default)")

    def handle(self, *args, database, **options):
        done = schedules_sync(using=database)
        for action in ("created", "updated", "removed"):
            for name in done[action]:
                self.stdout.write(f"{action} {name}")
        if not any(done.values()):
            self.stdout.write("schedules: nothing to change")
