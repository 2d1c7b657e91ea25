import zoneinfo
from urllib.parse import unquote

from django.conf import settings
from django.utils import timezone, translation


def _zone(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or settings.DEFAULT_USER_TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE)


class UserPreferencesMiddleware:
    """Render every page in the viewer's language and time zone.

    Signed-in people get what their profile says; visitors get the language LocaleMiddleware
    chose and the zone their browser reported (static/js/probono.js sets the `tz` cookie).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
            zone = _zone(user.time_zone)
        else:
            # The browser's script writes the cookie with encodeURIComponent ("America%2FNew_York").
            zone = _zone(unquote(request.COOKIES.get("tz", "")))
        request.time_zone = zone
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
