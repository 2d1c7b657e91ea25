"""booking: a company's claim on a consultant's slot, from the first click to the session.

Owns: Questionnaire and Question (versioned), Booking, IntakeAnswer, BookingNotice, PipelineEvent (the lead's
timeline), FairUsePolicy; the booking flow, fair use, approval, the manage link (cancel, reschedule), every
change of a booking's status (services.py, the only place that writes it), invites (.ics), reminders, the
consultant's private calendar feed, and the booking e-mails (mails.py, with `send_once` for every app's mail).

May import: accounts, consultants (and calendars, when it exists). Never the waitlist, feedback or anything above:
it tells them through booking.signals (slot_taken, slot_freed) and BookingError lives in booking.errors.
"""
