"""calendars: the consultant's other calendars, read so that busy time is never offered.

Owns: CalendarSource (ICS URL or CalDAV, secrets encrypted), BusyPeriod (times only), BusyConflict; safe fetching
(fetch.py), parsing (ics.py), CalDAV (dav.py), the periodic sync and its e-mails. After a sync it marks the slots
that busy time covers (Slot.busy), so the "bookable now" check reads Slot alone.

May import: accounts, consultants. Never booking or anything above it.
"""
