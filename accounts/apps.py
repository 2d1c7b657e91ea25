from django.apps import AppConfig
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def cache_tables_install(sender, *, using=DEFAULT_DB_ALIAS, verbosity=1, **kwargs) -> None:
    """post_migrate handler: `createcachetable` for `using` (a no-op when the table exists or no cache is in it)."""
    call_command("createcachetable", database=using, verbosity=0)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from accounts.schedules import schedules_install

        # Once per `migrate` (sender: this app), after every app's migrations: the periodic tasks match the registry.
        post_migrate.connect(schedules_install, sender=self, dispatch_uid="accounts.schedules_install")
        # ... and the database cache's table exists wherever the cache lives in the database (no Redis): a site
        # that only ran `migrate` must not fail its first page on a missing probono_cache.
        post_migrate.connect(cache_tables_install, sender=self, dispatch_uid="accounts.cache_tables_install")

        from accounts import text

        text.install()  # no control or bidi characters in any text field or form (accounts/text.py)
