"""Outgoing webhooks: endpoints, recording an event's deliveries, sending them (signed per Standard Webhooks),
retrying with backoff for a day, replaying on request, and disabling an endpoint that keeps failing.

The life of a delivery:
1. A domain event (integrations/receivers.py) calls `webhook_event_emit` inside the transaction that made it:
   one WebhookDelivery per active endpoint that chose the event, due now. A rollback leaves none behind.
2. After commit, each is queued to a worker (`tasks.webhook_deliver`). With inline tasks (Q_SYNC, dev and
   tests) nothing is queued: an inline task would make the HTTP call inside the web request, which must never
   wait for a receiver. The sweep (`tasks.webhook_deliveries_send_due`, every minute) queues whatever is due,
   so a lost queue message only delays a delivery.
3. `delivery_attempt` claims the delivery with a conditional UPDATE (two workers never send one attempt twice),
   POSTs it through calendars.fetch.safe_request (SSRF rules, timeouts, size limit, no redirects), logs the
   attempt, and sets the next due time from RETRY_OFFSETS — counted from the first attempt, last one at 24 h.
4. An endpoint whose attempts have failed without a single success for DISABLE_AFTER is disabled (once,
   claimed with a conditional UPDATE) and its owner is mailed.
"""

import ipaddress
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task
from standardwebhooks.webhooks import Webhook

from accounts.models import User
from calendars.crypto import SecretUnreadable
from calendars.fetch import FetchError, address_is_public, safe_request
from consultants.models import Consultant
from integrations import tasks
from integrations.models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint, secret_new

log = logging.getLogger(__name__)

# When attempts are due, counted from the first: 1 min, 5 min, 30 min, 2 h, 5 h, 10 h apart, the last at 24 h.
RETRY_OFFSETS = tuple(timedelta(minutes=m) for m in (0, 1, 6, 36, 156, 456, 1056, 1440))
DISABLE_AFTER = timedelta(days=3)
LOG_DAYS = 30
CONNECT_TIMEOUT = 3.0
MAX_RESPONSE_BYTES = 64 * 1024  # the answer is not read, only its status; a larger body counts as a failure
USER_AGENT = "Probono-Webhooks/1 (+https://probono.example/)"
EVENT_VALUES = frozenset(Event.values)


class WebhookError(Exception):
    """A refused change. Codes: bad_url, scheme_not_allowed, address_not_allowed, no_events, endpoint_disabled."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


def _timeout() -> tuple[float, float]:
    # (connect, read) seconds. safe_request's overall deadline is connect + 2 × read: 23 s by default, below the
    # task timeout (30 s), so a receiver that hangs or trickles its answer costs one worker at most that long.
    return CONNECT_TIMEOUT, float(getattr(settings, "WEBHOOK_TIMEOUT", 10))


def _allow_http() -> bool:
    return bool(getattr(settings, "CALENDAR_FETCH_ALLOW_HTTP", False))


def _allow_private() -> bool:
    return bool(getattr(settings, "CALENDAR_FETCH_ALLOW_PRIVATE", False))


def webhook_url_check(url: str) -> str:
    """The URL stripped, or WebhookError. No DNS here (no network in a request): a host name is resolved and its
    addresses checked by safe_request at every attempt; an address typed as an IP literal is checked now."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise WebhookError("bad_url") from None
    if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
        raise WebhookError("bad_url")
    if parts.scheme == "http" and not _allow_http():
        raise WebhookError("scheme_not_allowed")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        is_ip = False
    else:
        is_ip = True
    if not _allow_private() and (host == "localhost" or host.endswith(".localhost") or
                                 (is_ip and not address_is_public(host))):
        raise WebhookError("address_not_allowed")
    return url


def _events_check(events) -> list[str]:
    chosen = [e for e in Event.values if e in set(events or ())]
    if not chosen or set(events) - EVENT_VALUES:
        raise WebhookError("no_events")
    return chosen


# --- Endpoints -------------------------------------------------------------------------------------
def endpoint_create(*, consultant: Consultant | None, url: str, events: list[str], description: str = "",
                    by: User | None = None) -> tuple[WebhookEndpoint, str]:
    """A new endpoint (a consultant's, or staff-wide when `consultant` is None) and its secret, to show once.
    WebhookError: bad_url, scheme_not_allowed, address_not_allowed, no_events."""
    endpoint = WebhookEndpoint(consultant=consultant, url=webhook_url_check(url), events=_events_check(events),
                               description=description.strip(), created_by=by)
    secret = secret_new()
    endpoint.set_secret(secret)
    with transaction.atomic():
        endpoint.save()
    return endpoint, secret


