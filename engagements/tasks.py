"""django-q2 entry points. `engagements_expire` runs hourly (schedule registered by a migration)."""

from engagements.services import engagements_expire as _expire


def engagements_expire() -> int:
    """Mark proposals past their valid-until day as expired. Idempotent: a second run finds nothing to do."""
    return _expire()
