from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """The ways other tools reach Probono: the JSON API (/api/v1/), outgoing webhooks, the booking widget."""

    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        from booking.signals import confirmation_sections
        from integrations import receivers  # noqa: F401 - connects the webhook receivers
        from integrations.widget import confirmation_section

        confirmation_sections.connect(confirmation_section, dispatch_uid="integrations_widget_booked")
