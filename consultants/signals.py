"""Signals by which apps above consultants add to its pages without an import back up the chain."""

from django.dispatch import Signal

# Sent by the month review with consultant=, start= and end= (the month's UTC bounds). Each receiver returns a
# dict merged into the page's context (calendars adds "busy_periods": the busy times of the month).
month_review_extras = Signal()


def month_review_context(*, consultant, start, end) -> dict:
    extras: dict = {}
    for _receiver, response in month_review_extras.send(sender=None, consultant=consultant, start=start, end=end):
        extras.update(response or {})
    return extras

# Sent inside the transaction that created slots (generated drafts, a slot added by hand), with consultant=, after
# the consultant's row was locked. calendars marks the new slots that busy time covers (`Slot.busy`) before the
# transaction commits, so a slot is never offered for a moment while busy.
slots_created = Signal()

# Sent when a public profile is shown, with consultant=. A receiver returns None or
# {"template": "<app>/<name>.html", "context": {...}}, which the profile includes (feedback/ adds the change in the
# companies' own customer NPS that the companies agreed to show).
public_profile_sections = Signal()
