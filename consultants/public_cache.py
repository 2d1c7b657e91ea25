"""The directory and the profiles as visitors see them, from the cache (issue 19).

Many people read these pages and few change them, so a visitor's page is rendered once and kept for
PAGE_SECONDS under a key that holds the *version* of the public data. Everything that changes what these pages
show bumps the version, so the next request renders afresh and nothing stale is ever shown after a change:

- the services that change slots, profiles and bookings call `public_pages_changed()` (publishing, adding,
  removing, blocking and unblocking slots, profile and settings edits, booking, cancelling, declining,
  expiring, moving a booking, waitlist holds);
- as a safety net, saving or deleting any row of a consultants model (a profile edited in the admin, a rule,
  a time off) bumps it too (`ConsultantsConfig.ready`).

The version lives in the cache next to the pages (Redis, or the database cache), so every process sees a bump
at once. It is bumped immediately and again after the transaction commits: a request that rendered the old data
between the two would otherwise store it under the new version (once per transaction; with the database cache
only the first, which commits with the data). Time alone also changes these pages (a slot
passes its minimum notice); PAGE_SECONDS bounds that.

Only anonymous GETs without pending messages are cached, per path and query, language and time zone. The CSRF
token in the page (the language switcher's form) is taken out before the page is stored and a fresh one for
the visitor is put in on every hit, so each visitor's token matches their own cookie.
"""

import hashlib
import re
import secrets
from functools import wraps

from django.contrib import messages
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

VERSION_KEY = "consultants:public-pages:version"
PAGE_SECONDS = 60
CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_MARK = b"\x00csrf\x00"
QUERY_KEYS = {"expertise", "language", "free_this_month", "page"}


def public_pages_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, secrets.token_hex(6), None)
        version = cache.get(VERSION_KEY) or "0"
    return version


def _bump() -> None:
    cache.set(VERSION_KEY, secrets.token_hex(6), None)


def _cache_in_this_database() -> bool:
    return isinstance(caches["default"], DatabaseCache)


def _bumped_in_this_transaction() -> None:
    """A no-op on_commit marker: this transaction has bumped (dropped with a rolled-back savepoint)."""


def _forget_bumps_of_this_transaction() -> None:
    """A page stored inside an open transaction (a test's, never a request's: no ATOMIC_REQUESTS) may hold data
    that a later change in the same transaction makes stale: that change must bump again."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        connection.run_on_commit = [entry for entry in connection.run_on_commit
                                    if entry[1] is not _bumped_in_this_transaction]


def public_pages_changed() -> None:
    """What the directory or a profile shows has changed: visitors get freshly rendered pages from now on.

    Once per transaction, however many changes it makes (a booking bumps for its slot, its caps and a hold).
    With the database cache the bump is written in the transaction itself, so everyone sees it exactly when the
    data commits and no second bump is needed (each costs three statements there)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _bump()
        return
    block = set(connection.savepoint_ids)
    if any(func is _bumped_in_this_transaction and sids == block for sids, func, _robust in connection.run_on_commit):
        return  # bumped already in this atomic block (a nested block or a later one bumps again)
    transaction.on_commit(_bumped_in_this_transaction)
    _bump()  # at once, for whoever reads inside this transaction (or the cache before it commits) ...
    if not _cache_in_this_database():
        transaction.on_commit(_bump)  # ... and for everyone once it commits


def _cacheable(request) -> bool:
    if request.method != "GET" or request.user.is_authenticated:
        return False
    if any(k not in QUERY_KEYS or len(v) > 40 for k, v in request.GET.items()):
        return False  # unknown or absurd parameters are served, but never fill the cache
    return not len(messages.get_messages(request))


def cached_for_visitors(view):
    """Serve the view's 200 answers to anonymous visitors from the cache (see the module docstring)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        page = ":".join((translation.get_language() or "", timezone.get_current_timezone_name(),
                         request.get_full_path()))
        key = f"consultants:public-page:{public_pages_version()}:{hashlib.sha256(page.encode()).hexdigest()}"
        stored = cache.get(key)
        if stored is not None:
            content_type, body = stored
            token = get_token(request).encode()
            return HttpResponse(body.replace(CSRF_MARK, token), content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            body = CSRF_FIELD.sub(rb"\1" + CSRF_MARK + rb"\2", response.content)
            cache.set(key, (response["Content-Type"], body), PAGE_SECONDS)
            _forget_bumps_of_this_transaction()
        return response

    return wrapper


def connect_model_signals(app_config, only: tuple[str, ...] = ()) -> None:
    """Saving or deleting any row of the app's models (or of those named in `only`) bumps the version (the
    admin, rules, time off ...; a higher app adds the models its section of the public profile shows)."""
    from django.db.models.signals import post_delete, post_save

    def changed(**kwargs):
        if not kwargs.get("raw"):
            public_pages_changed()

    for model in app_config.get_models():
        if only and model.__name__ not in only:
            continue
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"public-pages-{model._meta.label}-save")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"public-pages-{model._meta.label}-del")

