from django.conf import settings
from django.core.checks import Error, Tags, register

from calendars.crypto import MISSING_KEY, key_configured


@register(Tags.security, deploy=True)
def encryption_key_check(app_configs=None, **kwargs):
    if settings.DEBUG or key_configured():
        return []
    return [Error(MISSING_KEY, id="calendars.E001")]
