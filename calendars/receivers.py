"""How calendars adds to the pages of apps below it (consultants sends the signals; no import goes up)."""

from django.dispatch import receiver

from calendars.selectors import busy_period_list
from consultants.signals import month_review_extras


@receiver(month_review_extras, dispatch_uid="calendars_month_busy")
def month_busy_periods(sender, *, consultant, start, end, **kwargs) -> dict:
    """The month review lists the busy periods of the month beside the sessions (one query)."""
    return {"busy_periods": list(busy_period_list(consultant=consultant, start=start, end=end))}