def endpoint_update(*, endpoint: WebhookEndpoint, url: str, events: list[str], description: str = "",
                    is_active: bool = True) -> WebhookEndpoint:
    """Change the address, events or description; turning a disabled endpoint on starts a fresh failure count.
    WebhookError as endpoint_create."""
    endpoint.url, endpoint.events = webhook_url_check(url), _events_check(events)
    endpoint.description = description.strip()
    if is_active and not endpoint.is_active:
        endpoint.disabled_at = endpoint.failing_since = None
    endpoint.is_active = bool(is_active)
    with transaction.atomic():
        endpoint.save(update_fields=["url", "events", "description", "is_active", "disabled_at", "failing_since",
                                     "updated_at"])
        if not endpoint.is_active:
            _give_up_pending(endpoint.pk)
    return endpoint


def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> str:
    """A new secret, used from the next attempt on (pending retries are signed with it too); the old one stops."""
    secret = secret_new()
    endpoint.set_secret(secret)
    with transaction.atomic():
        endpoint.save(update_fields=["secret", "updated_at"])
    return secret


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """The endpoint goes, with its delivery log; a delivery being sent right now finishes its one attempt."""
    with transaction.atomic():
        endpoint.delete()


def _give_up_pending(endpoint_id: int) -> int:
    return WebhookDelivery.objects.filter(endpoint_id=endpoint_id, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED, next_attempt_at=None)


# --- Events ----------------------------------------------------------------------------------------
def _enqueue(delivery_ids: list[int]) -> None:
    if not delivery_ids or settings.Q_CLUSTER.get("sync"):
        return  # inline tasks would send inside the web request: the sweep sends these instead (see above)
    # robust: a broker that is down must not turn the committed booking into an error page; the sweep sends it.
    transaction.on_commit(lambda: [async_task(tasks.webhook_deliver, pk, task_name="webhook_deliver")
                                   for pk in delivery_ids], robust=True)


OWNERS_KEY = "integrations:webhook-owners"
OWNERS_SECONDS = 60


def webhook_owners() -> dict:
    """Who has an active endpoint: {"staff": bool, "consultants": set of ids}, from the cache. Any change to an
    endpoint drops it at once and again after commit (receivers.py); the short lifetime bounds the one race left
    (a list read just before another transaction committed a new endpoint) to a minute."""
    owners = cache.get(OWNERS_KEY)
    if owners is None:
        ids = set(WebhookEndpoint.objects.filter(is_active=True).values_list("consultant_id", flat=True).distinct())
        owners = {"staff": None in ids, "consultants": ids - {None}}
        cache.set(OWNERS_KEY, owners, OWNERS_SECONDS)
    return owners


def webhook_owners_changed() -> None:
    cache.delete(OWNERS_KEY)
    transaction.on_commit(lambda: cache.delete(OWNERS_KEY))


def webhook_event_emit(*, event: str, consultant_id: int, payload: Callable[[], dict]) -> list[int]:
    """Record a delivery of `event` for every active endpoint of the consultant and every active staff-wide
    endpoint that chose it; call inside the transaction that made the event. `payload` builds the body (called
    only when some endpoint wants it). Returns the new deliveries' ids."""
    owners = webhook_owners()
    if not (owners["staff"] or consultant_id in owners["consultants"]):
        return []  # the common case: nobody listens, and asking costs no query (with the cache on Redis)
    endpoints = [e for e in WebhookEndpoint.objects.filter(
        Q(consultant_id=consultant_id) | Q(consultant__isnull=True), is_active=True).only("pk", "events")
        if event in e.events]
    if not endpoints:
        return []
    body, now = payload(), timezone.now()
    ids = []
    with transaction.atomic():
        for endpoint in endpoints:
            ids.append(WebhookDelivery.objects.create(endpoint=endpoint, event=event, payload=body,
                                                      msg_id=WebhookDelivery.new_msg_id(), next_attempt_at=now).pk)
    _enqueue(ids)
    return ids


# --- Sending ---------------------------------------------------------------------------------------
def _lease() -> timedelta:
    # Longer than one attempt can take (safe_request's deadline), so a live worker's claim never lapses.
    connect, read = _timeout()
    return timedelta(seconds=connect + 2 * read + 30)


def _due(now: datetime):
    return WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def next_attempt_after(first: datetime, now: datetime) -> datetime | None:
    """The next due time on the schedule after `now`, or None when the day is over (give up)."""
    return next((first + offset for offset in RETRY_OFFSETS if first + offset > now), None)


def sign(*, secret: str, msg_id: str, at: datetime, body: str) -> dict:
    """The three Standard Webhooks headers for `body` sent at `at`."""
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": Webhook(secret).sign(msg_id, at, body)}


