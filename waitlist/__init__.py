"""waitlist: companies waiting for a consultant with no free time, and offers of freed slots.

Owns: WaitlistEntry, WaitlistOffer (tables booking_waitlistentry and booking_waitlistoffer, kept from when it
lived in booking); joining and leaving, offering a freed slot to the first in line, the hold (Slot.held_until),
the claim link, expiry, the offer e-mail and the template tags on the profile and the company's sessions.

May import: accounts, consultants, booking. It reacts to booking through booking.signals (receivers.py); its URLs
keep their names in the `booking` namespace (config/urls.py).
"""
