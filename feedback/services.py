"""NPS feedback: scheduling the survey, sending it once, recording (and changing) the answer.

Flow: a held session (PipelineEvent "held") or a completed engagement (PipelineEvent "completed") makes a
Feedback row due FEEDBACK_DELAY_HOURS later (`feedback_create_due`, or `feedback_request_schedule` when a
caller wants to schedule it explicitly). The periodic task `feedback.tasks.feedback_send_due` claims
each due row (`send_once`: a lease stored with the new token's hash, `sent_at` set once the mail went out) and
e-mails the person who booked a private link. Opening the link records nothing; the score is a POST
(`feedback_answer`), changeable for FEEDBACK_EDIT_DAYS after the first answer. A detractor answer (0–6) alerts
the consultant once.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.mails import send_once
from booking.models import Booking, PipelineEvent
from consultants.services import consultant_set_nps
from feedback.mails import mail_detractor_alert, mail_feedback_request
from feedback.models import Feedback
from feedback.nps import nps
from feedback.selectors import FEEDBACK_EDIT_DAYS, feedback_can_answer

log = logging.getLogger(__name__)

# Never ask about a session or an engagement older than this (e.g. after an outage or on first deploy).
FEEDBACK_MAX_AGE_DAYS = 14
COMMENT_MAX_LENGTH = 2000
# Which pipeline step makes which survey due.
TRIGGERS = ((Feedback.Kind.SESSION, PipelineEvent.Kind.HELD), (Feedback.Kind.ENGAGEMENT, PipelineEvent.Kind.COMPLETED))


class FeedbackError(Exception):
    """A refused answer; `code` says which rule, `message` is for people."""

    MESSAGES = {
        "invalid_score": _("Choose a score from 0 to 10."),
        "edit_window_closed": _("Your answer can no longer be changed: answers can be changed for %(days)s days."),
        "not_sent": _("This survey is not open."),
    }

    def __init__(self, code: str, message: str = ""):
        self.code = code
        self.message = message or str(self.MESSAGES.get(code, code)) % {"days": FEEDBACK_EDIT_DAYS}
        super().__init__(self.message)


def feedback_delay() -> timedelta:
    return timedelta(hours=getattr(settings, "FEEDBACK_DELAY_HOURS", 2))


# --- scheduling -----------------------------------------------------------------------------------------
def feedback_request_schedule(*, booking: Booking, kind: str, delay: timedelta | None = None) -> Feedback:
    """Make the survey about `booking` due after `delay` (default FEEDBACK_DELAY_HOURS). Idempotent: a booking
    has one survey per kind, and an existing one keeps its time."""
    if kind not in Feedback.Kind.values:
        raise ValueError(f"unknown feedback kind {kind!r}")
    due = timezone.now() + (feedback_delay() if delay is None else delay)
    feedback, _created = Feedback.objects.get_or_create(booking=booking, kind=kind, defaults={"due_at": due})
    return feedback


def feedback_create_due(*, now: datetime) -> int:
    """Create the survey rows for recently held sessions and completed engagements that have none yet.

    Idempotent: rows are inserted with ignore_conflicts against the (booking, kind) unique constraint.
    Returns the number of candidate rows (including any inserted concurrently by another run).
    """
    delay = feedback_delay()
    rows = []
    for kind, event_kind in TRIGGERS:
        events = (
            PipelineEvent.objects.filter(kind=event_kind, created_at__lte=now - delay,
                                         created_at__gte=now - delay - timedelta(days=FEEDBACK_MAX_AGE_DAYS))
            .filter(~Exists(Feedback.objects.filter(booking=OuterRef("booking_id"), kind=kind)))
            .values_list("booking_id", "created_at")
        )
        if kind == Feedback.Kind.SESSION:
            events = events.filter(booking__status=Booking.Status.HELD)
        seen = set()
        for booking_id, created_at in events.order_by("created_at"):
            if booking_id not in seen:
                seen.add(booking_id)
                rows.append(Feedback(booking_id=booking_id, kind=kind, due_at=created_at + delay))
    Feedback.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- sending ----------------------------------------------------------------------------------------------
def feedback_send(*, feedback: Feedback) -> bool:
    """Claim and e-mail one survey. True only for the call that sent it.

    Call outside a transaction (it sends mail). The claim (`send_once`, a lease) stores the hash of a fresh
    token; the link works once the survey is marked sent. If sending fails the claim is released, and if the
    worker dies it lapses: either way the next run retries with a new token. A worker killed after the mail
    server accepted the mail sends a second survey whose new link replaces the first one's.
    """
    booking = feedback.booking
    if not booking.booked_by.is_active:  # the company was deleted: nobody to ask, never retry
        Feedback.objects.filter(pk=feedback.pk, sent_at__isnull=True).update(due_at=None)
        return False
    token, token_hash = Feedback.new_token()
    with send_once(Feedback.objects.filter(pk=feedback.pk), on_claim={"token_hash": token_hash},
                   on_release={"token_hash": None}) as claimed:
        if not claimed:
            return False
        mail_feedback_request(feedback, token=token)
    return True


def feedback_send_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Create due surveys, then send every one that is due and unsent. Safe to run twice or concurrently."""
    now = now or timezone.now()
    feedback_create_due(now=now)
    due = (Feedback.objects.filter(sent_at__isnull=True, due_at__lte=now, answered_at__isnull=True)
           .select_related("booking__consultant", "booking__booked_by", "booking__company", "booking__slot")
           .order_by("due_at", "pk")[:limit])
    sent = 0
    for feedback in due:
        try:
            sent += feedback_send(feedback=feedback)
        except Exception:  # one bad address must not stop the others; the claim was released for a retry
            log.exception("Could not send feedback survey %s", feedback.pk)
    return sent


