"""make bench-faults: break things on purpose and check that nobody notices more than they must.

    python -m bench.faults [--only queue,postgres,sqlite] [--pg-cluster 15/probono-bench]

(a) queue: confirmations and due reminders are queued, the django-q2 cluster starts sending them and is
    SIGKILLed (its whole process group) in the middle, then started again. No mail may be lost, and every mail
    must go out exactly once, except one a worker was killed in the middle of sending (the mail server had it,
    our row did not say so yet): that one may go out twice, at most one per worker. Counted in the files of
    Django's file-based e-mail backend (var/bench/mail-faults/).
(b) postgres: a short soak of page requests while PostgreSQL restarts. Requests in flight may fail, but only
    as the friendly 503 page (never a 500 or a traceback), and the app recovers by itself (no restart).
    The restarted server is a PostgreSQL cluster of the bench's own (created on first use, port 5433), so
    other people's tests on the main cluster are not cut off; `--pg-cluster 15/main` restarts the main one.
(c) sqlite: another process holds SQLite's write lock longer than the app's 20 s busy timeout while
    companies book and others read. Writers must get the friendly 503 (never a 500), readers keep working,
    and everything works again once the lock is gone.

Prints the numbers, writes bench/results/faults.json, exits 1 when a check fails.
"""

import argparse
import email
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from bench.seed import bench_env, meta_path, sqlite_path
from bench.server import Gunicorn, QCluster, load, python

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
MAIL_DIR = BASE_DIR / "var" / "bench" / "mail-faults"


def say(part: str, text: str) -> None:
    print(f"[faults {part}] {text}", flush=True)


def seed(name: str, env: dict, scale: float = 0.1) -> dict:
    python("bench.seed", "--scale", f"{scale:g}", "--name", name, env=env, timeout=1200)
    return json.loads(meta_path(name).read_text())


# --- (a) the task cluster is killed mid-run ---------------------------------------------------------------------
def read_mails() -> list[email.message.Message]:
    messages = []
    for path in sorted(MAIL_DIR.glob("*.log")):
        for chunk in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.lstrip("\n")))
    return messages


def queue_setup(n_confirm: int, n_remind: int) -> dict:
    """Confirmations through booking_create (queued on commit), and older bookings whose reminders are due now."""
    from django.db import transaction
    from django.utils import timezone
    from django.utils.datastructures import MultiValueDict
    from django_q.tasks import async_task

    from accounts.models import Membership
    from bench.booking_flow import answer_data, questionnaire_for
    from booking.models import Booking, BookingNotice, PipelineEvent
    from booking.questionnaires import IntakeForm
    from booking.services import booking_create
    from consultants.models import Consultant, Slot

    now = timezone.now()
    meta = json.loads(meta_path("faults-queue").read_text())
    bookers = meta["sessions"]["bookers"]
    expected = []  # (recipient, kind)
    slots = list(Slot.objects.filter(pk__in=[s["id"] for s in meta["free_slots"]], status="published")
                 .select_related("consultant__user")[:n_confirm])
    for slot, booker in zip(slots, bookers, strict=False):
        member = Membership.objects.select_related("user", "company").get(company_id=booker["company_id"])
        q = questionnaire_for(slot.consultant_id)
        form = IntakeForm(MultiValueDict(answer_data(q.questions.all())), questions=q.questions.all())
        assert form.is_valid(), form.errors
        booking_create(slot=slot, company=member.company, user=member.user, answers=form.answers(), questionnaire=q)
        expected += [(member.user.email, "confirmed"), (slot.consultant.user.email, "confirmed")]
    # Booked three days ago (their confirmation went out then); the session starts within 24 h, so one
    # reminder is due now: 2-hour reminders for the first half, 24-hour reminders for the rest.
    consultants = list(Consultant.objects.select_related("user").order_by("pk"))
    rest = bookers[len(slots):len(slots) + n_remind]
    with transaction.atomic():
        for i, booker in enumerate(rest):
            consultant = consultants[i % len(consultants)]
            starts = (now + timedelta(minutes=70 + i * 3) if i < n_remind // 2 else
                      now + timedelta(hours=6, minutes=i * 3)).replace(second=0, microsecond=0)
            slot = Slot.objects.create(consultant=consultant, starts_at=starts, ends_at=starts + timedelta(hours=1),
                                       status=Slot.Status.BOOKED)
            member = Membership.objects.select_related("user", "company").get(company_id=booker["company_id"])
            token, token_hash = Booking.new_manage_token()
            b = Booking.objects.create(slot=slot, consultant=consultant, company=member.company,
                                       booked_by=member.user, status="confirmed", manage_token_hash=token_hash,
                                       confirmed_at=now - timedelta(days=3))
            Booking.objects.filter(pk=b.pk).update(created_at=now - timedelta(days=3))
            PipelineEvent.objects.create(booking=b, kind="booked", actor=member.user)
            for audience in ("company", "consultant"):
                n = BookingNotice.objects.create(booking=b, kind="confirmed", audience=audience, key="0",
                                                 sent_at=now - timedelta(days=3))
                BookingNotice.objects.filter(pk=n.pk).update(created_at=now - timedelta(days=3))
            expected += [(member.user.email, "reminder"), (consultant.user.email, "reminder")]
    # Only the work under test runs: the product's periodic jobs (slot publishing, surveys) would mail the seeded
    # data too. The periodic reminder job itself is queued several times, as a restarted scheduler or a
    # re-delivery would.
    from django_q.models import Schedule

    from booking.tasks import reminders_send_due

    Schedule.objects.all().delete()
    for _ in range(4):
        async_task(reminders_send_due, task_name="reminders_send_due")
    return {"expected": expected, "confirm_bookings": len(slots), "reminder_bookings": len(rest)}


