from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WaitlistConfig(AppConfig):
    name = "waitlist"
    verbose_name = _("Waitlist")

    def ready(self):
        from waitlist import receivers  # noqa: F401  (connects the receivers of booking's signals)
