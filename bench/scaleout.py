"""make bench-scaleout: two of everything against one PostgreSQL and one Redis, then one task cluster SIGKILLed.

    python -m bench.scaleout [--seconds 40] [--clients 16] [--slots 4] [--waitlist 6] [--kill-after 15]
                             [--database-url postgres://…/probono_scaleout] [--redis-url redis://127.0.0.1:6379/0]

Two gunicorn instances on two free ports and two django-q2 clusters share one PostgreSQL database (seeded by
bench/seed.py) and one Redis (cache; the queue is the ORM broker, Q_BROKER=orm, because it re-delivers a task
whose worker was killed — Redis's queue does not). For a bounded time:
- `--clients` signed-in companies book, confirm and cancel `--slots` contested slots (bench/load.py's loop),
  half of them through each port;
- `--waitlist` booked sessions of a second consultant, each with a company waiting in line for it, are cancelled
  through their manage links, alternating ports: every cancellation must make exactly one waitlist offer;
- every periodic task is made due at the start: each must run once (its period is longer than the run);
- after `--kill-after` seconds the second cluster is SIGKILLed (whole process group, no clean-up); the first one
  finishes the work, including what the killed one had claimed (re-delivered after `retry`, 20 s here).

Then it checks, and prints the figures: never two active bookings on one slot; every mail sent exactly once (by
Message-ID; a mail the killed worker had handed to the mail server but not yet marked sent may go twice — at
most one per killed worker — and is reported as such); every booking still active has its confirmation and
every cancellation its cancellation mail; every waitlist offer made once and mailed once; every periodic task run once;
no 5xx. (A booking cancelled before its confirmation task ran is told only of the cancellation, by design.)
Exit status 1 when a check fails. A short version runs in make test-postgres
(tests/concurrency/test_scaleout_short.py).
"""

import argparse
import email
import json
import os
import re
import shutil
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlparse

from bench.load import Tally, client_loop, prepare
from bench.seed import bench_env, meta_path
from bench.server import Gunicorn, QCluster, python

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
MAIL_DIR = BASE_DIR / "var" / "bench" / "mail-scaleout"
NOTICE_ID = re.compile(r"<notice\.(\d+)\.([a-z_]+)\.([a-z_]+)")


def say(text: str) -> None:
    print(f"[scaleout] {text}", flush=True)


# --- run inside a child process with Django set up (`--setup`, `--check`) -----------------------------------------
def setup(n_waitlist: int, first_booker: int) -> dict:
    """A second consultant whose `n_waitlist` sessions are all booked, each with a company in line; every periodic
    task due now. Returns the manage links to cancel and what the checks need."""
    import django

    django.setup()
    from django.utils import timezone
    from django_q.models import Schedule

    from bench.booking_flow import questionnaire_for
    from booking.services import booking_create
    from consultants.models import Consultant, Slot
    from waitlist.services import waitlist_join

    meta = json.loads(meta_path(os.environ["SCALEOUT_NAME"]).read_text())
    bookers = meta["sessions"]["bookers"]
    from accounts.models import Company, User

    # A consultant of its own, whose only published times are the ones booked below (so the waitlist accepts).
    user = User.objects.create_user(f"scaleout-consultant-{os.getpid()}@bench.test", None, name="Scale Out")
    consultant = Consultant.objects.create(user=user, display_name="Scale Out", slug=f"scale-out-{os.getpid()}")
    first = (timezone.now() + timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)
    keep = [Slot.objects.create(consultant=consultant, status=Slot.Status.PUBLISHED,
                                starts_at=first + timedelta(days=i), ends_at=first + timedelta(days=i, hours=1))
            for i in range(n_waitlist)]
    consultant_id = consultant.pk
    questionnaire = questionnaire_for(consultant_id)
    answers = {}
    for q in questionnaire.questions.all():
        answers[q.pk] = {"single_choice": q.choices[:1] and q.choices[0], "multiple_choice": q.choices[:1],
                         "scale": 8, "number": 42, "yes_no": True,
                         "company_size": "10-49", "company_industry": "retail"}.get(q.kind, "Scale-out test")
    links = []
    pool = bookers[first_booker:]
    for i, slot in enumerate(keep):
        b = pool[i]
        booking = booking_create(slot=slot, company=Company.objects.get(pk=b["company_id"]),
                                 user=User.objects.get(email=b["email"]), answers=answers, questionnaire=questionnaire)
        links.append({"booking": booking.pk, "slot": slot.pk, "path": f"/manage/{booking.manage_token}/"})
    waiting = pool[len(keep):len(keep) * 2]
    for b in waiting:
        waitlist_join(consultant=consultant, company=Company.objects.get(pk=b["company_id"]),
                      user=User.objects.get(email=b["email"]))
    now = timezone.now()
    schedules = {s.name: s.schedule_type for s in Schedule.objects.all()}
    Schedule.objects.update(next_run=now - timedelta(seconds=1))
    return {"links": links, "waitlist_consultant": consultant_id, "schedules": schedules,
            "started": now.isoformat(), "setup_bookings": [link["booking"] for link in links],
            "waiting_emails": [b["email"] for b in waiting]}


