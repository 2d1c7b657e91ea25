"""Demo consultants with rules and published slots for this month and the next. Idempotent."""

import zoneinfo
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.core.files import File
from django.utils import timezone

from accounts.demo import Login, demo_user
from consultants.availability import next_month
from consultants.models import AvailabilityRule, Blackout, Consultant, ConsultantExpertise, ConsultantLanguage, Slot
from consultants.services import SlotError, slot_add, slot_generate_month, slot_publish_month

CONSULTANTS = [
    {
        "email": "anna@probono.test", "name": "Anna Lindqvist", "slug": "anna-lindqvist",
        "zone": "Europe/Stockholm", "language": "sv", "city": "Stockholm", "currency": "SEK",
        "headline": "Customer satisfaction measurement that leads to action",
        "bio": ("Anna has spent two decades helping banks and housing companies turn survey numbers into "
                "everyday habits. In a free session she looks at how you listen to customers today, where the "
                "answers get stuck, and which small change would make the next survey worth reading.\n\n"
                "She believes most gaps cost little to close once the whole team can see them."),
        "expertise": ["satisfaction", "complaints", "leadership"], "languages": ["sv", "en"],
        "extra_rule": {"kind": "weekly", "weekday": 1, "start_time": time(13), "end_time": time(16),
                       "session_minutes": 60, "buffer_minutes": 15},
        "place": {"place_kind": "in_person", "place_street": "Drottninggatan 71", "place_postcode": "111 36",
                  "place_city": "Stockholm", "place_country": "SE",
                  "place_directions": "Third floor; ring the bell marked Lindqvist CX."},
    },
    {
        "email": "mads@probono.test", "name": "Mads Nørgaard", "slug": "mads-norgaard",
        "zone": "Europe/Copenhagen", "language": "da", "city": "København", "currency": "DKK",
        "headline": "Net Promoter Score without the scoreboard anxiety",
        "bio": ("Mads works with retailers and service companies that measure loyalty but struggle to use it. "
                "He focuses on the customers who already recommend you and on what your staff need to "
                "create more of them.\n\nBring your latest feedback data; you leave with two or three concrete "
                "next steps."),
        "expertise": ["nps", "employee"], "languages": ["da", "en"],
        "extra_rule": {"kind": "weekly", "weekday": 3, "start_time": time(10), "end_time": time(12),
                       "session_minutes": 45, "buffer_minutes": 15},
        "monthly_cap": 12,
        # Mads calls the company: the booking steps ask for the company's number.
        "place": {"place_kind": "phone_i_call"},
    },
    {
        "email": "sofia@probono.test", "name": "Sofia Berg", "slug": "sofia-berg",
        "zone": "Europe/Stockholm", "language": "en", "city": "Göteborg", "currency": "SEK",
        "headline": "Service design for the moments customers remember",
        "bio": ("Sofia maps customer journeys with the people who deliver them, from front desk to back office. "
                "Her sessions start with one real customer story and end with a short list of the moments "
                "worth redesigning first."),
        "expertise": ["service_design", "journey", "satisfaction"], "languages": ["en", "sv"],
        "extra_rule": {"kind": "monthly", "ordinal": -1, "weekday": 4, "start_time": time(9),
                       "end_time": time(12), "session_minutes": 60, "buffer_minutes": 30},
        "place": {"place_kind": "video_link", "place_video_url": "https://meet.example.org/sofia-berg"},
    },
]

DEMO_ASSETS = Path(__file__).resolve().parent / "demo_assets"

FIRST_MONDAY = {"kind": "monthly", "ordinal": 1, "weekday": 0, "start_time": time(9), "end_time": time(15),
                "session_minutes": 60, "buffer_minutes": 15}


def seed() -> list[Login]:
    logins = []
    for spec in CONSULTANTS:
        user = demo_user(spec["email"], name=spec["name"], language=spec["language"], time_zone=spec["zone"])
        consultant, _created = Consultant.objects.get_or_create(user=user, defaults={
            "display_name": spec["name"], "slug": spec["slug"], "headline": spec["headline"], "bio": spec["bio"],
            "city": spec["city"], "time_zone": spec["zone"], "currency": spec["currency"],
            "hourly_rate_minor": 150000 if spec["currency"] == "SEK" else 100000,
            "monthly_cap": spec.get("monthly_cap"),
            "show_nps": True,  # the demo's feedback gives each of them enough answers to show it
        })
        _attach_photo(consultant)
        # Each demo consultant meets in another way; a place the consultant has changed is left alone.
        Consultant.objects.filter(pk=consultant.pk, place_kind="").update(**spec["place"])
        for area in spec["expertise"]:
            ConsultantExpertise.objects.get_or_create(consultant=consultant, area=area)
        for code in spec["languages"]:
            ConsultantLanguage.objects.get_or_create(consultant=consultant, language=code)
        for rule in (FIRST_MONDAY, spec["extra_rule"]):
            lookup = {k: rule[k] for k in ("kind", "ordinal", "weekday", "start_time") if k in rule}
            defaults = {k: v for k, v in rule.items() if k not in lookup}
            AvailabilityRule.objects.get_or_create(consultant=consultant, **lookup, defaults=defaults)
        zone = zoneinfo.ZoneInfo(consultant.time_zone)
        today = timezone.now().astimezone(zone).date()
        Blackout.objects.get_or_create(consultant=consultant, start_date=date(today.year, 12, 24),
                                       end_date=date(today.year, 12, 26), defaults={"note": "Christmas"})
        this_month = today.replace(day=1)
        for month in (this_month, next_month(this_month)):
            slot_generate_month(consultant=consultant, month=month)
            slot_publish_month(consultant=consultant, month=month)
        _ensure_free_slot_this_month(consultant, today, zone)
        logins.append(Login("consultant", user.email))
    return logins


def _attach_photo(consultant: Consultant) -> None:
    """The demo portrait drawn by bench/demo_photos.py (committed, so nothing comes from the web); a photo the
    consultant chose is left alone."""
    path = DEMO_ASSETS / f"{consultant.slug}.jpg"
    if consultant.photo or not path.exists():
        return
    with path.open("rb") as f:
        consultant.photo.save("photo.jpg", File(f), save=False)
    Consultant.objects.filter(pk=consultant.pk).update(photo=consultant.photo.name)


def _ensure_free_slot_this_month(consultant: Consultant, today, zone) -> None:
    """Late in a month the rules' days may have passed: offer one extra slot so the demo always has one."""
    end = datetime.combine(next_month(today), time(0), tzinfo=zone)
    if Slot.objects.filter(consultant=consultant, status=Slot.Status.PUBLISHED, starts_at__gt=timezone.now(),
                           starts_at__lt=end).exists():
        return
    day = today + timedelta(days=1)
    while day < next_month(today):
        try:
            slot_add(consultant=consultant, starts_at=datetime.combine(day, time(10), tzinfo=zone), publish=True)
            return
        except SlotError:
            day += timedelta(days=1)
