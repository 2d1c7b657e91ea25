"""django-q2 entry points of reports; SCHEDULES are installed by accounts/schedules.py."""

from accounts.schedules import Periodic
from reports.rollup import figures_refresh_pairs, figures_refresh_recent


def reports_figures_refresh(consultant_id: int, day: str) -> int:
    """Recompute a consultant's daily figures of one day ("YYYY-MM-DD", after a change). Idempotent."""
    return figures_refresh_pairs([(consultant_id, day)])


def reports_figures_refresh_recent() -> int:
    """Every 10 minutes: the recent and coming weeks for everyone (the whole history the first time)."""
    return figures_refresh_recent()


SCHEDULES = [Periodic(reports_figures_refresh_recent, minutes=10)]