def queue_left() -> int:
    import django

    django.setup()
    from django_q.models import OrmQ

    return OrmQ.objects.count()


def unsent_sweep() -> int:
    """What the periodic `waitlist_mail_unsent_offers` does when it next runs (within 5 minutes): an offer whose own
    mail task was lost with the killed worker is mailed now, with a fresh claim token."""
    import django

    django.setup()
    from django.utils import timezone

    from waitlist.mails import UNSENT_GRACE, mail_waitlist_offers_unsent

    return mail_waitlist_offers_unsent(now=timezone.now() + UNSENT_GRACE + timedelta(seconds=1))


def check(info: dict) -> dict:
    import django

    django.setup()
    from django.db.models import Count
    from django_q.models import Schedule, Task

    from booking.models import Booking
    from waitlist.models import WaitlistOffer

    started = datetime.fromisoformat(info["started"])
    doubles = list(Booking.objects.filter(status__in=Booking.ACTIVE).values("slot_id").annotate(n=Count("pk"))
                   .filter(n__gt=1).values_list("slot_id", flat=True))
    made = set(Booking.objects.filter(slot_id__in=info["load_slots"], created_at__gte=started)
               .values_list("pk", flat=True))
    cancelled = set(Booking.objects.filter(pk__in=made | set(info["setup_bookings"]), status=Booking.Status.CANCELLED)
                    .values_list("pk", flat=True))
    offers = list(WaitlistOffer.objects.filter(slot_id__in=[link["slot"] for link in info["links"]])
                  .values_list("slot_id", "entry_id"))
    runs = {name: Task.objects.filter(group=name, started__gte=started).count()
            for name in Schedule.objects.values_list("name", flat=True)}
    return {"doubles": doubles, "made": sorted(made), "cancelled": sorted(cancelled), "offers": offers,
            "schedule_runs": runs}


# --- the run ------------------------------------------------------------------------------------------------------
def read_mails() -> list[email.message.Message]:
    messages = []
    for path in sorted(MAIL_DIR.glob("*.log")):
        for chunk in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.lstrip("\n")))
    return messages


def canceller(ports: list[int], links: list[dict], deadline: float, tally: Tally, done: list) -> None:
    import http.client

    from bench.plan import CSRF_SECRET

    spacing = max(0.2, (deadline - time.monotonic()) / (len(links) + 1))
    for i, link in enumerate(links):
        time.sleep(spacing)
        conn = http.client.HTTPConnection("127.0.0.1", ports[i % 2], timeout=60)
        body = urlencode({"csrfmiddlewaretoken": CSRF_SECRET, "action": "cancel", "reason": "scale-out",
                          "confirmed": "1"})
        t0 = time.monotonic()
        try:
            conn.request("POST", link["path"], body=body.encode(), headers={
                "Cookie": f"csrftoken={CSRF_SECRET}", "Host": "127.0.0.1",
                "Content-Type": "application/x-www-form-urlencoded"})
            response = conn.getresponse()
            payload, status = response.read(), response.status
        except OSError as e:
            payload, status = repr(e).encode(), 0
        finally:
            conn.close()
        tally.record("cancel", status, payload, time.monotonic() - t0)
        if status == 302:
            done.append(link["booking"])