def fault_queue(args) -> dict:
    name = "faults-queue"
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env = bench_env(name, base)
    shutil.rmtree(MAIL_DIR, ignore_errors=True)
    MAIL_DIR.mkdir(parents=True)
    env.update({"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(MAIL_DIR),
                "BENCH_Q_RETRY": "20", "Q_WORKERS": "2"})
    say("queue", "seeding ...")
    seed(name, env, scale=0.1)
    # The setup runs in a child process with the same environment (this process keeps no Django state).
    setup = json.loads(python("bench.faults", "--queue-setup", str(args.confirmations), str(args.reminders),
                              env=env).strip().splitlines()[-1])
    expected = setup["expected"]
    say("queue", f"queued {setup['confirm_bookings']} confirmations and {setup['reminder_bookings']} due reminders "
                 f"(4 reminder jobs): {len(expected)} mails expected")
    cluster = QCluster(env, name=name)
    cluster.start()
    started = time.monotonic()
    sent_at_kill = 0
    while time.monotonic() - started < 60:  # bounded
        sent_at_kill = len(read_mails())
        if sent_at_kill >= max(1, len(expected) // 3):
            break
        time.sleep(0.05)
    cluster.kill()
    killed_after = time.monotonic() - started
    at_kill = read_mails()
    sent_at_kill = len(at_kill)
    keys_at_kill = {(m.get("To", ""), m.get("Subject", "")) for m in at_kill}
    say("queue", f"SIGKILLed the cluster after {killed_after:.1f} s with {sent_at_kill} of {len(expected)} mails sent")
    time.sleep(1)
    cluster.start()
    restarted = time.monotonic()
    last_change, last = time.monotonic(), -1
    while time.monotonic() - restarted < 150:  # re-delivery after the retry period (20 s here), then settle
        now_sent = len(read_mails())
        queued = int(python("bench.faults", "--queue-left", env=env).strip().splitlines()[-1])
        if now_sent != last:
            last, last_change = now_sent, time.monotonic()
        if queued == 0 and now_sent >= len(expected) and time.monotonic() - last_change > 5:
            break
        if queued == 0 and time.monotonic() - last_change > 40:
            break
        time.sleep(1)
    cluster.stop()
    mails = read_mails()
    got: dict[tuple[str, str], int] = {}
    for m in mails:
        key = (m.get("To", ""), m.get("Subject", ""))
        got[key] = got.get(key, 0) + 1
    duplicates = {f"{to} | {subject}": n for (to, subject), n in got.items() if n > 1}
    want_by_rcpt: dict[str, int] = {}
    for rcpt, _kind in expected:
        want_by_rcpt[rcpt] = want_by_rcpt.get(rcpt, 0) + 1
    got_by_rcpt: dict[str, int] = {}
    for m in mails:
        got_by_rcpt[m.get("To", "")] = got_by_rcpt.get(m.get("To", ""), 0) + 1
    missing = {r: n - got_by_rcpt.get(r, 0) for r, n in want_by_rcpt.items() if got_by_rcpt.get(r, 0) < n}
    extra = {r: n - want_by_rcpt.get(r, 0) for r, n in got_by_rcpt.items() if n > want_by_rcpt.get(r, 0)}
    result = {"expected": len(expected), "sent": len(mails), "sent_before_kill": sent_at_kill,
              "killed_after_s": round(killed_after, 1), "duplicates": duplicates, "missing": missing, "extra": extra,
              "recovered_in_s": round(last_change - restarted, 1)}
    # A worker killed between the mail server accepting a mail and the UPDATE that marks it sent makes the
    # re-delivery send it again (booking/mails.py send_once: never lost, at worst sent twice). So a duplicate is
    # allowed only for a mail that was already out at the kill, twice at most, one per killed worker at most.
    in_flight = {(to, subject) for (to, subject), n in got.items() if n > 1}
    workers = int(env["Q_WORKERS"])
    result["in_flight_duplicates"] = len(in_flight)
    result["checks"] = {
        "no due mail lost": not missing,
        "every other mail sent exactly once": (in_flight <= keys_at_kill and len(in_flight) <= workers
                                               and all(n == 2 for n in duplicates.values())
                                               and len(mails) == len(expected) + len(in_flight)),
        "the kill happened mid-run": 0 < sent_at_kill < len(expected)}
    say("queue", f"{len(mails)} mails sent for {len(expected)} expected ({sent_at_kill} before the kill); "
                 f"duplicates {len(duplicates)}, missing {sum(missing.values())}, extra {sum(extra.values())}; "
                 f"all sent {result['recovered_in_s']} s after the restart")
    return result


def queue_left() -> int:
    from django_q.models import OrmQ

    return OrmQ.objects.count()


# --- (b) PostgreSQL restarts during a soak ----------------------------------------------------------------------
def pg_cluster(spec: str) -> tuple[str, str, int, bool]:
    """(version, name, port, started_here) of the cluster to restart; the bench's own is created on first use."""
    version, name = spec.split("/", 1)
    listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        cols = line.split()
        if cols[0] == version and cols[1] == name:
            if cols[3] != "online":
                subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start"], check=True)
                return version, name, int(cols[2]), True
            return version, name, int(cols[2]), False
    port = 5433
    subprocess.run(["pg_createcluster", version, name, "-p", str(port), "--start", "--",
                    "--auth-local=trust", "--auth-host=trust"], check=True, capture_output=True)
    return version, name, port, True


def page_requests(meta: dict, env: dict) -> list[dict]:
    plan = json.loads(python("bench.plan", "--name", meta["name"], "--bookings", "0", env=env))
    return [r for p in plan if p["kind"] == "page" and p["status"] == "ok" and p["page"] in
            ("directory", "profile", "calendar", "baseline") for r in p["requests"]]


def fault_postgres(args) -> dict:
    version, cluster, port, started_here = pg_cluster(args.pg_cluster)
    try:
        return _fault_postgres(args, version, cluster, port)
    finally:
        if started_here:  # leave the machine as we found it: the bench's own cluster does not keep running
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "stop"],
                           capture_output=True)


