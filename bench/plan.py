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

# (row name, URL names to try in order, who is signed in, kind). "bare" is the bare reference project
# (bench/bare/), served by its own gunicorn; every other row is served by the product. The first names are the
# product's today; later ones are where a page may move (a URL name that resolves nowhere is "missing").
PAGES = [
    ("bare Django", ["bench_baseline"], "anon", "bare"),
    ("baseline", ["bench_baseline"], "anon", "page"),
    ("healthz", ["healthz"], "anon", "page"),
    ("directory", ["consultants:directory"], "anon", "page"),
    ("profile", ["consultants:profile"], "anon", "page"),
    ("book step", ["booking:book"], "drafter", "page"),
    ("review step", ["booking:review"], "drafter", "page"),
    ("booking POST", ["booking:review"], "booker", "booking"),
    ("confirmation", ["booking:confirmation"], "member", "page"),
    ("manage", ["booking:manage"], "anon", "page"),
    ("company sessions", ["booking:company_dashboard"], "member", "page"),
    ("waitlist offer", ["waitlist:claim", "waitlist:waitlist_claim", "booking:waitlist_claim"], "member", "page"),
    ("survey", ["feedback:survey", "feedback:feedback", "booking:feedback"], "anon", "page"),
    ("invoice", ["engagements:invoice"], "payer", "page"),
    ("calendar", ["consultants:calendar"], "consultant", "page"),
    ("month review", ["consultants:month"], "consultant", "page"),
    ("consultant sessions", ["booking:consultant_dashboard"], "consultant", "page"),
    ("pipeline", ["engagements:pipeline"], "consultant", "page"),
    ("reports", ["reports:index"], "staff", "page"),
    ("wall", ["reports:wall"], "staff", "page"),
]
# Rows that need a task cluster's heartbeat to answer 200 (bench/run.py runs one while they are measured).
NEEDS_CLUSTER = {"healthz"}


def resolve(names: list[str], kwargs: dict) -> tuple[str | None, str]:
    """(path, "") or (None, why)."""
    from django.urls import NoReverseMatch, reverse

    why = "missing"
    for name in names:
        try:
            return reverse(name, kwargs=kwargs), ""
        except NoReverseMatch as e:
            if "is not a valid view function or pattern name" in str(e) or "is not a registered namespace" in str(e):
                continue
            why = f"unresolvable: {e}"
    return None, why


def cookie_header(session_key: str | None, cookie_name: str) -> dict:
    parts = [f"csrftoken={CSRF_SECRET}"]
    if session_key:
        parts.append(f"{cookie_name}={session_key}")
    return {"Cookie": "; ".join(parts), "X-CSRFToken": CSRF_SECRET, "Host": "127.0.0.1"}


def build(meta: dict, n_bookings: int) -> list[dict]:
    from bench.fixtures import page_fixtures

    fixtures = page_fixtures(meta)
    sessions = meta["sessions"]
    cookie_name = sessions["cookie_name"]
    who = {"anon": None, "staff": sessions["staff"], "consultant": sessions["consultant"], **fixtures["sessions"]}
    plan = []
    for row, names, role, kind in PAGES:
        entry = {"page": row, "url_names": names, "role": role, "kind": kind,
                 "needs_cluster": row in NEEDS_CLUSTER}
        if kind == "booking":
            entry.update(booking_requests(meta, n_bookings))
        elif role not in who:
            entry.update(status=f"missing (no {role} fixture)")
        else:
            path, why = resolve(names, fixtures["kwargs"].get(row, {}))
            if path is None:
                entry.update(status=why)
            else:
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
    from bench.fixtures import FIXTURE_SLOTS

    slots = [s for s in meta["free_slots"][:-FIXTURE_SLOTS] if s["id"] in free_ids]
    bookers = [b for b in sessions["bookers"][:-1] if b["company_id"] not in busy]
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
