from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from accounts.schedules import schedules_install

        # Once per `migrate` (sender: this app), after every app's migrations: the periodic tasks match the registry.
        post_migrate.connect(schedules_install, sender=self, dispatch_uid="accounts.schedules_install")

        from accounts import text

        text.install()  # no control or bidi characters in any text field or form (accounts/text.py)
