"""How calendars adds to the pages of apps below it (consultants sends the signals; no import goes up)."""

from django.dispatch import receiver
from django.utils import timezone

from calendars.models import BusyPeriod
from calendars.selectors import busy_period_list
from calendars.services import apply_busy
from consultants.signals import month_review_extras, slots_created


@receiver(month_review_extras, dispatch_uid="calendars_month_busy")
def month_busy_periods(sender, *, consultant, start, end, **kwargs) -> dict:
    """The month review lists the busy periods of the month beside the sessions (one query)."""
    return {"busy_periods": list(busy_period_list(consultant=consultant, start=start, end=end))}


@receiver(slots_created, dispatch_uid="calendars_mark_new_slots")
def mark_new_slots(sender, *, consultant, **kwargs) -> None:
    """New slots under stored busy time are marked busy in the transaction that made them (the consultant's row is
    locked by the caller). One query when the consultant has no busy time."""
    now = timezone.now()
    if BusyPeriod.objects.filter(consultant=consultant, ends_at__gt=now).exists():
        apply_busy(consultant=consultant, now=now)
