"""django-q2 entry points; SCHEDULES (at the end) are installed by accounts/schedules.py."""

from accounts.schedules import Periodic
from engagements.services import engagements_expire as _expire


def engagements_expire() -> int:
    """Mark proposals past their valid-until day as expired. Idempotent: a second run finds nothing to do."""
    return _expire()


SCHEDULES = [Periodic(engagements_expire, hourly=True)]
