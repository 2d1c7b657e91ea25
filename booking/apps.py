from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Booking")

    def ready(self):
        from booking import receivers  # noqa: F401  (a new consultant gets the default questionnaire)
