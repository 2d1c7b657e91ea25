"""Outbound HTTP that is safe to point at an address a user typed in (SSRF-safe), for any app.

`safe_request(method, url, ...)` is the one entry point; calendars use it for ICS feeds and CalDAV, and outgoing
webhooks may reuse it. What it promises:

* Only `https` (and `http` when `CALENDAR_FETCH_ALLOW_HTTP` is on). No proxies or .netrc from the environment.
* Every address a host name resolves to must be public (no loopback, private, link-local — which holds the
  cloud metadata address 169.254.169.254 —, carrier-grade NAT, multicast, reserved or unspecified ranges).
  The check is made again on the address the socket actually connected to, before a byte is sent, so a DNS
  answer that changes between the check and the connection (DNS rebinding) is refused too.
  `CALENDAR_FETCH_ALLOW_PRIVATE=true` (on in development and tests) lifts the address check for local servers.
* A connect timeout and a read timeout, and an overall deadline while the body streams.
* At most `max_bytes` of (decoded) body, counted while streaming; a larger Content-Length is refused before
  reading.
* At most `max_redirects` redirects, each hop checked again (scheme and address); credentials are dropped when a
  redirect leaves the host.
* The URL is treated as a secret (calendar links carry their token in the path): it is never logged and never
  put in an error message. Errors are `FetchError` with a code and a sentence without the URL.
"""

import base64
import contextlib
import contextvars
import ipaddress
import logging
import socket
import time
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (5.0, 10.0)  # connect, read (seconds)
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 3
USER_AGENT = "Probono calendar sync (+https://probono.example/)"
REDIRECT_CODES = {301, 302, 303, 307, 308}
_CHUNK = 16 * 1024


class FetchError(Exception):
    """A request that could not be made or answered safely. `code` is stable; `str()` never holds the URL.

    Codes: bad_url, scheme_not_allowed, address_not_allowed, dns, connection, tls, timeout, too_large,
    too_many_redirects.
    """

    def __init__(self, code: str, message: str = "", **details):
        self.code = code
        self.details = details
        super().__init__(message or code)


class _Refused(Exception):
    """Raised inside the connection (not an OSError, so urllib3 and requests let it through unchanged)."""

    def __init__(self, address: str):
        self.address = address
        super().__init__("address not allowed")


@dataclass
class FetchResponse:
    status_code: int
    reason: str
    headers: CaseInsensitiveDict
    content: bytes
    url: str = field(repr=False)  # the final URL: as secret as the one asked for
    redirects: int = 0

    @property
    def status(self) -> int:
        return self.status_code

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding or "utf-8", errors="replace")

    @property
    def encoding(self) -> str | None:
        ctype = self.headers.get("Content-Type", "")
        for part in ctype.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip('"')
        return None

    @property
    def not_modified(self) -> bool:
        return self.status_code == 304


