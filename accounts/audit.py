"""The audit log of staff actions: one call, `audit_record`, from inside the transaction of the change.

Call it after the change succeeded and inside the same `transaction.atomic()`, so that an action that fails or
rolls back leaves no entry, and an entry never claims a change that did not happen.

Nothing secret goes in: values under keys that look like secrets (token, hash, password, secret, key) are
replaced by a marker, and long strings are cut, so the log can be shown to every staff member.
"""

import datetime as dt
import decimal
import re
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models

from accounts.models import AuditEntry, User

HIDDEN = "(hidden)"
MAX_TEXT = 200
MAX_ITEMS = 50
_SECRET = re.compile(r"token|hash|password|secret|(^|_)key$", re.IGNORECASE)


def is_secret(name: str) -> bool:
    """True for a field or key name whose value must never be written to the log."""
    return bool(_SECRET.search(str(name)))


def plain(value):
    """`value` as small JSON: model instances as their pk, texts cut, containers walked (and cut)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT - 1] + "…"
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): HIDDEN if is_secret(k) else plain(v) for k, v in list(value.items())[:MAX_ITEMS]}
    if isinstance(value, models.QuerySet | set | frozenset):  # no order of their own: sort, so diffs are stable
        return sorted((plain(v) for v in list(value)[:MAX_ITEMS]), key=str)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value[:MAX_ITEMS]]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID | dt.timedelta):
        return str(value)
    return plain(str(value))


def audit_record(*, actor: User | None, action: str, target: models.Model | None, **data) -> AuditEntry:
    """Write one entry: `actor` did `action` (a slug such as "invoice.mark_paid") to `target`, with `data`.

    Call it inside the transaction of the change. Keys of `data` that look like secrets are stored as
    "(hidden)"; model instances are stored as their pk.
    """
    entry = AuditEntry(
        actor=actor if actor is not None and actor.pk else None,
        actor_email=(getattr(actor, "email", "") or "")[:254],
        action=action[:64],
        data=plain(data),
    )
    if target is not None:
        entry.target_type = ContentType.objects.get_for_model(target)
        entry.target_id = str(target.pk)[:64] if target.pk is not None else ""
        entry.target_label = str(target)[:MAX_TEXT]
    entry.save()
    return entry
