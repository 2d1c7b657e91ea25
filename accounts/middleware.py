import functools
import zoneinfo
from urllib.parse import unquote

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers


@functools.lru_cache(maxsize=64)
def _zone(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or settings.DEFAULT_USER_TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE)


class UserPreferencesMiddleware:
    """Render every page in the viewer's language and time zone (this replaces Django's LocaleMiddleware).

    Signed-in people get what their profile says; visitors get the language of their language cookie or
    their browser's Accept-Language (Django's rules) and the zone their browser reported
    (static/js/probono.js sets the `tz` cookie). Only a request that carries a session cookie can be signed
    in, so a visitor without one is never looked up (no session, no user, no query). We have no
    language-prefixed URLs, which is all LocaleMiddleware adds beyond this.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if settings.SESSION_COOKIE_NAME in request.COOKIES else None
        if user is not None and user.is_authenticated:
            language = user.language
            zone = _zone(user.time_zone)
        else:
            language = translation.get_language_from_request(request)
            # The browser's script writes the cookie with encodeURIComponent ("America%2FNew_York").
            zone = _zone(unquote(request.COOKIES.get("tz", "")))
        translation.activate(language)
        request.LANGUAGE_CODE = language
        request.time_zone = zone
        timezone.activate(zone)
        try:
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language())
        finally:
            timezone.deactivate()
            # The thread's next request starts from the default language: one refused before this middleware
            # runs (a bad Host header answers 400 from CommonMiddleware) must not speak the last visitor's.
            translation.deactivate()
        patch_vary_headers(response, ("Accept-Language",))
        return response


class StaticCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the policy built once per process instead of twice per response.

    Our policy is the same for every response: no template uses a nonce (no inline script or style anywhere)
    and no view changes the policy. django-csp rebuilds the header string from the settings on every
    response (about a quarter of a tiny page's own cost); here it is built once and reused while nothing
    per-response is in play. A response that carries its own policy (csp decorators) or a request that asked
    for a nonce is handed to django-csp unchanged.
    """

    _PER_RESPONSE = frozenset(("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt", "_csp_config_ro",
                               "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro"))
    _cached: dict = {}

    def process_response(self, request, response):
        if "_csp_nonce" in request.__dict__ or not self._PER_RESPONSE.isdisjoint(response.__dict__):
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
