"""Who is calling: a personal API token (Authorization: Bearer pb_…) or the site's own session (with CSRF for
unsafe methods, like every form on the site). Each caller is rate-limited here, per token (or per signed-in
user, or per address for anonymous calls) with a fixed-window counter in the shared cache.
"""

import time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer

from accounts.api_tokens import api_token_authenticate
from integrations.api.errors import ApiError, RateLimited

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def rate_limit(ident: str) -> None:
    """Count one request for `ident`; raise RateLimited (with the seconds until the window ends) over the limit."""
    limit, window = settings.API_RATE_LIMIT, settings.API_RATE_WINDOW
    if not limit:
        return
    now = time.time()
    start = int(now // window) * window
    key = f"api:rl:{ident}:{start}"
    try:
        count = cache.incr(key)
    except ValueError:  # the window's first request (or the key expired): start the count
        count = 1 if cache.add(key, 1, timeout=window + 5) else cache.incr(key)
    if count > limit:
        raise RateLimited(start + window - now)


def _client_address(request) -> str:
    """The caller's address as the site's other rate limits count it (TRUSTED_PROXY_COUNT entries from the end of
    X-Forwarded-For behind proxies, else the connecting address); a short header never raises."""
    count = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    forwarded = request.headers.get("X-Forwarded-For", "")
    if count and forwarded:
        parts = [p.strip() for p in forwarded.split(",")]
        if len(parts) >= count and parts[-count]:
            return parts[-count][:64]
    return (request.META.get("REMOTE_ADDR", "") or "unknown")[:64]


class TokenAuth(HttpBearer):
    """A personal API token. A read token may only read (GET); a token that matches nothing is a 401."""

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        result = super().__call__(request)
        if result is None:
            raise ApiError(401, "invalid_token", _("This API token is not valid (unknown, revoked or malformed)."))
        return result

    def authenticate(self, request, token):
        api_token = api_token_authenticate(token)
        if api_token is None:
            return None
        rate_limit(f"t{api_token.pk}")
        if request.method not in SAFE_METHODS and not api_token.can_write:
            raise ApiError(403, "read_only_token", _("This token may only read. Create a read-write token to "
                                                     "make changes."))
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


class SessionAuth(APIKeyCookie):
    """The signed-in person's session (the site's own JavaScript); unsafe methods need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME
    csrf = True  # tells the docs page to send X-CSRFToken

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if not key or user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS:
            check = _CsrfCheck(lambda r: None)
            check.process_request(request)
            if check.process_view(request, None, (), {}) is not None:
                raise ApiError(403, "csrf_failed", _("CSRF check failed: send the X-CSRFToken header."))
        rate_limit(f"u{user.pk}")
        return user


class Anonymous:
    """For public operations: anyone, limited per address. (Not a security scheme: no openapi_type.)"""

    def __call__(self, request):
        rate_limit(f"a{_client_address(request)}")
        return AnonymousUser()  # truthy: ninja lets the call through


token_auth = TokenAuth()
session_auth = SessionAuth()
SIGNED_IN = [token_auth, session_auth]
ANYONE = [token_auth, session_auth, Anonymous()]
