"""The web origins a consultant lets frame their booking widget (integrations/widget.py serves it).

Each origin is a scheme, a host and an optional port, exactly what a browser compares in CSP `frame-ancestors`
and in `postMessage`: https only (plain http just for localhost and 127.0.0.1 where WIDGET_ALLOW_LOCAL_HTTP is
on, for trying the widget on one's own machine), no path, no wildcard. The host is checked character by
character, so nothing a consultant types can add a directive to our CSP header.
"""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_WIDGET_ORIGINS = 10
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOST = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")
_DEFAULT_PORTS = {"https": 443, "http": 80}


def origin_clean(value: str) -> str:
    """'https://Shop.Example.se:8443/' → 'https://shop.example.se:8443'. Raises ValidationError with a message
    that names the value."""
    raw = (value or "").strip()
    error = ValidationError(_("“%(value)s” is not a web address like https://www.example.se (no path)."),
                            params={"value": raw[:80]}, code="origin_invalid")
    if not raw or len(raw) > 200 or any(c.isspace() or c in "'\";,*\\" for c in raw):
        raise error
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise error from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if (scheme not in _DEFAULT_PORTS or parts.path not in ("", "/") or parts.query or parts.fragment
            or parts.username is not None or parts.password is not None or raw.endswith("?") or raw.endswith("#")):
        raise error
    try:
        host = host.encode("idna").decode("ascii")  # "båt.se" → "xn--bt-yia.se", as browsers send it
    except UnicodeError:
        raise error from None
    if not _HOST.match(host):
        raise error
    if scheme == "http" and not (host in LOCAL_HOSTS and settings.WIDGET_ALLOW_LOCAL_HTTP):
        raise ValidationError(_("“%(value)s” must start with https://."), params={"value": raw[:80]},
                              code="origin_not_https")
    if port == _DEFAULT_PORTS[scheme]:
        port = None
    return f"{scheme}://{host}" + (f":{port}" if port else "")


def origins_clean(values: list[str]) -> list[str]:
    """A consultant's list, each origin cleaned, duplicates dropped, order kept. Raises ValidationError (all
    messages at once) for bad entries or more than MAX_WIDGET_ORIGINS."""
    cleaned: list[str] = []
    errors: list[ValidationError] = []
    for value in values:
        if not (value or "").strip():
            continue
        try:
            origin = origin_clean(value)
        except ValidationError as e:
            errors.append(e)
        else:
            if origin not in cleaned:
                cleaned.append(origin)
    if len(cleaned) > MAX_WIDGET_ORIGINS:
        errors.append(ValidationError(_("At most %(max)d websites."), params={"max": MAX_WIDGET_ORIGINS},
                                      code="origins_too_many"))
    if errors:
        raise ValidationError(errors)
    return cleaned
