"""django-q2 entry point for NPS surveys: idempotent (each survey is claimed before it is sent)."""

from django.utils import timezone

from accounts.schedules import Periodic
from feedback import services


def feedback_send_due() -> int:
    """Every few minutes: create the surveys that became due and send each once (claimed before sending)."""
    return services.feedback_send_due(now=timezone.now())


SCHEDULES = [Periodic(feedback_send_due, minutes=10)]
