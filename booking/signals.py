"""What booking tells the apps above it (the waitlist), without knowing them: data flows one way.

Both are sent by booking/notifications.py from inside the service's transaction, with `Signal.send`, so a
receiver's exception propagates to the service and rolls its transaction back.
"""

from django.dispatch import Signal

# A booking took its slot (created, approved or moved there). Keyword argument: booking. A receiver may raise
# BookingError("slot_taken") to refuse it: the waitlist does so when the slot is held for another company.
slot_taken = Signal()

# A slot became published and free again (cancellation, decline, expiry, move). Keyword argument: slot.
# Receivers defer their work with transaction.on_commit.
slot_freed = Signal()

# Sent when the confirmation page is shown, with request= and booking=. A receiver returns None or
# {"template": "<app>/<name>.html", "context": {...}}, which the page includes (integrations/ tells the booking
# widget's website, when the booking started in the widget).
confirmation_sections = Signal()
