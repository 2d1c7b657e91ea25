"""Every change to the consultant's other calendars, and the sync that turns them into busy periods.

A sync fetches (ICS through `safe_request`, CalDAV through the `caldav` library on the same safe transport)
outside any transaction, then in ONE transaction, under the consultant's row lock:
  * replaces the source's busy periods (a failed fetch changes nothing and keeps the last good ones);
  * marks `Slot.busy` on the consultant's coming slots that overlap busy time widened by the break, and clears it
    where no busy time is left, so the one "bookable now" selector reads Slot alone;
  * records a `BusyConflict` for each booked session that busy time now overlaps (the booking is never
    cancelled) and, on commit, queues one e-mail about the new ones.
The consultant's row lock serialises every sync of one consultant (two workers on one source, or two sources
at once), so the marks always come from every source's committed periods.
"""

import logging
import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django_q.tasks import async_task

from calendars import dav, tasks
from calendars.crypto import SecretUnreadable
from calendars.fetch import FetchError, conditional_headers, safe_request
from calendars.ics import NotACalendar, busy_intervals, parse_calendars
from calendars.models import BusyConflict, BusyPeriod, CalendarSource
from consultants.models import AvailabilityRule, Consultant, Slot
from consultants.public_cache import public_pages_changed

log = logging.getLogger(__name__)


class CalendarError(Exception):
    """A change that cannot be made: `code` is one of calendars/errors.py's codes."""

    def __init__(self, code: str, detail: str = ""):
        self.code, self.detail = code, detail
        super().__init__(code)


@dataclass
class SyncResult:
    ok: bool
    changed: bool = False  # False for a 304 / unchanged feed
    periods: int = 0
    new_conflicts: int = 0
    error: str = ""


def _enqueue(func: Callable, *args) -> None:
    # Task arguments are ids only: no URL, no password ever reaches the task table.
    transaction.on_commit(lambda: async_task(func, *args, task_name=func.__name__))


def normalise_ics_url(url: str) -> str:
    """webcal:// (what Apple and Outlook hand out) is https; anything but https (or http where allowed) is refused."""
    url = (url or "").strip()
    lowered = url.lower()
    if lowered.startswith("webcals://"):
        url = "https://" + url[len("webcals://"):]
    elif lowered.startswith("webcal://"):
        url = "https://" + url[len("webcal://"):]
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        raise CalendarError("bad_url")
    if not parts.hostname or parts.scheme.lower() not in ("https", "http"):
        raise CalendarError("bad_url")
    if parts.scheme.lower() == "http" and not settings.CALENDAR_FETCH_ALLOW_HTTP:
        raise CalendarError("scheme_not_allowed")
    if parts.username or parts.password:
        raise CalendarError("bad_url")
    return url


# --- Adding, changing and removing sources -------------------------------------------------------------------
def source_add_ics(*, consultant: Consultant, name: str, url: str, all_day_blocks: bool = True) -> CalendarSource:
    """Add a secret ICS address and sync it at once (in a task). CalendarError("bad_url" | "scheme_not_allowed")."""
    url = normalise_ics_url(url)
    source = CalendarSource(consultant=consultant, kind=CalendarSource.Kind.ICS, name=name.strip() or "ICS",
                            all_day_blocks=all_day_blocks)
    source.set_secret({"url": url})
    with transaction.atomic():
        source.save()
        _enqueue(tasks.source_sync, source.pk)
    return source


def source_add_caldav(*, consultant: Consultant, name: str, url: str, username: str, password: str,
                      all_day_blocks: bool = True) -> CalendarSource:
    """Add a CalDAV account; a task then asks the server for its calendars, and the consultant chooses which
    count as busy (`source_choose_calendars`). CalendarError("bad_url" | "scheme_not_allowed")."""
    url = normalise_ics_url(url)
    source = CalendarSource(consultant=consultant, kind=CalendarSource.Kind.CALDAV,
                            name=name.strip() or "CalDAV", all_day_blocks=all_day_blocks)
    source.set_secret({"url": url, "username": username.strip(), "password": password})
    with transaction.atomic():
        source.save()
        _enqueue(tasks.source_discover, source.pk)
    return source


