"""Keep the daily figures (reports/rollup.py) current: every saved or deleted booking, slot, engagement or answer,
and every freed slot, refreshes its consultant's day of sessions. The refresh runs as a task after commit (the
request that changed the data pays one enqueue, never the refresh); a rolled-back change refreshes nothing.
Connected in ReportsConfig.ready(). Bulk updates send no signal: the periodic refresh (reports/tasks.py) catches
those."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django_q.tasks import async_task

from booking import signals as booking_signals
from booking.models import Booking
from consultants.models import Slot
from engagements.models import Engagement
from feedback.models import Feedback
from reports import tasks
from reports.rollup import day_of


def _refresh_later(consultant_id: int | None, starts_at) -> None:
    if consultant_id is None or starts_at is None:
        return
    day = day_of(starts_at).isoformat()
    transaction.on_commit(lambda: async_task(tasks.reports_figures_refresh, consultant_id, day,
                                             task_name="reports_figures_refresh"))


def _session_of(booking_id: int | None):
    """(consultant id, session start) of a booking: one small query."""
    row = Booking.objects.filter(pk=booking_id).values_list("consultant_id", "slot__starts_at").first()
    return row or (None, None)


def slot_changed(sender, instance: Slot, raw: bool = False, **kwargs) -> None:
    if not raw:
        _refresh_later(instance.consultant_id, instance.starts_at)


def booking_changed(sender, instance: Booking, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    slot = instance.slot if Booking.slot.is_cached(instance) else None
    starts_at = slot.starts_at if slot is not None else Slot.objects.filter(pk=instance.slot_id).values_list(
        "starts_at", flat=True).first()
    _refresh_later(instance.consultant_id, starts_at)


def engagement_changed(sender, instance: Engagement, raw: bool = False, **kwargs) -> None:
    if not raw:
        _refresh_later(*_session_of(instance.booking_id))


def feedback_changed(sender, instance: Feedback, raw: bool = False, **kwargs) -> None:
    if not raw:
        _refresh_later(*_session_of(instance.booking_id))


def slot_freed(sender, *, slot, **kwargs) -> None:
    # A moved or cancelled booking frees its old slot with a bulk update: that day changes too.
    _refresh_later(slot.consultant_id, slot.starts_at)


def connect() -> None:
    for model, receiver in ((Slot, slot_changed), (Booking, booking_changed), (Engagement, engagement_changed),
                            (Feedback, feedback_changed)):
        label = model._meta.label
        post_save.connect(receiver, sender=model, dispatch_uid=f"reports-figures-{label}-save")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"reports-figures-{label}-delete")
    booking_signals.slot_freed.connect(slot_freed, dispatch_uid="reports-figures-slot-freed")