def _fault_postgres(args, version: str, cluster: str, port: int) -> dict:
    name = "faults-pg"
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    base.update({"DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/probono_faults", "CONN_MAX_AGE": "60"})
    env = bench_env(name, base)
    say("postgres", f"seeding into cluster {version}/{cluster} (port {port}) ...")
    meta = seed(name, env, scale=0.05)
    meta["name"] = name
    requests = page_requests(meta, env)
    restart = {}

    def restart_later():
        time.sleep(args.restart_at)
        t0, wall = time.monotonic(), time.time()
        out = subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "restart"],
                             capture_output=True, text=True)
        restart.update(wall=wall, took=round(time.monotonic() - t0, 2), rc=out.returncode, stderr=out.stderr[-300:])

    with Gunicorn(env, workers=2, threads=2, name=name) as server:
        spec = {"port": server.port, "seconds": args.soak_seconds, "concurrency": 6, "mode": "repeat",
                "requests": requests, "timeline": True, "timeout": 30}
        t = threading.Thread(target=restart_later, daemon=True)
        t.start()
        result = load(spec, env)
        t.join(timeout=60)
        log = server.log_text()
    timeline = result.pop("timeline") or []
    # Both clocks as seconds since the load generator started.
    restart["at"] = round(restart.get("wall", 0) - result["started_wall"], 2)
    end_of_restart = restart["at"] + restart.get("took", 0)
    failures = [(t, s) for t, s in timeline if s != 200]
    after = [s for t, s in timeline if t > end_of_restart + 3]
    first_ok_after = min((t for t, s in timeline if t > end_of_restart and s == 200), default=None)
    statuses = result["statuses"]
    out = {"restart": restart, "requests": result["requests"], "statuses": statuses, "markers": result["markers"],
           "failures": len(failures), "first_failure_s": failures[0][0] if failures else None,
           "last_failure_s": failures[-1][0] if failures else None,
           "first_200_after_restart_s": round(first_ok_after - end_of_restart, 2) if first_ok_after else None,
           "requests_after_recovery": len(after), "non_200_after_recovery": sum(1 for s in after if s != 200),
           "tracebacks_in_server_log": log.count("Traceback"), "samples": result["samples"][:2]}
    non_friendly = sum(n for s, n in statuses.items() if s not in ("200", "503"))
    out["checks"] = {
        "restart happened": restart.get("rc") == 0,
        "failed requests get the friendly 503 (no 500, no traceback page)": non_friendly == 0
        and result["markers"].get("traceback", 0) == 0
        and result["markers"].get("friendly_503", 0) >= int(statuses.get("503", 0)),
        "the app recovers by itself": out["requests_after_recovery"] > 0 and out["non_200_after_recovery"] == 0,
    }
    say("postgres", f"restart at {restart.get('at')} s took {restart.get('took')} s; {result['requests']} requests: "
                    f"{statuses}; failures between {out['first_failure_s']} s and {out['last_failure_s']} s; "
                    f"first 200 {out['first_200_after_restart_s']} s after the restart; "
                    f"{out['non_200_after_recovery']} failures among {len(after)} requests after that")
    return out


