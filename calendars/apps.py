from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "calendars"
    verbose_name = _("Other calendars")

    def ready(self):
        from calendars import checks, receivers  # noqa: F401  (the deploy check; the month review's busy periods)
