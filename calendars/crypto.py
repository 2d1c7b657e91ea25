"""Secrets at rest (secret ICS addresses, CalDAV passwords): Fernet from `cryptography`.

The key comes from CALENDAR_ENCRYPTION_KEY (comma-separated keys, newest first, for rotation: every key can
decrypt, the first encrypts). In development and tests a key derived from SECRET_KEY is used when none is set;
with DEBUG off a missing key is a configuration error, raised on first use and reported by `check --deploy`.
"""

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MISSING_KEY = (
    "CALENDAR_ENCRYPTION_KEY must be set when DEBUG is off: it encrypts the consultants' calendar addresses and "
    "passwords. Generate one with: python -c \"from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())\""
)


class SecretUnreadable(Exception):
    """The stored secret cannot be decrypted with any configured key (the key changed)."""


def _keys() -> list[str]:
    raw = getattr(settings, "CALENDAR_ENCRYPTION_KEY", "") or ""
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    if keys:
        return keys
    if settings.DEBUG or getattr(settings, "TESTING", False):
        digest = hashlib.sha256(("calendars-dev-key:" + settings.SECRET_KEY).encode()).digest()
        return [base64.urlsafe_b64encode(digest).decode()]
    raise ImproperlyConfigured(MISSING_KEY)


def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode()) for k in _keys()])
    except ValueError:
        raise ImproperlyConfigured("CALENDAR_ENCRYPTION_KEY is not a valid Fernet key (32 url-safe base64 bytes).")


def encrypt_json(data: dict) -> str:
    return _fernet().encrypt(json.dumps(data, separators=(",", ":")).encode()).decode("ascii")


def decrypt_json(token: str) -> dict:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError):
        raise SecretUnreadable("the stored secret cannot be decrypted with the configured key")


def key_configured() -> bool:
    return bool((getattr(settings, "CALENDAR_ENCRYPTION_KEY", "") or "").strip())
