"""Which requests the benchmark sends, resolved by URL name.

    python -m bench.plan --scale 1 [--bookings 2000]   (with the bench environment; prints JSON)
"""

import argparse
import json
import os
import secrets
import sys

from bench.seed import meta_path

CSRF_SECRET = "benchcsrf" + "0" * 23  # 32 characters: Django accepts the unmasked secret as the token

# (row name, URL name, who is signed in, kind)
PAGES = [
    ("baseline", "bench_baseline", "anon", "page"),
    ("directory", "consultants:directory", "anon", "page"),
    ("profile", "consultants:profile", "anon", "page"),
    ("booking POST", "booking:book", "booker", "booking"),
    ("calendar", "consultants:calendar", "consultant", "page"),
    ("pipeline", "engagements:pipeline", "consultant", "page"),
    ("reports", "reports:index", "staff", "page"),
    ("wall", "reports:wall", "staff", "page"),
]


def resolve(name: str, meta: dict) -> str:
    from django.urls import reverse

    kwargs = {"slug": meta["profile_slug"]} if name == "consultants:profile" else {}
    return reverse(name, kwargs=kwargs)


def cookie_header(session_key: str | None, cookie_name: str) -> dict:
    parts = [f"csrftoken={CSRF_SECRET}"]
    if session_key:
        parts.append(f"{cookie_name}={session_key}")
    return {"Cookie": "; ".join(parts), "X-CSRFToken": CSRF_SECRET, "Host": "127.0.0.1"}


def build(meta: dict, n_bookings: int) -> list[dict]:
    sessions = meta["sessions"]
    cookie_name = sessions["cookie_name"]
    who = {"anon": None, "staff": sessions["staff"], "consultant": sessions["consultant"]}
    plan = []
    for row, name, role, kind in PAGES:
        entry = {"page": row, "url_name": name, "role": role, "kind": kind}
        if kind == "booking":
            entry.update(booking_requests(meta, n_bookings))
        else:
            path = resolve(name, meta)
            headers = cookie_header(who[role], cookie_name)
            entry.update(status="ok", mode="repeat", requests=[{"method": "GET", "path": path, "headers": headers}])
        plan.append(entry)
    return plan


def booking_requests(meta: dict, n: int) -> dict:
    """One POST per free slot, each by a different fresh company (fair use allows one upcoming session each)."""
    if n <= 0:
        return {"status": "not requested"}
    from booking.models import Booking
    from consultants.models import Slot

    sessions = meta["sessions"]
    # Only what is still free in the database (a reused database may have been benchmarked before).
    free_ids = set(Slot.objects.filter(pk__in=[s["id"] for s in meta["free_slots"]], status=Slot.Status.PUBLISHED)
                   .exclude(bookings__status__in=Booking.ACTIVE).values_list("pk", flat=True))
    busy = set(Booking.objects.filter(company_id__in=[b["company_id"] for b in sessions["bookers"]])
               .values_list("company_id", flat=True))
    slots = [s for s in meta["free_slots"] if s["id"] in free_ids]
    bookers = [b for b in sessions["bookers"] if b["company_id"] not in busy]
    from django.db import transaction

    with transaction.atomic():
        return _booking_requests(slots, bookers, sessions, n)


def _booking_requests(slots, bookers, sessions, n) -> dict:
    from bench.booking_flow import booking_post

    requests = []
    for slot, booker in zip(slots, bookers, strict=False):
        requests.append(booking_post(slot=slot, booker=booker,
                                     headers=cookie_header(booker["session"], sessions["cookie_name"])))
        if len(requests) >= n:
            break
    return {"status": "ok", "mode": "each-once", "requests": requests, "nonce": secrets.token_hex(4)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--bookings", type=int, default=1000)
    parser.add_argument("--name", default="", help="a named database's meta file instead of the scale's")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    meta = json.loads(meta_path(args.name or args.scale).read_text())
    json.dump(build(meta, args.bookings), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
