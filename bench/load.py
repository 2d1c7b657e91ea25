"""make bench-load: many companies booking, cancelling and rebooking a few slots at once, over real HTTP.

    python -m bench.load [--seconds 60] [--clients 50] [--slots 6] [--database-url postgres://...]

Seeds its own small database (SQLite file var/bench/bench-load-sqlite.sqlite3, or the PostgreSQL database of
--database-url / DATABASE_URL), serves it with gunicorn, and runs `--clients` threads, each a different
signed-in company, that loop until the deadline: answer the questionnaire (booking:book POST), confirm
(booking:review POST), and when they got the slot, cancel it again (booking:company_booking POST) so the
slot is free for the next one. All of them fight over the same `--slots` slots.

Checks (exit status 1 when one fails):
- no 5xx answer and no "database is locked" (neither in an answer nor in the server log),
- never two active bookings on one slot, and every slot's status agrees with its bookings,
- every booking made has its confirmation e-mail task queued (django-q2's ORM queue: the cluster is not
  running, so the tasks wait there), and every cancellation its cancellation task.
"""

import argparse
import http.client
import json
import os
import random
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from bench.seed import bench_env, meta_path
from bench.server import Gunicorn, python

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
BOOKED_RE = re.compile(r"/sessions/(\d+)/booked/")


def prepare(meta: dict, n_clients: int, n_slots: int) -> dict:
    """Pick the contested slots (one consultant's soonest free ones) and the clients; build their requests."""
    from django.urls import reverse

    from bench.booking_flow import answer_data, questionnaire_for
    from bench.plan import CSRF_SECRET, cookie_header
    from consultants.models import Slot

    ids = [s["id"] for s in meta["free_slots"]]
    first = Slot.objects.filter(pk__in=ids, status=Slot.Status.PUBLISHED).order_by("starts_at").first()
    slots = list(Slot.objects.filter(consultant_id=first.consultant_id, status=Slot.Status.PUBLISHED,
                                     starts_at__gte=first.starts_at).order_by("starts_at")[:n_slots])
    questionnaire = questionnaire_for(first.consultant_id)
    answers = answer_data(questionnaire.questions.all())
    body = urlencode({"csrfmiddlewaretoken": CSRF_SECRET, **{k: v[0] for k, v in answers.items()}})
    sessions = meta["sessions"]
    clients = [{"headers": {**cookie_header(b["session"], sessions["cookie_name"]),
                            "Content-Type": "application/x-www-form-urlencoded"}, "company_id": b["company_id"]}
               for b in sessions["bookers"][:n_clients]]
    return {
        "slots": [{"id": s.pk, "book": reverse("booking:book", kwargs={"pk": s.pk}),
                   "review": reverse("booking:review", kwargs={"pk": s.pk})} for s in slots],
        "answers_body": body, "confirm_body": urlencode({"csrfmiddlewaretoken": CSRF_SECRET}),
        "cancel_body": urlencode({"csrfmiddlewaretoken": CSRF_SECRET, "action": "cancel", "reason": "load test",
                                  "confirmed": "1"}),
        "company_booking": reverse("booking:company_booking", kwargs={"pk": 987654321}),
        "clients": clients, "consultant_id": first.consultant_id,
    }


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()  # (step, status)
        self.markers: Counter = Counter()
        self.samples: list[dict] = []
        self.booked: list[int] = []
        self.cancelled: list[int] = []
        self.latencies: dict[str, list[float]] = {"answers": [], "confirm": [], "cancel": []}

    def record(self, step: str, status: int, body: bytes, elapsed: float) -> None:
        with self.lock:
            self.statuses[(step, status)] += 1
            self.latencies[step].append(elapsed)
            for name, marker in (("traceback", b"Traceback"), ("database_is_locked", b"database is locked")):
                if marker in body:
                    self.markers[name] += 1
            if (status == 0 or status >= 500) and len(self.samples) < 5:
                self.samples.append({"step": step, "status": status, "body": body[:300].decode("utf-8", "replace")})


