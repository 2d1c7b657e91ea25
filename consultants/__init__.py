"""consultants: who gives free time, and when.

Owns: Consultant (profile, photo, settings, feed token), AvailabilityRule, Blackout, Slot; slot generation from
the rules, publishing (by hand and automatic), the directory, the public profile, the rule editor, the month
review and the calendar; the one "bookable now" selector every page and the booking service use.

May import: accounts. Never booking or anything above it: a booked slot is a Slot status that booking writes.
"""
