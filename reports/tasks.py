"""django-q2 entry points of reports; SCHEDULES are installed by accounts/schedules.py."""

from accounts.schedules import Periodic
from reports.rollup import figures_refresh_pairs, figures_refresh_recent


def reports_figures_refresh(pairs: list) -> int:
    """Recompute the daily figures of [consultant id, "YYYY-MM-DD"] pairs (after a change). Idempotent."""
    return figures_refresh_pairs(pairs)


def reports_figures_refresh_recent() -> int:
    """Every 10 minutes: the recent and coming weeks for everyone (the whole history the first time)."""
    return figures_refresh_recent()


SCHEDULES = [Periodic(reports_figures_refresh_recent, minutes=10)]
