"""The periodic booking jobs, registered idempotently (update_or_create by name).

Used by the data migration that installs them and by `manage.py booking_setup_schedules` (re-run it any time;
it never duplicates a schedule). Plain data only: migrations import this module.
"""

SCHEDULES = [
    # name, dotted task path, every N minutes
    ("booking.reminders_send_due", "booking.tasks.reminders_send_due", 5),
    ("booking.waitlist_offer_free_slots", "waitlist.tasks.waitlist_offer_free_slots", 5),
    ("booking.waitlist_expire_offers", "waitlist.tasks.waitlist_expire_offers", 5),
    ("booking.booking_expire_requests", "booking.tasks.booking_expire_requests", 15),
    ("booking.feedback_send_due", "feedback.tasks.feedback_send_due", 10),
]


def schedules_ensure(Schedule, now) -> list[str]:
    """Create or update every schedule; `Schedule` is django_q's model (or its historical version)."""
    names = []
    for name, func, minutes in SCHEDULES:
        Schedule.objects.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": "I", "minutes": minutes, "repeats": -1},
            create_defaults={"func": func, "schedule_type": "I", "minutes": minutes, "repeats": -1,
                             "next_run": now},
        )
        names.append(name)
    return names