def client_loop(port: int, plan: dict, client: dict, deadline: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def post(step: str, path: str, body: str) -> tuple[int, str]:
        nonlocal conn
        t0 = time.monotonic()
        try:
            conn.request("POST", path, body=body.encode(), headers=client["headers"])
            response = conn.getresponse()
            payload = response.read()
            status, location = response.status, response.getheader("Location", "")
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            status, location, payload = 0, "", repr(e).encode()
        tally.record(step, status, payload, time.monotonic() - t0)
        return status, location

    for _round in range(100_000):  # bounded; the deadline ends it long before
        if time.monotonic() >= deadline:
            break
        slot = rng.choice(plan["slots"])
        status, _loc = post("answers", slot["book"], plan["answers_body"])
        if status != 302:
            continue  # 409: the slot is taken right now; try another
        status, location = post("confirm", slot["review"], plan["confirm_body"])
        match = BOOKED_RE.search(location or "")
        if status != 302 or not match:
            continue
        booking_id = int(match.group(1))
        with tally.lock:
            tally.booked.append(booking_id)
        time.sleep(rng.uniform(0, 0.2))  # hold it a moment, as a person would
        path = plan["company_booking"].replace("987654321", str(booking_id))
        status, _loc = post("cancel", path, plan["cancel_body"])
        if status == 302:
            with tally.lock:
                tally.cancelled.append(booking_id)
    conn.close()


def check(plan: dict, tally: Tally) -> dict:
    """What the database says after the run."""
    from django.db.models import Count, Q
    from django_q.models import OrmQ
    from django_q.signing import SignedPackage
    from django_q.utils import get_func_repr

    from booking.models import Booking
    from booking.tasks import booking_send_cancellation, booking_send_confirmation
    from consultants.models import Slot

    company_ids = [c["company_id"] for c in plan["clients"]]
    made = Booking.objects.filter(company_id__in=company_ids)
    doubles = list(Booking.objects.filter(status__in=Booking.ACTIVE).values("slot_id").annotate(n=Count("pk"))
                   .filter(n__gt=1).values_list("slot_id", flat=True))
    slot_ids = [s["id"] for s in plan["slots"]]
    inconsistent = Slot.objects.filter(pk__in=slot_ids).filter(
        (Q(status=Slot.Status.BOOKED) & ~Q(bookings__status__in=Booking.ACTIVE))
        | (Q(status=Slot.Status.PUBLISHED) & Q(bookings__status__in=Booking.ACTIVE))).distinct().count()
    tasks: dict[str, set] = {}
    undecodable = 0
    for payload in OrmQ.objects.values_list("payload", flat=True).iterator():
        try:
            task = SignedPackage.loads(payload)
        except Exception:  # noqa: BLE001 -- another cluster's or a corrupt payload: counted, not fatal
            undecodable += 1
            continue
        # Tasks are enqueued by function reference: key them by the function's dotted path.
        tasks.setdefault(get_func_repr(task.get("func")) or "?", set()).add(task.get("args", (None,))[0])
    confirm = tasks.get(get_func_repr(booking_send_confirmation), set())
    cancel = tasks.get(get_func_repr(booking_send_cancellation), set())
    ids = set(made.values_list("pk", flat=True))
    cancelled_ids = set(made.filter(status=Booking.Status.CANCELLED).values_list("pk", flat=True))
    return {
        "bookings_made": len(ids), "bookings_cancelled": len(cancelled_ids),
        "active_now": made.filter(status__in=Booking.ACTIVE).count(),
        "slots_with_two_active_bookings": doubles, "slots_inconsistent": inconsistent,
        "missing_confirmation_task": sorted(ids - confirm)[:20], "missing_confirmation_task_count": len(ids - confirm),
        "missing_cancellation_task_count": len(cancelled_ids - cancel),
        "queued_tasks": {k: len(v) for k, v in tasks.items()}, "undecodable_tasks": undecodable,
        "client_saw_booked": len(set(tally.booked)), "client_saw_cancelled": len(set(tally.cancelled)),
    }


def pct(values: list[float], q: float):
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] * 1000, 1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="booking load and soak (issue 7)")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--slots", type=int, default=6)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--scale", type=float, default=0.05, help="size of the seeded data set")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--name", default="")
    args = parser.parse_args(argv)
    if args.seconds > 3600 or args.clients > 500:
        parser.error("keep it bounded: at most 3600 s and 500 clients")
    engine = "postgresql" if args.database_url else "sqlite"
    name = args.name or f"load-{engine}"
    base = dict(os.environ)
    base.pop("DATABASE_URL", None)
    if args.database_url:
        base["DATABASE_URL"] = args.database_url
    env = bench_env(name, base)
    print(f"[load {engine}] seeding {args.scale:g}x ...", flush=True)
    print(python("bench.seed", "--scale", f"{args.scale:g}", "--name", name, env=env, timeout=1200).splitlines()[0])
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    meta = json.loads(meta_path(name).read_text())
    plan = prepare(meta, args.clients, args.slots)
    from django.db import connections

    connections.close_all()
    tally = Tally()
    with Gunicorn(env, workers=args.workers, threads=args.threads, name=name) as server:
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [threading.Thread(target=client_loop, args=(server.port, plan, c, deadline, tally, i), daemon=True)
                   for i, c in enumerate(plan["clients"])]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.seconds + 120)
        wall = time.monotonic() - started
        log = server.log_text()
    result = check(plan, tally)
    statuses = {f"{step} {status}": n for (step, status), n in sorted(tally.statuses.items())}
    five_xx = sum(n for (_s, status), n in tally.statuses.items() if status >= 500 or status == 0)
    locked = tally.markers.get("database_is_locked", 0) + log.count("database is locked")
    result.update({
        "database": engine, "seconds": round(wall, 1), "clients": len(plan["clients"]), "slots": len(plan["slots"]),
        "server": f"gunicorn {args.workers} workers x {args.threads} threads",
        "requests": sum(tally.statuses.values()), "statuses": statuses, "five_xx_or_no_answer": five_xx,
        "database_is_locked": locked, "tracebacks_in_server_log": log.count("Traceback"),
        "latency_ms": {step: {"p50": pct(v, 50), "p95": pct(v, 95)} for step, v in tally.latencies.items()},
        "samples": tally.samples,
    })
    checks = {
        "zero 5xx": five_xx == 0 and result["tracebacks_in_server_log"] == 0,
        "zero 'database is locked'": locked == 0,
        "never two active bookings on one slot": not result["slots_with_two_active_bookings"],
        "slot status agrees with its bookings": result["slots_inconsistent"] == 0,
        "every booking has its confirmation e-mail task": result["missing_confirmation_task_count"] == 0,
        "every cancellation has its cancellation e-mail task": result["missing_cancellation_task_count"] == 0,
        "bookings were made": result["bookings_made"] > 0,
    }
    result["checks"] = checks
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=1, default=str))
    print(f"[load {engine}] {result['requests']} requests in {result['seconds']} s by {result['clients']} clients "
          f"on {result['slots']} slots ({result['server']})")
    print(f"[load {engine}] statuses: {statuses}")
    print(f"[load {engine}] latency ms: {result['latency_ms']}")
    print(f"[load {engine}] bookings made {result['bookings_made']}, cancelled {result['bookings_cancelled']}, "
          f"active now {result['active_now']}; queued tasks {result['queued_tasks']}")
    for sample in tally.samples:
        print(f"[load {engine}] sample failure: {sample}")
    for what, ok in checks.items():
        print(f"[load {engine}] {'PASS' if ok else 'FAIL'} {what}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
