"""Reads for the survey: a survey by its private link, and until when its answer can be changed."""

from datetime import datetime, timedelta

from django.utils import timezone

from feedback.models import Feedback

FEEDBACK_EDIT_DAYS = 7


def feedback_get_by_token(token: str) -> Feedback | None:
    if not token or len(token) > 100:
        return None
    return (Feedback.objects.select_related("booking__consultant__user", "booking__company", "booking__slot")
            .filter(token_hash=Feedback.hash_token(token), sent_at__isnull=False).first())


def feedback_edit_deadline(feedback: Feedback) -> datetime | None:
    """Until when the answer can be changed (None before the first answer)."""
    if feedback.answered_at is None:
        return None
    return feedback.answered_at + timedelta(days=FEEDBACK_EDIT_DAYS)


def feedback_can_answer(feedback: Feedback, *, now: datetime | None = None) -> bool:
    deadline = feedback_edit_deadline(feedback)
    return deadline is None or (now or timezone.now()) <= deadline
