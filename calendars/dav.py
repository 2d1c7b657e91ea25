"""CalDAV through the `caldav` library, with every HTTP request made by `safe_request` (the same SSRF rules,
timeouts, size limit and redirect limit as ICS addresses).

The library keeps its protocol work (discovery of the principal and calendar home, PROPFIND, REPORT with a
time range); only its HTTP session is replaced by `_SafeSession`, which speaks Basic authentication (what app
passwords at iCloud, Fastmail and Nextcloud use).
"""

from datetime import datetime

import caldav
from caldav.lib import error as caldav_error
from django.conf import settings

from calendars.fetch import FetchError, safe_request


class DavError(Exception):
    """code: auth (user name or password refused), not_caldav (no CalDAV server there), server."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


class _SafeSession:
    """The one method of a requests-like session that caldav's DAVClient calls."""

    def __init__(self, *, username: str, password: str):
        self._auth = (username, password) if username else None

    def request(self, method, url, data=None, headers=None, timeout=None, **_ignored):
        return safe_request(method, str(url), data=data, headers=dict(headers or {}), auth=self._auth,
                            timeout=_timeout(), max_bytes=settings.CALENDAR_FETCH_MAX_BYTES,
                            max_redirects=settings.CALENDAR_FETCH_MAX_REDIRECTS)

    def close(self):
        pass


def _timeout() -> tuple[float, float]:
    return (5.0, float(settings.CALENDAR_FETCH_TIMEOUT))


def _client(url: str, username: str, password: str) -> caldav.DAVClient:
    client = caldav.DAVClient(url=url, username=username or None, password=password or None, auth_type="basic",
                              timeout=_timeout()[1])
    client.rate_limit_handle = False  # a 429/503 is an error of this sync, not a reason to sleep in the worker
    client.session.close()
    client.session = _SafeSession(username=username, password=password)
    return client


def _translate(exc: Exception) -> Exception:
    if isinstance(exc, FetchError | DavError):
        return exc
    if isinstance(exc, caldav_error.AuthorizationError):
        return DavError("auth")
    if isinstance(exc, caldav_error.NotFoundError | caldav_error.PropfindError | caldav_error.ReportError):
        return DavError("not_caldav")
    return DavError("server")


def calendar_list(*, url: str, username: str, password: str) -> list[dict]:
    """The calendars of this account that hold events: [{"url": …, "name": …}], by name."""
    try:
        principal = _client(url, username, password).principal()
        found = []
        for cal in principal.calendars():
            try:
                name = cal.get_display_name() or ""
            except Exception:
                name = ""
            found.append({"url": str(cal.url), "name": name or str(cal.url).rstrip("/").rsplit("/", 1)[-1]})
    except Exception as exc:
        raise _translate(exc) from None
    return sorted(found, key=lambda c: c["name"].lower())


def calendar_events(*, url: str, username: str, password: str, calendar_urls: list[str], start: datetime,
                    end: datetime) -> list[bytes]:
    """The iCalendar data of every event in these calendars that has an occurrence in [start, end).

    Recurring events come back as their master (with overrides), and are expanded by calendars/ics.py, the same
    code that reads ICS addresses.
    """
    client = _client(url, username, password)
    out: list[bytes] = []
    try:
        for cal_url in calendar_urls:
            cal = client.calendar(url=cal_url)
            for obj in cal.search(start=start, end=end, event=True, expand=False):
                data = obj.data
                out.append(data.encode("utf-8") if isinstance(data, str) else data)
    except Exception as exc:
        raise _translate(exc) from None
    return out