def delivery_attempt(*, delivery_id: int) -> bool | None:
    """Send a due delivery once and log it. True: delivered; False: failed (retried later or given up); None:
    not due, or another worker has it. Never raises for the receiver's faults (they are logged as the attempt)."""
    now = timezone.now()
    if _due(now).filter(pk=delivery_id).update(claimed_until=now + _lease()) != 1:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        return None  # its endpoint was removed just now
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        WebhookDelivery.objects.filter(pk=delivery_id).update(status=WebhookDelivery.Status.FAILED,
                                                              next_attempt_at=None, claimed_until=None)
        return False
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False)
    status_code, error = None, ""
    started = time.monotonic()
    try:
        headers = sign(secret=endpoint.get_secret(), msg_id=delivery.msg_id, at=now, body=body)
        response = safe_request("POST", endpoint.url, data=body.encode(), timeout=_timeout(),
                                max_bytes=MAX_RESPONSE_BYTES, max_redirects=0,
                                headers={**headers, "Content-Type": "application/json", "User-Agent": USER_AGENT})
        status_code = response.status_code
        error = "" if 200 <= status_code < 300 else "http"
    except FetchError as e:
        error = e.code
    except SecretUnreadable:
        error = "secret_unreadable"
    duration_ms = int((time.monotonic() - started) * 1000)
    return _attempt_record(delivery, at=now, duration_ms=duration_ms, status_code=status_code, error=error)


def _attempt_record(delivery: WebhookDelivery, *, at: datetime, duration_ms: int, status_code: int | None,
                    error: str) -> bool:
    ok = not error
    now = timezone.now()  # after the request: what the schedule and the failure streak count from
    first = delivery.first_attempt_at or at
    with transaction.atomic():
        fields = {"attempts": delivery.attempts + 1, "first_attempt_at": first, "last_status_code": status_code,
                  "claimed_until": None, "replay_requested": False}
        if ok:
            fields.update(status=WebhookDelivery.Status.SUCCEEDED, delivered_at=now, next_attempt_at=None)
            WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, failing_since__isnull=False).update(
                failing_since=None)
        else:
            due = next_attempt_after(first, now)
            fields.update(status=WebhookDelivery.Status.PENDING if due else WebhookDelivery.Status.FAILED,
                          next_attempt_at=due)
        if not WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields):
            return ok  # the endpoint was removed while this attempt ran: nothing left to log
        WebhookAttempt.objects.create(delivery=delivery, attempted_at=at, duration_ms=duration_ms,
                                      status_code=status_code, ok=ok, error_code=error[:40],
                                      is_replay=delivery.replay_requested)
        if not ok:
            WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, failing_since__isnull=True).update(
                failing_since=at)
            _disable_if_failing(delivery.endpoint_id, now=now)
    return ok


def _disable_if_failing(endpoint_id: int, *, now: datetime) -> bool:
    """Disable the endpoint when its failures go back DISABLE_AFTER without a success; exactly one caller does
    it (and queues the one e-mail)."""
    if WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True, failing_since__lte=now - DISABLE_AFTER).update(
            is_active=False, disabled_at=now) != 1:
        return False
    _give_up_pending(endpoint_id)
    log.warning("Webhook endpoint %s disabled: its deliveries have failed for %s", endpoint_id, DISABLE_AFTER)
    transaction.on_commit(lambda: async_task(tasks.webhook_send_disabled, endpoint_id,
                                             task_name="webhook_send_disabled"))
    return True


def deliveries_prune(*, now: datetime | None = None) -> int:
    """Forget finished deliveries older than LOG_DAYS: the log stays short, and a payload's personal data (the
    booker's name and e-mail) does not outlive the booking by more than that."""
    cutoff = (now or timezone.now()) - timedelta(days=LOG_DAYS)
    deleted, _by_model = WebhookDelivery.objects.filter(created_at__lt=cutoff).exclude(
        status=WebhookDelivery.Status.PENDING).delete()
    return deleted


def deliveries_send_due(*, limit: int = 500) -> int:
    """Queue every due delivery (the minute sweep). Returns how many were queued."""
    ids = list(_due(timezone.now()).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    for pk in ids:
        async_task(tasks.webhook_deliver, pk, task_name="webhook_deliver")
    return len(ids)


def delivery_replay(*, delivery: WebhookDelivery) -> None:
    """Send the delivery once more, now (the same `webhook-id`, a fresh timestamp and signature), whatever its
    status. It does not restart the day of retries. WebhookError("endpoint_disabled") while the endpoint is off."""
    if not delivery.endpoint.is_active:
        raise WebhookError("endpoint_disabled")
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.PENDING,
                                                              next_attempt_at=timezone.now(), replay_requested=True)
        _enqueue([delivery.pk])
