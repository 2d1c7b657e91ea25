"""Load demo data: each app may have a `demo.py` with `seed() -> list[Login]`, run in INSTALLED_APPS order.

Apps are discovered, not imported by name, so accounts never depends on the apps built on it.
Every seed is idempotent: running the command twice changes nothing.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Create (or leave in place) the demo users, consultants, companies and bookings."

    def handle(self, *args, **options):
        logins = []
        with transaction.atomic():
            for config in apps.get_app_configs():
                if find_spec(f"{config.name}.demo") is None:
                    continue
                module = import_module(f"{config.name}.demo")
                logins += module.seed() or []
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for login in logins:
            self.stdout.write(f"  {login.role:<12} {login.email}")

