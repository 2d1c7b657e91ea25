"""Rate limits on our own forms and secret links.

One mechanism for every limit in the product: allauth's cache-backed counter (the one behind the login limits),
configured in ACCOUNT_RATE_LIMITS next to allauth's own actions and answered with the same friendly 429 page
(templates/429.html). Addresses come from allauth too (ALLAUTH_TRUSTED_PROXY_COUNT behind a proxy).
"""

import time
from functools import wraps

from allauth.core import ratelimit
from allauth.core.internal import ratelimit as _impl
from django.core.cache import cache
from django.http import Http404

APP = "allauth.account"  # allauth's public helpers read ACCOUNT_RATE_LIMITS under this name


def limit_posts(action: str):
    """Each POST to the view counts against ACCOUNT_RATE_LIMITS[action]; over the limit it gets the 429 page and
    the view does not run. GETs are never counted (mail scanners and reloads are not attacks)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                refused = ratelimit.consume_or_429(request, action=action)
                if refused is not None:
                    return refused
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def limit_link_guesses(view):
    """For views whose URL carries a secret token: each token that matches nothing (the view answers 404)
    counts against ACCOUNT_RATE_LIMITS["link_miss"] for the address. Once over it, every secret link from that
    address answers 429 until the window passes, so guessing costs minutes per handful of tries while someone
    holding a real link, who opens it as often as they like, is never counted."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if _over_limit(request, "link_miss"):
            return ratelimit.respond_429(request)
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            _count_miss(request)
            raise
        if response.status_code == 404:
            _count_miss(request)
        return response

    return wrapped


def _over_limit(request, action: str) -> bool:
    """Is the address already over the limit? Read-only, so one cache round trip and no lock: opening a real
    link costs one query on the database cache (allauth's own dry run would take and drop a lock per rate).
    Uses allauth's internal helpers (pinned in requirements.txt; the tests fail if an upgrade changes them)."""
    rates = _impl.get_rates(app=APP, action=action)
    if not rates:
        return False
    keys = {rate: _impl.get_cache_key(request, app=APP, action=action, rate=rate) for rate in rates}
    found = cache.get_many(list(keys.values()))
    now = time.time()
    return any(not _impl.apply_rate(list(found.get(key, [])), now, rate, dry_run=True)[0] for rate, key in keys.items())


def _count_miss(request) -> None:
    ratelimit.consume_or_429(request, action="link_miss", limit_get=True)