def source_discover(*, source_id: int, now: datetime | None = None) -> bool:
    """Ask a CalDAV server for the account's calendars (network: call from a task). True when it answered."""
    now = now or timezone.now()
    source = CalendarSource.objects.filter(pk=source_id, kind=CalendarSource.Kind.CALDAV).first()
    if source is None:
        return False
    try:
        secret = source.get_secret()
        found = dav.calendar_list(url=secret["url"], username=secret.get("username", ""),
                                  password=secret.get("password", ""))
    except (FetchError, dav.DavError, SecretUnreadable) as exc:
        _record_failure(source, exc, now=now)
        return False
    if not found:
        _record_failure(source, dav.DavError("not_caldav"), now=now)
        return False
    CalendarSource.objects.filter(pk=source.pk).update(available_calendars=found, last_error_code="",
                                                       last_error_detail="", last_attempt_at=now)
    return True


def source_choose_calendars(*, source: CalendarSource, urls: list[str]) -> CalendarSource:
    """Which of the server's calendars count as busy; then sync. CalendarError("no_calendars")."""
    chosen = [c for c in source.available_calendars if c["url"] in set(urls)]
    if not chosen:
        raise CalendarError("no_calendars")
    with transaction.atomic():
        CalendarSource.objects.filter(pk=source.pk).update(calendars=chosen)
        source.calendars = chosen
        _enqueue(tasks.source_sync, source.pk)
    return source


def source_update(*, source: CalendarSource, name: str, all_day_blocks: bool) -> CalendarSource:
    """Rename, or change whether all-day events block; a changed switch syncs again (ETag forgotten)."""
    with transaction.atomic():
        resync = all_day_blocks != source.all_day_blocks
        source.name, source.all_day_blocks = name.strip() or source.name, all_day_blocks
        fields = ["name", "all_day_blocks"]
        if resync:
            source.etag, source.last_modified = "", ""
            fields += ["etag", "last_modified"]
            _enqueue(tasks.source_sync, source.pk)
        source.save(update_fields=fields)
    return source


def source_delete(*, source: CalendarSource, now: datetime | None = None) -> None:
    """Remove a source with its busy periods; the slots it covered are offered again at once."""
    now = now or timezone.now()
    with transaction.atomic():
        consultant = Consultant.objects.select_for_update().get(pk=source.consultant_id)
        source.delete()
        apply_busy(consultant=consultant, now=now)


def source_request_sync(*, source: CalendarSource) -> None:
    """"Refresh now": sync in a task as soon as a worker is free (a CalDAV account without calendars is asked
    for its list again)."""
    with transaction.atomic():
        if source.kind == CalendarSource.Kind.CALDAV and not source.calendars:
            _enqueue(tasks.source_discover, source.pk)
        else:
            _enqueue(tasks.source_sync, source.pk)


# --- The sync ----------------------------------------------------------------------------------------------------
def _horizon(now: datetime) -> tuple[datetime, datetime]:
    return now, now + timedelta(days=settings.CALENDAR_HORIZON_DAYS)


def _addresses(source: CalendarSource, secret: dict) -> set[str]:
    addresses = {source.consultant.user.email}
    if "@" in secret.get("username", ""):
        addresses.add(secret["username"])
    return {a.lower() for a in addresses if a}


def _fetch(source: CalendarSource, now: datetime):
    """(intervals or None when unchanged, etag, last_modified). Network; raises FetchError, DavError,
    NotACalendar, SecretUnreadable."""
    secret = source.get_secret()
    start, end = _horizon(now)
    zone = zoneinfo.ZoneInfo(source.consultant.time_zone)
    addresses = _addresses(source, secret)
    if source.kind == CalendarSource.Kind.CALDAV:
        if not source.calendars:
            raise dav.DavError("no_calendars")
        blobs = dav.calendar_events(url=secret["url"], username=secret.get("username", ""),
                                    password=secret.get("password", ""),
                                    calendar_urls=[c["url"] for c in source.calendars], start=start, end=end)
        calendars = [cal for blob in blobs for cal in parse_calendars(blob)]
        return (busy_intervals(calendars, zone=zone, start=start, end=end, all_day_blocks=source.all_day_blocks,
                               addresses=addresses), "", "")
    response = safe_request("GET", secret["url"],
                            headers={"Accept": "text/calendar, */*;q=0.5",
                                     **conditional_headers(etag=source.etag, last_modified=source.last_modified)},
                            timeout=(5.0, float(settings.CALENDAR_FETCH_TIMEOUT)),
                            max_bytes=settings.CALENDAR_FETCH_MAX_BYTES,
                            max_redirects=settings.CALENDAR_FETCH_MAX_REDIRECTS)
    if response.status_code == 304:
        return None, source.etag, source.last_modified
    if response.status_code != 200:
        raise FetchError("http", str(response.status_code), status=response.status_code)
    intervals = busy_intervals(response.content, zone=zone, start=start, end=end,
                               all_day_blocks=source.all_day_blocks, addresses=addresses)
    return (intervals, response.headers.get("ETag", "")[:300], response.headers.get("Last-Modified", "")[:100])