def address_is_public(address: str) -> bool:
    """True for an address on the public internet (what an outbound request may reach by default)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.version == 6 and ip in ipaddress.ip_network("64:ff9b::/96"):  # NAT64 names the IPv4 inside
        ip = ipaddress.ip_address(int(ip) & 0xFFFFFFFF)
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_link_local)


def _allow_private() -> bool:
    return bool(getattr(settings, "CALENDAR_FETCH_ALLOW_PRIVATE", False))


def _allow_http() -> bool:
    return bool(getattr(settings, "CALENDAR_FETCH_ALLOW_HTTP", False))


class _GuardMixin:
    """Check the peer of every new socket before the connection is used (TLS and the request come after)."""

    allow_private = False

    def _new_conn(self):
        sock = super()._new_conn()
        try:
            peer = sock.getpeername()[0]
        except OSError:
            peer = ""
        if not self.allow_private and not address_is_public(peer):
            with contextlib.suppress(OSError):
                sock.close()
            raise _Refused(peer)
        return sock


@lru_cache(maxsize=2)
def _pool_classes(allow_private: bool):
    http_conn = type("GuardedHTTPConnection", (_GuardMixin, HTTPConnection), {"allow_private": allow_private})
    https_conn = type("GuardedHTTPSConnection", (_GuardMixin, HTTPSConnection), {"allow_private": allow_private})
    http_pool = type("GuardedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn})
    https_pool = type("GuardedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})
    return {"http": http_pool, "https": https_pool}


class _GuardedAdapter(HTTPAdapter):
    def __init__(self, *, allow_private: bool):
        self._allow_private = allow_private
        super().__init__(max_retries=0, pool_connections=1, pool_maxsize=1)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _pool_classes(self._allow_private)


# While a safe request runs, urllib3's own debug lines (which print the request path) are dropped.
_in_safe_request = contextvars.ContextVar("in_safe_request", default=False)


class _DropWhileFetching(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _in_safe_request.get()


_url_filter = _DropWhileFetching()
for _name in ("urllib3", "urllib3.connectionpool", "urllib3.connection", "urllib3.response", "requests"):
    logging.getLogger(_name).addFilter(_url_filter)


def _check_url(url: str, *, allow_http: bool, allow_private: bool) -> tuple[str, str]:
    """(scheme, host) of an acceptable URL; FetchError otherwise. Resolves the host and checks every answer."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError("bad_url", "The address is not a valid web address.") from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in ("https", "http") or not host:
        raise FetchError("bad_url", "The address is not a valid web address.")
    if scheme == "http" and not allow_http:
        raise FetchError("scheme_not_allowed", "Only https addresses can be used.")
    if parts.username or parts.password:
        raise FetchError("bad_url", "The address must not contain a user name or password.")
    if not allow_private:
        try:
            infos = socket.getaddrinfo(host, port or (443 if scheme == "https" else 80), type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise FetchError("dns", "The server's name could not be found.") from None
        addresses = {info[4][0] for info in infos}
        if not addresses or not all(address_is_public(a) for a in addresses):
            raise FetchError("address_not_allowed", "The address points to a private or local network.")
    return scheme, host


def _basic_auth(auth: tuple[str, str]) -> str:
    user, password = auth
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def safe_request(method: str, url: str, *, data: bytes | str | None = None, headers: dict | None = None,
                 auth: tuple[str, str] | None = None, timeout: tuple[float, float] = DEFAULT_TIMEOUT,
                 max_bytes: int = DEFAULT_MAX_BYTES, max_redirects: int = DEFAULT_MAX_REDIRECTS,
                 allow_private: bool | None = None, allow_http: bool | None = None) -> FetchResponse:
    """Make one HTTP request under the rules in this module's docstring and return the whole (bounded) answer.

    Any status is returned (304 for a conditional request, 404, 500 ...); only transport problems and
    refusals raise `FetchError`. `auth` is (user, password) for Basic authentication, sent only to the host
    of `url`. `allow_private` / `allow_http` override the settings (None: use them).
    """
    allow_private = _allow_private() if allow_private is None else allow_private
    allow_http = _allow_http() if allow_http is None else allow_http
    connect_timeout, read_timeout = timeout
    deadline = time.monotonic() + connect_timeout + read_timeout * 2
    send_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    send_headers.update(headers or {})
    if auth:
        send_headers["Authorization"] = _basic_auth(auth)
    first_host = None
    token = _in_safe_request.set(True)
    session = requests.Session()
    session.trust_env = False  # no proxies, no .netrc from the environment
    adapter = _GuardedAdapter(allow_private=allow_private)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    try:
        for hop in range(max_redirects + 1):
            _scheme, host = _check_url(url, allow_http=allow_http, allow_private=allow_private)
            first_host = first_host or host
            if host != first_host:
                send_headers.pop("Authorization", None)
            response = _send(session, method, url, data=data, headers=send_headers,
                             timeout=(connect_timeout, read_timeout))
            with contextlib.closing(response):
                location = response.headers.get("Location")
                if response.status_code in REDIRECT_CODES and location:
                    if hop >= max_redirects:
                        raise FetchError("too_many_redirects",
                                         f"The address redirected more than {max_redirects} times.")
                    url = urljoin(url, location)
                    # As browsers do: 303 turns anything but HEAD into GET, 301/302 only a POST; 307/308 and a
                    # 301 of PROPFIND or REPORT (CalDAV) keep their method and body.
                    if (response.status_code == 303 and method != "HEAD") or (
                            response.status_code in (301, 302) and method == "POST"):
                        method, data = "GET", None
                        send_headers.pop("Content-Type", None)
                    continue
                content = _read_bounded(response, max_bytes=max_bytes, deadline=deadline,
                                        read_timeout=read_timeout)
                return FetchResponse(status_code=response.status_code, reason=response.reason or "",
                                     headers=CaseInsensitiveDict(response.headers), content=content, url=url,
                                     redirects=hop)
        raise FetchError("too_many_redirects", f"The address redirected more than {max_redirects} times.")
    finally:
        session.close()
        _in_safe_request.reset(token)


def _send(session, method, url, *, data, headers, timeout):
    try:
        return session.request(method, url, data=data, headers=headers, timeout=timeout, allow_redirects=False,
                               stream=True)
    except _Refused:
        raise FetchError("address_not_allowed", "The address points to a private or local network.") from None
    except requests.exceptions.ConnectTimeout:
        raise FetchError("timeout", f"The server did not answer within {timeout[0]:g} s.",
                         seconds=timeout[0]) from None
    except requests.exceptions.ReadTimeout:
        raise FetchError("timeout", f"Timed out after {timeout[1]:g} s.", seconds=timeout[1]) from None
    except requests.exceptions.SSLError:
        raise FetchError("tls", "The server's certificate could not be verified.") from None
    except requests.exceptions.InvalidURL:
        raise FetchError("bad_url", "The address is not a valid web address.") from None
    except requests.exceptions.RequestException as e:
        if _caused_by(e, _Refused):
            raise FetchError("address_not_allowed", "The address points to a private or local network.") from None
        if _caused_by(e, socket.gaierror):
            raise FetchError("dns", "The server's name could not be found.") from None
        raise FetchError("connection", "The server could not be reached.") from None


def _caused_by(exc: BaseException, kind: type) -> bool:
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, kind):
            return True
        seen.add(id(exc))
        reason = getattr(exc, "reason", None)
        first = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = next((e for e in (first, reason if isinstance(reason, BaseException) else None, exc.__cause__,
                                exc.__context__) if e is not None and id(e) not in seen), None)
    return False


def _read_bounded(response, *, max_bytes: int, deadline: float, read_timeout: float) -> bytes:
    too_large = FetchError("too_large", f"The answer is larger than {max_bytes // (1024 * 1024) or 1} MB.",
                           max_bytes=max_bytes)
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(chunk_size=_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise too_large
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise FetchError("timeout", f"Timed out after {read_timeout:g} s.", seconds=read_timeout)
    except FetchError:
        raise
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as e:
        if _caused_by(e, socket.timeout) or isinstance(e, requests.exceptions.Timeout):
            raise FetchError("timeout", f"Timed out after {read_timeout:g} s.", seconds=read_timeout) from None
        raise FetchError("connection", "The connection broke off while reading the answer.") from None
    except requests.exceptions.RequestException:
        raise FetchError("connection", "The connection broke off while reading the answer.") from None
    return b"".join(chunks)


def conditional_headers(*, etag: str = "", last_modified: str = "") -> dict:
    """If-None-Match / If-Modified-Since for a resource fetched before (empty values are left out)."""
    out = {}
    if etag:
        out["If-None-Match"] = etag
    if last_modified:
        out["If-Modified-Since"] = last_modified
    return out
