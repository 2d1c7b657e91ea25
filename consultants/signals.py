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