def source_sync(*, source_id: int, now: datetime | None = None) -> SyncResult:
    """Fetch one source and store its busy periods (see the module docstring). Safe to run twice or on two workers
    at once. A failure keeps the last good periods, records the error, and after a day of failing mails the
    consultant once."""
    now = now or timezone.now()
    source = CalendarSource.objects.select_related("consultant__user").filter(pk=source_id, is_active=True).first()
    if source is None:
        return SyncResult(ok=False, error="gone")
    try:
        intervals, etag, last_modified = _fetch(source, now)
    except (FetchError, dav.DavError, NotACalendar, SecretUnreadable) as exc:
        code = _record_failure(source, exc, now=now)
        return SyncResult(ok=False, error=code)
    with transaction.atomic():
        consultant = Consultant.objects.select_for_update().get(pk=source.consultant_id)
        if not CalendarSource.objects.filter(pk=source.pk, is_active=True).exists():
            return SyncResult(ok=False, error="gone")  # removed while we fetched
        count = None
        if intervals is not None:
            BusyPeriod.objects.filter(source_id=source.pk).delete()
            BusyPeriod.objects.bulk_create(
                [BusyPeriod(source_id=source.pk, consultant_id=consultant.pk, starts_at=s, ends_at=e)
                 for s, e in intervals])
            count = len(intervals)
        CalendarSource.objects.filter(pk=source.pk).update(
            etag=etag, last_modified=last_modified, last_synced_at=now, last_attempt_at=now, last_error_code="",
            last_error_detail="", failing_since=None, failure_mailed_at=None)
        new_conflicts = apply_busy(consultant=consultant, now=now)
    return SyncResult(ok=True, changed=intervals is not None, periods=count or 0, new_conflicts=new_conflicts)


