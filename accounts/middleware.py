import zoneinfo
from urllib.parse import unquote

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
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


class StaticCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the policy built once per process instead of twice per response.

    Our policy is the same for every response: no template uses a nonce (no inline script or style anywhere)
    and no view changes the policy. django-csp rebuilds the header string from the settings on every
    response (about a quarter of a tiny page's own cost); here it is built once and reused while nothing
    per-response is in play. A response that carries its own policy (csp decorators) or a request that asked
    for a nonce is handed to django-csp unchanged.
    """

    _PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt", "_csp_config_ro",
                     "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro")
    _cached: dict = {}

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
                hasattr(response, name) for name in self._PER_RESPONSE):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response
        headers = self._cached.get("headers")
        if headers is None:
            headers = self._cached["headers"] = self._static_headers()
        path = request.path_info
        for header, value, excluded in headers:
            if header not in response and not path.startswith(excluded):
                response[header] = value
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    @staticmethod
    def _static_headers() -> list[tuple[str, str, tuple]]:
        headers = []
        for header, setting, report_only in ((HEADER, "CONTENT_SECURITY_POLICY", False),
                                             (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True)):
            value = build_policy(report_only=report_only)
            if value:
                prefixes = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
                headers.append((header, value, prefixes))
        return headers


@receiver(setting_changed)
def _forget_csp_headers(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        StaticCSPMiddleware._cached.clear()
