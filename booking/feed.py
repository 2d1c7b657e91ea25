"""Reads for the consultant's private calendar feed."""

from datetime import datetime, timedelta

from django.utils import timezone

from booking.models import Booking
from consultants.models import Consultant
from consultants.selectors import consultant_get_by_feed_token

# Statuses the feed shows: every session that was booked, cancelled ones as STATUS:CANCELLED.
FEED_STATUSES = ("confirmed", "held", "no_show", "cancelled")


def consultant_by_feed_token(token: str) -> Consultant | None:
    """The consultant whose current feed token is `token`; None for unknown or rotated tokens."""
    if not token:
        return None
    return consultant_get_by_feed_token(token)


FEED_HISTORY = timedelta(days=365)


def feed_bookings(consultant: Consultant, *, now: datetime | None = None):
    """The sessions booked with `consultant` that belong in a calendar, oldest first (one query).

    Sessions older than a year are left out: calendar apps keep what they already fetched, and the feed stays
    small (serialising is the slow part, about 1.3 ms per session).
    """
    since = (now or timezone.now()) - FEED_HISTORY
    return (
        Booking.objects.filter(consultant=consultant, status__in=FEED_STATUSES, slot__starts_at__gte=since)
        # A request cancelled before it was ever confirmed never was a session.
        .exclude(status=Booking.Status.CANCELLED, confirmed_at__isnull=True)
        .select_related("slot", "consultant__user", "company", "booked_by")
        .order_by("slot__starts_at", "pk")
    )