# --- (c) SQLite is locked longer than the busy timeout ----------------------------------------------------------
def fault_sqlite(args) -> dict:
    name = "faults-lock"
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env = bench_env(name, base)
    say("sqlite", "seeding ...")
    meta = seed(name, env, scale=0.05)
    meta["name"] = name
    reads = page_requests(meta, env)
    plan = json.loads(python("bench.plan", "--name", name, "--bookings", "400", env=env))
    writes = next(p for p in plan if p["kind"] == "booking")
    hold = args.lock_seconds
    lock_info = {}

    def hold_lock():
        time.sleep(3)
        conn = sqlite3.connect(sqlite_path(name), timeout=30, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")  # the write lock every writer of the app waits for
        lock_info["taken_wall"] = time.time()
        time.sleep(hold)
        conn.execute("ROLLBACK")
        conn.close()
        lock_info["released_wall"] = time.time()

    seconds = hold + 16
    with Gunicorn(env, workers=2, threads=4, name=name, timeout=90) as server:
        locker = threading.Thread(target=hold_lock, daemon=True)
        locker.start()
        results = {}

        def run(kind, spec):
            results[kind] = load(spec, env)

        runners = [
            threading.Thread(target=run, args=("writes", {"port": server.port, "seconds": seconds, "concurrency": 4,
                                                          "mode": "each-once", "requests": writes["requests"],
                                                          "timeline": True, "timeout": 60})),
            threading.Thread(target=run, args=("reads", {"port": server.port, "seconds": seconds, "concurrency": 3,
                                                         "mode": "repeat", "requests": reads, "timeline": True,
                                                         "timeout": 60})),
        ]
        for r in runners:
            r.start()
        for r in runners:
            r.join(timeout=seconds + 180)
        locker.join(timeout=hold + 10)
        log = server.log_text()
    out = {"lock": lock_info, "server_log_tracebacks": log.count("Traceback"),
           "server_log_locked": log.count("database is locked")}
    for kind, r in results.items():
        timeline = r.pop("timeline") or []
        release = lock_info.get("released_wall", 0) - r["started_wall"]
        lock_info[f"released_at_s_{kind}"] = round(release, 2)
        after = [s for t, s in timeline if t > release + 1]
        out[kind] = {"requests": r["requests"], "statuses": r["statuses"], "markers": r["markers"],
                     "p95_ms": r["p95_ms"], "after_release": len(after),
                     "failed_after_release": sum(1 for s in after if s >= 400 or s == 0)}
    w, rd = out.get("writes", {}), out.get("reads", {})
    all_statuses = {**{f"w{k}": v for k, v in w.get("statuses", {}).items()},
                    **{f"r{k}": v for k, v in rd.get("statuses", {}).items()}}
    out["checks"] = {
        "'database is locked' never reaches a user as a 500": not any(k.endswith("500") for k in all_statuses)
        and w.get("markers", {}).get("traceback", 0) == 0 and rd.get("markers", {}).get("traceback", 0) == 0,
        "locked writers get the friendly 503": int(w.get("statuses", {}).get("503", 0)) > 0
        and w.get("markers", {}).get("friendly_503", 0) >= int(w.get("statuses", {}).get("503", 0)),
        "readers keep working during the lock": set(rd.get("statuses", {})) <= {"200"},
        "writers work again after the lock": w.get("after_release", 0) > 0 and w.get("failed_after_release") == 0,
    }
    say("sqlite", f"write lock held {hold} s (busy timeout 20 s): writes {w.get('statuses')}, reads "
                  f"{rd.get('statuses')}; after the lock: {w.get('after_release')} writes, "
                  f"{w.get('failed_after_release')} failed")
    return out


def main(argv=None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] in ("--queue-setup", "--queue-left"):
        import django

        django.setup()
        if sys.argv[1] == "--queue-setup":
            print(json.dumps(queue_setup(int(sys.argv[2]), int(sys.argv[3]))))
        else:
            print(queue_left())
        return 0
    parser = argparse.ArgumentParser(description="fault scripts (issue 7)")
    parser.add_argument("--only", default="queue,postgres,sqlite")
    parser.add_argument("--confirmations", type=int, default=40)
    parser.add_argument("--reminders", type=int, default=20)
    parser.add_argument("--pg-cluster", default="15/probono-bench")
    parser.add_argument("--soak-seconds", type=float, default=20)
    parser.add_argument("--restart-at", type=float, default=5)
    parser.add_argument("--lock-seconds", type=float, default=25)
    args = parser.parse_args(argv)
    parts = {"queue": fault_queue, "postgres": fault_postgres, "sqlite": fault_sqlite}
    results = {}
    for part in args.only.split(","):
        try:
            results[part] = parts[part](args)
        except Exception as e:  # one broken part must not hide the others' numbers
            say(part, f"FAILED TO RUN: {e.__class__.__name__}: {str(e)[-1500:]}")
            results[part] = {"checks": {"ran": False}, "error": str(e)[-3000:]}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "faults.json").write_text(json.dumps(results, indent=1, default=str))
    ok = True
    for part, r in results.items():
        for what, passed in r.get("checks", {}).items():
            ok &= bool(passed)
            say(part, f"{'PASS' if passed else 'FAIL'} {what}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