def _error_code(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, NotACalendar):
        return "not_calendar", ""
    if isinstance(exc, SecretUnreadable):
        return "secret_unreadable", ""
    if isinstance(exc, dav.DavError):
        return exc.code, ""
    if isinstance(exc, FetchError):
        if exc.code == "http":
            return "http", str(exc.details.get("status", ""))
        if exc.code == "timeout":
            return "timeout", f"{exc.details.get('seconds', settings.CALENDAR_FETCH_TIMEOUT):g}"
        if exc.code == "too_large":
            return "too_large", str(max(1, exc.details.get("max_bytes", 0) // (1024 * 1024)))
        return exc.code, ""
    return "server", ""


def _record_failure(source: CalendarSource, exc: Exception, *, now: datetime) -> str:
    """Keep the busy periods; say what went wrong; after a day of failures, mail the consultant once."""
    code, detail = _error_code(exc)
    # Never the URL: FetchError messages do not hold it, and only the code is logged.
    log.info("Calendar source %s failed to sync: %s", source.pk, code)
    with transaction.atomic():
        CalendarSource.objects.filter(pk=source.pk).update(last_error_code=code, last_error_detail=detail[:40],
                                                           last_attempt_at=now)
        CalendarSource.objects.filter(pk=source.pk, failing_since__isnull=True).update(failing_since=now)
        limit = now - timedelta(hours=settings.CALENDAR_FAILING_MAIL_HOURS)
        claimed = CalendarSource.objects.filter(pk=source.pk, failing_since__lte=limit,
                                                failure_mailed_at__isnull=True).update(failure_mailed_at=now)
        if claimed:
            _enqueue(tasks.source_send_failing, source.pk)
    return code


# --- Slots and conflicts --------------------------------------------------------------------------------------
def _break_minutes(consultant: Consultant) -> tuple[dict[int, int], int]:
    """Each rule's break, and the consultant's widest (for slots added by hand)."""
    rules = dict(AvailabilityRule.objects.filter(consultant=consultant).values_list("pk", "buffer_minutes"))
    widest = AvailabilityRule.objects.filter(consultant=consultant, is_active=True).aggregate(
        m=Max("buffer_minutes"))["m"] or 0
    return rules, widest


def apply_busy(*, consultant: Consultant, now: datetime) -> int:
    """Mark and clear `Slot.busy` on the consultant's coming slots and keep the conflicts of booked ones in step.
    Call inside a transaction holding the consultant's row lock. Returns the number of new conflicts."""
    rules, widest = _break_minutes(consultant)
    slots = list(Slot.objects.filter(consultant=consultant, ends_at__gt=now)
                 .values_list("pk", "starts_at", "ends_at", "status", "rule_id"))
    if not slots:
        BusyConflict.objects.filter(consultant=consultant).delete()
        return 0
    periods = list(BusyPeriod.objects.filter(consultant=consultant, ends_at__gt=now)
                   .order_by("starts_at").values_list("starts_at", "ends_at"))
    covered, booked_conflicts = set(), set()
    for pk, starts_at, ends_at, status, rule_id in slots:
        widen = timedelta(minutes=rules.get(rule_id, widest) if rule_id else widest)
        if any(s < ends_at + widen and e > starts_at - widen for s, e in periods):
            covered.add(pk)
            # A booked session is in conflict exactly when its slot is busy (its break counts too), so a booked
            # slot's `busy` is the flag the calendar shows and `BusyConflict` is what the mail is told from.
            if status == Slot.Status.BOOKED:
                booked_conflicts.add(pk)
    # Every coming slot, whatever its status: a booked one freed by a cancellation must not be offered either.
    if (Slot.objects.filter(pk__in=covered, busy=False).update(busy=True)
            + Slot.objects.filter(pk__in=[pk for pk, *_ in slots if pk not in covered], busy=True).update(busy=False)):
        public_pages_changed()  # visitors' cached directory and profiles
    BusyConflict.objects.filter(consultant=consultant).exclude(slot_id__in=booked_conflicts).exclude(
        slot__ends_at__lte=now).delete()
    existing = set(BusyConflict.objects.filter(slot_id__in=booked_conflicts).values_list("slot_id", flat=True))
    new = [BusyConflict(slot_id=pk, consultant=consultant, detected_at=now) for pk in booked_conflicts - existing]
    BusyConflict.objects.bulk_create(new)
    if new:
        _enqueue(tasks.busy_conflicts_send, consultant.pk)
    return len(new)


def consultant_busy_refresh(*, consultant: Consultant, now: datetime | None = None) -> int:
    """Apply the stored busy periods to the consultant's slots again (after new slots were published)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Consultant.objects.select_for_update().get(pk=consultant.pk)
        return apply_busy(consultant=locked, now=now)


def busy_conflicts_claim(*, consultant_id: int, lease: timedelta) -> list[BusyConflict]:
    """Claim the consultant's conflicts nobody was told about yet. Of two concurrent callers only one gets the rows
    (a conditional UPDATE with a lease); release with `busy_conflicts_release`, finish with `…_mark_sent`."""
    now = timezone.now()
    claim = uuid.uuid4().hex
    free = Q(sending_until__isnull=True) | Q(sending_until__lt=now)
    candidates = list(BusyConflict.objects.filter(free, consultant_id=consultant_id, mailed_at__isnull=True,
                                                  slot__status=Slot.Status.BOOKED, slot__starts_at__gt=now)
                      .values_list("pk", flat=True))
    # The claim's conditions are on the row itself (no join), so PostgreSQL re-checks them on a row another
    # claimer just updated, and of two concurrent claimers only one gets each row.
    BusyConflict.objects.filter(free, pk__in=candidates, mailed_at__isnull=True).update(
        sending_until=now + lease, sending_claim=claim)
    return list(BusyConflict.objects.filter(consultant_id=consultant_id, sending_claim=claim, mailed_at__isnull=True)
                .select_related("slot").order_by("slot__starts_at"))


def busy_conflicts_mark_sent(rows: list[BusyConflict]) -> None:
    BusyConflict.objects.filter(pk__in=[r.pk for r in rows]).update(mailed_at=timezone.now(), sending_until=None,
                                                                   sending_claim="")


def busy_conflicts_release(rows: list[BusyConflict]) -> None:
    BusyConflict.objects.filter(pk__in=[r.pk for r in rows], mailed_at__isnull=True).update(sending_until=None,
                                                                                        sending_claim="")


def sources_sync_due(*, now: datetime | None = None) -> int:
    """Queue a sync of every active source not tried in the last interval. Each source is claimed with a
    conditional update of `last_attempt_at`, so two schedulers queue it once."""
    now = now or timezone.now()
    stale = now - timedelta(minutes=max(1, settings.CALENDAR_SYNC_MINUTES - 1))
    queued = 0
    due = CalendarSource.objects.filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=stale),
                                        is_active=True, consultant__user__is_active=True)
    for pk, kind, calendars in due.values_list("pk", "kind", "calendars"):
        if kind == CalendarSource.Kind.CALDAV and not calendars:
            continue  # waiting for the consultant to choose calendars
        claimed = CalendarSource.objects.filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=stale),
                                                pk=pk).update(last_attempt_at=now)
        if claimed:
            async_task(tasks.source_sync, pk, task_name="source_sync")
            queued += 1
    return queued