# --- answering --------------------------------------------------------------------------------------------
def feedback_answer(*, feedback: Feedback, score: int, comment: str = "", show_company: bool = False) -> Feedback:
    """Record the company's answer, or change it within FEEDBACK_EDIT_DAYS of the first answer.

    Raises FeedbackError: "invalid_score" (not 0–10), "not_sent" (no survey link was sent),
    "edit_window_closed" (the first answer is more than FEEDBACK_EDIT_DAYS old).
    A detractor score (0–6) queues one alert e-mail to the consultant (at most one per survey).
    """
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
        raise FeedbackError("invalid_score")
    comment = (comment or "").strip()[:COMMENT_MAX_LENGTH]
    now = timezone.now()
    with transaction.atomic():
        current = Feedback.objects.select_for_update().select_related(
            "booking__consultant__user", "booking__company", "booking__slot").get(pk=feedback.pk)
        if current.sent_at is None:
            raise FeedbackError("not_sent")
        if not feedback_can_answer(current, now=now):
            raise FeedbackError("edit_window_closed")
        current.score, current.comment, current.show_company = score, comment, bool(show_company)
        current.answered_at = current.answered_at or now
        current.save(update_fields=["score", "comment", "show_company", "answered_at", "updated_at"])
        feedback_nps_refresh(consultant_id=current.booking.consultant_id)
        if score <= Feedback.DETRACTOR_MAX and (
            Feedback.objects.filter(pk=current.pk, alerted_at__isnull=True).update(alerted_at=now) == 1
        ):
            current.alerted_at = now
            mail_detractor_alert(current)
    for field in ("score", "comment", "show_company", "answered_at", "alerted_at", "updated_at"):
        setattr(feedback, field, getattr(current, field))
    return feedback


def feedback_nps_refresh(*, consultant_id: int) -> bool:
    """Recount the NPS companies gave one consultant (every answered survey, session and engagement alike) and
    store it on the profile (consultant_set_nps), where visitors see it when the consultant consents."""
    counts = Feedback.objects.filter(booking__consultant_id=consultant_id, score__isnull=False).aggregate(
        answers=Count("pk"), promoters=Count("pk", filter=Q(score__gte=Feedback.PROMOTER_MIN)),
        detractors=Count("pk", filter=Q(score__lte=Feedback.DETRACTOR_MAX)))
    return consultant_set_nps(consultant_id=consultant_id, answers=counts["answers"],
                              score=nps(counts["promoters"], counts["detractors"], counts["answers"]))