def run(args) -> dict:
    name = "scaleout"
    url = urlparse(args.database_url)._replace(path=f"/probono_scaleout_{os.getpid()}").geturl()
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    base["DATABASE_URL"] = url
    env = bench_env(name, base)
    shutil.rmtree(MAIL_DIR, ignore_errors=True)
    MAIL_DIR.mkdir(parents=True)
    env.update({"REDIS_URL": args.redis_url, "Q_BROKER": "orm", "BENCH_Q_RETRY": "20", "Q_WORKERS": "2",
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(MAIL_DIR),
                "SCALEOUT_NAME": name, "CONN_MAX_AGE": "0"})
    say(f"seeding {args.scale:g}x into {urlparse(url).path.lstrip('/')} (Redis {args.redis_url}) ...")
    python("bench.seed", "--scale", f"{args.scale:g}", "--name", name, env=env, timeout=1200)
    try:
        return _run(args, env, name)
    finally:
        import psycopg

        with psycopg.connect(urlparse(url)._replace(path="/postgres").geturl(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{urlparse(url).path.lstrip("/")}" WITH (FORCE)')


def _run(args, env: dict, name: str) -> dict:
    info = json.loads(python("bench.scaleout", "--setup", str(args.waitlist), str(args.clients), env=env)
                      .strip().splitlines()[-1])
    os.environ.update(env)
    import django

    django.setup()
    meta = json.loads(meta_path(name).read_text())
    plan = prepare(meta, args.clients, args.slots)
    info["load_slots"] = [slot["id"] for slot in plan["slots"]]
    from django.db import connections

    connections.close_all()
    tally = Tally()
    cancelled_links: list[int] = []
    clusters = [QCluster(env, name=f"{name}-1"), QCluster(env, name=f"{name}-2")]
    with Gunicorn(env, workers=2, threads=2, name=f"{name}-a") as web_a, \
            Gunicorn(env, workers=2, threads=2, name=f"{name}-b") as web_b:
        ports = [web_a.port, web_b.port]
        for cluster in clusters:
            cluster.start()
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [threading.Thread(target=client_loop, args=(ports[i % 2], plan, c, deadline, tally, i), daemon=True)
                   for i, c in enumerate(plan["clients"])]
        threads.append(threading.Thread(target=canceller, args=(ports, info["links"], deadline, tally,
                                                                 cancelled_links), daemon=True))
        for t in threads:
            t.start()
        killed_at = None
        while time.monotonic() < deadline:
            if killed_at is None and time.monotonic() - started >= args.kill_after:
                clusters[1].kill()
                killed_at = time.monotonic() - started
                mails_at_kill = len(read_mails())
                say(f"SIGKILLed cluster 2 after {killed_at:.1f} s ({mails_at_kill} mails sent by then)")
            time.sleep(0.2)
        for t in threads:
            t.join(timeout=120)
        load_s = time.monotonic() - started
        # The surviving cluster finishes: the queue empties (the killed cluster's tasks come back after `retry`)
        # and the mail count stops changing.
        settle_started = time.monotonic()
        last, last_change = -1, time.monotonic()
        while time.monotonic() - settle_started < 180:
            sent = len(read_mails())
            left = int(python("bench.scaleout", "--queue-left", env=env).strip().splitlines()[-1])
            if sent != last:
                last, last_change = sent, time.monotonic()
            if left == 0 and time.monotonic() - last_change > 8:
                break
            time.sleep(1)
        settled_s = time.monotonic() - settle_started
        swept = int(python("bench.scaleout", "--unsent-sweep", env=env).strip().splitlines()[-1])
        say(f"the periodic sweep for unmailed waitlist offers, run as it would within 5 minutes: {swept} mailed")
        logs = web_a.log_text() + web_b.log_text()
        clusters[0].stop()
    db = json.loads(python("bench.scaleout", "--check", env=env, stdin=json.dumps(info)).strip().splitlines()[-1])
    result = figures(args, tally, db, info, ports, load_s, settled_s, killed_at, logs, cancelled_links)
    result["waitlist_offers_mailed_by_the_sweep"] = swept
    return result


def figures(args, tally: Tally, db: dict, info: dict, ports, load_s, settled_s, killed_at, logs, cancelled) -> dict:
    mails = read_mails()
    by_id = Counter(m.get("Message-ID", "") for m in mails if m.get("Message-ID"))
    twice = {mid: n for mid, n in by_id.items() if n > 1}
    notices = Counter()
    for mid in by_id:
        match = NOTICE_ID.search(mid)
        if match:
            notices[(int(match.group(1)), match.group(2), match.group(3))] += 1
    kinds = Counter(kind for (_b, kind, _a) in notices)
    confirmed = {b for (b, kind, _a) in notices if kind == "confirmed"}
    cancel_mailed = {b for (b, kind, _a) in notices if kind == "cancelled"}
    # A booking cancelled before its confirmation task ran gets only the cancellation (booking/tasks.py): so every
    # booking still active has its confirmation, and every cancelled one its cancellation.
    active = set(db["made"]) - set(db["cancelled"])
    missing_confirmation = sorted(b for b in active if b not in confirmed)
    missing_cancellation = [b for b in db["cancelled"] if b not in cancel_mailed]
    offer_slots = Counter(slot for slot, _entry in db["offers"])
    waiting = set(info["waiting_emails"])
    offer_mails = sum(1 for m in mails if m.get("To", "") in waiting)
    five_xx = sum(n for (_s, status), n in tally.statuses.items() if status >= 500 or status == 0)
    schedule_runs = db["schedule_runs"]
    result = {
        "seconds": round(load_s, 1), "settled_after_s": round(settled_s, 1), "ports": ports,
        "cluster_killed_after_s": killed_at, "requests": sum(tally.statuses.values()),
        "statuses": {f"{step} {status}": n for (step, status), n in sorted(tally.statuses.items())},
        "five_xx_or_no_answer": five_xx, "tracebacks_in_server_logs": logs.count("Traceback"),
        "bookings_made": len(db["made"]), "bookings_cancelled": len(db["cancelled"]),
        "slots_with_two_active_bookings": db["doubles"], "mails": len(mails), "mails_by_kind": dict(kinds),
        "mails_sent_twice": twice, "missing_confirmation_mails": missing_confirmation[:20],
        "missing_cancellation_mails": missing_cancellation[:20], "waitlist_cancellations": len(cancelled),
        "waitlist_offers": len(db["offers"]), "slots_offered_twice": [s for s, n in offer_slots.items() if n > 1],
        "waitlist_offer_mails": offer_mails, "schedule_runs": schedule_runs,
    }
    workers = 2
    result["checks"] = {
        "zero 5xx": five_xx == 0 and result["tracebacks_in_server_logs"] == 0,
        "never two active bookings on one slot": not db["doubles"],
        "every booking still active has its confirmation mail": not missing_confirmation,
        "every cancellation has its cancellation mail": not missing_cancellation,
        # Only a mail in flight at the kill can go twice (booking/mails.py send_once): one per killed worker.
        "every mail sent once (at most one in flight per killed worker twice)": len(twice) <= workers
        and all(n == 2 for n in twice.values()),
        "every freed slot offered once": len(db["offers"]) == len(cancelled) and not result["slots_offered_twice"],
        "every waitlist offer mailed once": offer_mails == len(db["offers"]),
        "every periodic task ran once": bool(schedule_runs) and all(n == 1 for n in schedule_runs.values()),
        "bookings were made": len(db["made"]) > 0,
    }
    return result


def main(argv=None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--setup":
        print(json.dumps(setup(int(sys.argv[2]), int(sys.argv[3]))))
        return 0
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--queue-left":
        print(queue_left())
        return 0
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--unsent-sweep":
        print(unsent_sweep())
        return 0
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--check":
        print(json.dumps(check(json.loads(sys.stdin.read()))))
        return 0
    parser = argparse.ArgumentParser(description="two of everything (issue 18)")
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--waitlist", type=int, default=6)
    parser.add_argument("--kill-after", type=float, default=15)
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument("--name", default="scaleout")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")) or not args.redis_url:
        parser.error("needs PostgreSQL (--database-url) and Redis (--redis-url)")
    if args.seconds > 600 or args.clients > 200:
        parser.error("keep it bounded: at most 600 s and 200 clients")
    result = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(result, indent=1, default=str))
    say(f"{result['requests']} requests in {result['seconds']} s to ports {result['ports']}; "
        f"cluster 2 SIGKILLed after {result['cluster_killed_after_s']} s; settled {result['settled_after_s']} s later")
    say(f"statuses: {result['statuses']}")
    say(f"bookings made {result['bookings_made']}, cancelled {result['bookings_cancelled']}; mails {result['mails']} "
        f"{result['mails_by_kind']}, sent twice {len(result['mails_sent_twice'])}")
    say(f"waitlist: {result['waitlist_cancellations']} cancellations, {result['waitlist_offers']} offers, "
        f"{result['waitlist_offer_mails']} offer mails; periodic task runs {result['schedule_runs']}")
    say(f"5xx or no answer: {result['five_xx_or_no_answer']}; double bookings: "
        f"{len(result['slots_with_two_active_bookings'])}")
    for what, ok in result["checks"].items():
        say(f"{'PASS' if ok else 'FAIL'} {what}")
    return 0 if all(result["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
