"""E-mails to the consultant about their other calendars. Run in tasks, never inside a transaction."""

import logging
from datetime import timedelta

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from accounts.mail import Recipient, email_build
from calendars import services
from calendars.errors import source_error_text
from calendars.models import CalendarSource
from consultants.models import Consultant

log = logging.getLogger(__name__)


def _lease() -> timedelta:
    # As booking's mails: a claim lapses before the broker re-delivers a killed task (retry - timeout).
    timeout, retry = settings.Q_CLUSTER["timeout"], settings.Q_CLUSTER["retry"]
    return timedelta(seconds=max(1, min(timeout, retry - timeout)))


def _path(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


def mail_busy_conflicts(*, consultant_id: int) -> int:
    """One e-mail listing the booked sessions that busy time newly overlaps; each conflict is told once, even
    when two workers run this at once (the rows are claimed first). Returns the number of conflicts told."""
    consultant = Consultant.objects.select_related("user").filter(pk=consultant_id).first()
    if consultant is None:
        return 0
    rows = services.busy_conflicts_claim(consultant_id=consultant_id, lease=_lease())
    if not rows:
        return 0
    try:
        email_build(template="calendars_conflicts", recipient=Recipient.for_user(consultant.user), context={
            "consultant": consultant, "slots": [r.slot for r in rows],
            "sessions_path": _path("booking:consultant_dashboard", "/me/sessions/"),
            "sources_path": _path("calendars:sources", "/me/calendars/"),
        }).send()
    except BaseException:
        services.busy_conflicts_release(rows)
        raise
    services.busy_conflicts_mark_sent(rows)
    return len(rows)


def mail_source_failing(*, source_id: int) -> int:
    """The source has failed for more than a day (claimed once in services._record_failure)."""
    source = CalendarSource.objects.select_related("consultant__user").filter(pk=source_id).first()
    if source is None or source.failing_since is None:
        return 0  # it recovered (or was removed) before the mail went out
    recipient = Recipient.for_user(source.consultant.user)
    with translation.override(recipient.language):
        error = source_error_text(source)
    email_build(template="calendars_failing", recipient=recipient, context={
        "consultant": source.consultant, "source": source, "error": error,
        "sources_path": _path("calendars:sources", "/me/calendars/"),
    }).send()
    return 1
