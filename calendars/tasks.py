"""django-q2 entry points for the consultants' other calendars: they take ids and call a service.

All are idempotent: a sync replaces a source's periods as a whole under the consultant's lock, the periodic job
claims each source with a conditional update, and mails are claimed before they are sent.
"""

from django.conf import settings

from accounts.schedules import Periodic
from calendars import mails, services


def sources_sync_due() -> int:
    return services.sources_sync_due()


def source_sync(source_id: int) -> bool:
    return services.source_sync(source_id=source_id).ok


def source_discover(source_id: int) -> bool:
    return services.source_discover(source_id=source_id)


def busy_conflicts_send(consultant_id: int) -> int:
    return mails.mail_busy_conflicts(consultant_id=consultant_id)


def source_send_failing(source_id: int) -> int:
    return mails.mail_source_failing(source_id=source_id)


SCHEDULES = [Periodic(sources_sync_due, minutes=settings.CALENDAR_SYNC_MINUTES)]
