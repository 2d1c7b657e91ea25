from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports and data protection")

    def ready(self):
        from reports import (
            api,  # noqa: F401 (adds the report's figures to the JSON API before URLs are read)
            receivers,
        )

        receivers.connect()
