"""The booking domain's error, in a module of its own so that apps above booking (the waitlist) can raise and catch
it without importing booking's services, and booking's services never need anything from them."""

from datetime import datetime


class BookingError(Exception):
    """A refused change. `code` is stable (tests, views); `message` explains the rule and when it lifts."""

    def __init__(self, code: str, message: str = "", lifts_at: datetime | None = None):
        self.code = code
        self.message = message or code
        self.lifts_at = lifts_at
        super().__init__(self.message)

    def __str__(self):
        return self.message
