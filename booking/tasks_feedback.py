"""django-q2 entry point for NPS surveys (registered as a schedule by booking's feedback migration)."""

from django.utils import timezone


def feedback_send_due() -> int:
    """Every few minutes: create the surveys that became due and send each once (claimed before sending)."""
    from booking.feedback import feedback_send_due as send

    return send(now=timezone.now())
