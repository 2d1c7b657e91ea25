"""Seed the benchmark's own database with a realistic, large data set, using bulk inserts.

    python -m bench.seed --scale 1        # SQLite file var/bench/bench-1x.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/probono_bench python -m bench.seed --scale 10

At 1x: 50 consultants with 24 months of slots (18 past, 6 ahead), 5,000 companies, 20,000 bookings with five
intake answers each, their pipeline events and confirmation notices, 2,000 engagements (gap report, payment),
5,000 feedback answers (what could not be seeded in full is printed as skipped). Everything
scales with --scale, consultants included, so per-consultant volumes stay realistic.

The database is dropped and created from scratch (migrations, cache table). Afterwards it writes
var/bench/meta-<label>.json: what bench/run.py and bench/load.py need (a consultant's slug, signed-in session
cookies for a staff user, a consultant and fresh company users, and free future slots to book).
"""

import argparse
import hashlib
import json
import os
import random
import sys
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_VAR = BASE_DIR / "var" / "bench"
BATCH = 2000
PASSWORD = "bench-password"

BASE = {"consultants": 50, "companies": 5000, "bookings": 20000, "engagements": 2000, "feedback": 5000}
SLOTS_PER_MONTH = 24
MONTHS_PAST, MONTHS_AHEAD = 18, 6


def label_for(scale: float | str) -> str:
    """"1x", "10x" for the benchmark; a name (e.g. "load") for a script's own database."""
    return scale if isinstance(scale, str) else f"{scale:g}x"


def sqlite_path(scale: float | str) -> Path:
    return BENCH_VAR / f"bench-{label_for(scale)}.sqlite3"


def meta_path(scale: float | str) -> Path:
    # The benchmark's 1x/10x runs on PostgreSQL keep their own meta file (session keys differ per database);
    # named databases (load, faults) have distinct names already.
    pg = "-postgresql" if not isinstance(scale, str) and os.environ.get("DATABASE_URL") else ""
    return BENCH_VAR / f"meta-{label_for(scale)}{pg}.json"


def bench_env(scale: float | str, base: dict | None = None) -> dict:
    """The environment a process needs to use the seeded database with the bench settings."""
    env = dict(os.environ if base is None else base)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env.pop("REDIS_URL", None)  # ORM broker and database cache: tasks stay countable in the database
    env.pop("PROBONO_TESTING", None)
    env.pop("Q_SYNC", None)
    if not env.get("DATABASE_URL"):
        env["SQLITE_PATH"] = str(sqlite_path(scale))
    return env


def reset_database() -> str:
    """Drop and recreate the target database. Runs before Django is set up."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        path = Path(os.environ["SQLITE_PATH"])
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return f"SQLite {path}"
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"PostgreSQL {parsed.hostname}:{parsed.port}/{name}"


@contextmanager
def historic_timestamps(*models):
    """Let bulk_create keep the created_at we give it (auto_now_add would overwrite it with now)."""
    saved = []
    for model in models:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
                saved.append((f, f.auto_now_add, f.auto_now))
                f.auto_now_add = f.auto_now = False
                _HISTORIC.add(f)
    try:
        yield
    finally:
        for f, add, now in saved:
            f.auto_now_add, f.auto_now = add, now
            _HISTORIC.discard(f)


_HISTORIC: set = set()


def bulk(model, objs: list, counts: dict) -> list:
    from django.utils import timezone

    stamps = [f for f in model._meta.concrete_fields if f in _HISTORIC]
    now = timezone.now()
    for obj in objs:
        for f in stamps:
            if getattr(obj, f.attname) is None:
                setattr(obj, f.attname, now)
    model.objects.bulk_create(objs, batch_size=BATCH)
    counts[model._meta.label] = counts.get(model._meta.label, 0) + len(objs)
    return objs


FIRST = ["Anna", "Mads", "Sofia", "Erik", "Karin", "Lars", "Mette", "Jonas", "Emma", "Oskar", "Ingrid", "Nils",
         "Freja", "Henrik", "Astrid", "Johan", "Sara", "Mikkel", "Elin", "Per"]
LAST = ["Lindqvist", "Nørgaard", "Berg", "Holm", "Wallin", "Kjær", "Andersson", "Jensen", "Nilsson", "Larsen",
        "Svensson", "Hansen", "Persson", "Pedersen", "Olsen", "Karlsson"]
CITIES = ["Stockholm", "Göteborg", "Malmö", "København", "Aarhus", "Uppsala", "Odense", "Lund"]
WORDS = ("customer survey complaint loyalty journey staff feedback response time follow-up service quality "
         "churn onboarding support score promise").split()


_SENTENCES: dict[int, list[str]] = {}


def sentence(rng: random.Random, n: int = 12) -> str:
    """A filler sentence of n words, from a pool of 200 per length (seeding hundreds of thousands stays fast)."""
    if n not in _SENTENCES:
        _SENTENCES[n] = [" ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "." for _ in range(200)]
    return rng.choice(_SENTENCES[n])


def seed(scale: float, rng: random.Random, busy_periods: int = 0) -> dict:  # noqa: C901 -- one linear script
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Company, Membership, User
    from booking.models import FairUsePolicy
    from consultants.models import AvailabilityRule, Consultant, ConsultantExpertise, ConsultantLanguage, Slot

    counts: dict[str, int] = {}
    skipped: list[str] = []
    n = {k: max(1, round(v * scale)) for k, v in BASE.items()}
    now = timezone.now().replace(microsecond=0)
    t0 = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    t_migrate = time.monotonic() - t0
    password = make_password(PASSWORD)

    with transaction.atomic(), historic_timestamps(*_timestamped_models()):
        # --- people -------------------------------------------------------------------------------------
        staff = User(email="bench-staff@probono.test", name="Bench Staff", password=password, is_staff=True,
                     is_superuser=True)
        consultant_users = [
            User(email=f"consultant{i}@bench.test", name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                 password=password, time_zone=rng.choice(["Europe/Stockholm", "Europe/Copenhagen"]),
                 language=rng.choice(["sv", "da", "en"]))
            for i in range(n["consultants"])
        ]
        owner_users = [
            User(email=f"owner{i}@company{i}.bench.test", name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                 password=password, language=rng.choice(["sv", "da", "en"]))
            for i in range(n["companies"])
        ]
        # Fresh companies with no history, one per booking request of the benchmark (fair use allows one
        # upcoming free session per company).
        n_bookers = 1500
        booker_users = [
            User(email=f"booker{i}@fresh{i}.bench.test", name=f"Booker {i}", password=password)
            for i in range(n_bookers)
        ]
        users = bulk(User, [staff, *consultant_users, *owner_users, *booker_users], counts)
        bulk(EmailAddress, [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users], counts)

        companies = bulk(Company, [
            Company(name=f"{rng.choice(LAST)} {rng.choice(['Bygg', 'Handel', 'Care', 'Bolig', 'Tech'])} {i} AB",
                    org_number=f"55{i:08d}", country=rng.choice(["SE", "DK"]),
                    industry=rng.choice(Company.Industry.values), size=rng.choice(Company.Size.values),
                    created_at=now - timedelta(days=rng.randint(400, 900)))
            for i in range(n["companies"] + n_bookers)
        ], counts)
        bulk(Membership, [
            Membership(user=u, company=c, role=Membership.Role.OWNER)
            for u, c in zip([*owner_users, *booker_users], companies, strict=True)
        ], counts)
        history_companies = list(zip(companies[: n["companies"]], owner_users, strict=True))
        booker_pairs = list(zip(companies[n["companies"]:], booker_users, strict=True))

        # --- consultants, rules, slots ------------------------------------------------------------------
        consultants = bulk(Consultant, [
            Consultant(user=u, display_name=u.name, slug=f"bench-consultant-{i}",
                       headline=sentence(rng, 6)[:200], bio="\n\n".join(sentence(rng, 30) for _ in range(3)),
                       city=rng.choice(CITIES), time_zone=u.time_zone, currency=rng.choice(["SEK", "DKK", "EUR"]),
                       created_at=now - timedelta(days=800))
            for i, u in enumerate(consultant_users)
        ], counts)
        areas = [c[0] for c in ConsultantExpertise._meta.get_field("area").choices]
        langs = [c[0] for c in ConsultantLanguage._meta.get_field("language").choices]
        bulk(ConsultantExpertise, [ConsultantExpertise(consultant=c, area=a)
                                   for c in consultants for a in rng.sample(areas, 3)], counts)
        bulk(ConsultantLanguage, [ConsultantLanguage(consultant=c, language=lang)
                                  for c in consultants for lang in rng.sample(langs, 2)], counts)
        rules = bulk(AvailabilityRule, [
            AvailabilityRule(consultant=c, kind="weekly", weekday=rng.randint(0, 4),
                             start_time=datetime(2000, 1, 1, 9).time(), end_time=datetime(2000, 1, 1, 15).time(),
                             session_minutes=60, buffer_minutes=15, created_at=now - timedelta(days=800))
            for c in consultants
        ], counts)
        this_month = date(now.year, now.month, 1)
        slots = []
        for c, rule in zip(consultants, rules, strict=True):
            for m in range(-MONTHS_PAST, MONTHS_AHEAD):
                year, month = divmod(this_month.month - 1 + m, 12)
                first = date(this_month.year + year, month + 1, 1)
                days = [first + timedelta(days=d) for d in range(28) if (first + timedelta(days=d)).weekday() < 5]
                for k in range(SLOTS_PER_MONTH):
                    day = days[k // 3 % len(days)]
                    start = datetime(day.year, day.month, day.day, 8 + (k % 3) * 2, 0, tzinfo=UTC)
                    slots.append(Slot(consultant=c, rule=rule, starts_at=start, ends_at=start + timedelta(hours=1),
                                      status=Slot.Status.PUBLISHED, created_at=start - timedelta(days=30)))
        soon = now + timedelta(days=2)  # minimum notice
        past = [s for s in slots if s.ends_at < now]
        future = [s for s in slots if s.starts_at > soon]

        # --- bookings --------------------------------------------------------------------------------------
        booked = _seed_bookings(rng, n, now, past, future, history_companies, consultants, counts, skipped)
        bulk(Slot, slots, counts)  # statuses were set while booking
        by_pk = {c.pk: c for c in consultants}
        for s, b in booked:
            b.slot, b.consultant = s, by_pk[s.consultant_id]
        _insert_bookings(rng, booked, consultants, now, counts, skipped)

        if busy_periods:
            # Their own random stream, so the rest of the data is identical to a seed without them.
            _seed_busy_periods(random.Random(busy_periods), busy_periods, consultants, now, counts, skipped)

        # --- engagements, feedback --------------------------------------------------------------------------
        held = [b for _s, b in booked if b.status == "held"]
        _seed_engagements(rng, n["engagements"], held, now, counts, skipped)
        _seed_feedback(rng, n["feedback"], held, now, counts, skipped)

        FairUsePolicy.current()

    try:  # bulk inserts send no signals: build the reports' daily roll-up as its first periodic run would
        from reports.rollup import figures_rebuild
    except ImportError:
        skipped.append("reports' daily roll-up (reports/rollup.py does not exist yet)")
    else:
        counts["daily figures (reports)"] = figures_rebuild()

    sessions = _sessions(staff=staff, consultant=consultants[0], bookers=booker_pairs)
    free_future = [s for s in future if s.status == Slot.Status.PUBLISHED]
    rng.shuffle(free_future)
    meta = {
        "scale": scale, "label": label_for(scale), "database": os.environ.get("DATABASE_URL") or
        os.environ["SQLITE_PATH"], "seeded_at": now.isoformat(), "counts": counts, "skipped": skipped,
        "migrate_seconds": round(t_migrate, 1), "password": PASSWORD,
        "profile_slug": consultants[0].slug, "consultant_email": consultants[0].user.email,
        "sessions": sessions,
        "free_slots": [{"id": s.pk, "consultant_slug": next(c.slug for c in consultants if c.pk == s.consultant_id),
                        "starts_at": s.starts_at.isoformat()} for s in free_future[:5000]],
    }
    return meta


def _seed_busy_periods(rng, per_consultant, consultants, now, counts, skipped):
    """`per_consultant` busy periods from one ICS source per consultant (never fetched: its secret is left empty),
    on coming weekdays at 13:30–14:30 UTC, between the seeded slots (12:00–13:00 + the 15-minute break, and
    14:00 is not a slot start), so they are stored and shown but offer the same slots: the pages' cost with
    busy periods against the same offer without them."""
    from calendars.models import BusyPeriod as period_model
    from calendars.models import CalendarSource as source_model

    sources = bulk(source_model, [source_model(consultant=c, kind="ics", name="Work", secret="",
                                               address_hint="https://calendar.example/…", last_synced_at=now)
                                  for c in consultants], counts)
    days = [d for d in (now.date() + timedelta(days=i) for i in range(1, 400)) if d.weekday() < 5]
    periods = []
    for source in sources:
        for day in sorted(rng.sample(days, min(per_consultant, len(days)))):
            start = datetime(day.year, day.month, day.day, 13, 30, tzinfo=UTC)
            periods.append(period_model(source=source, consultant_id=source.consultant_id, starts_at=start,
                                        ends_at=start + timedelta(hours=1)))
    bulk(period_model, periods, counts)


def _timestamped_models():
    from accounts.models import Company, Membership, User
    from booking.models import Booking, BookingNotice, PipelineEvent, Questionnaire
    from consultants.models import AvailabilityRule, Consultant, Slot
    from engagements.models import Engagement, GapReport, Payment
    from feedback.models import Feedback

    return [User, Company, Membership, Consultant, AvailabilityRule, Slot, Booking, PipelineEvent, BookingNotice,
            Questionnaire, Engagement, GapReport, Payment, Feedback]


def _seed_bookings(rng, n, now, past, future, companies, consultants, counts, skipped):
    """Choose slots and statuses; the rows are inserted after the slots (they need slot ids)."""
    from booking.models import Booking
    from consultants.models import Slot

    total = n["bookings"]
    n_future = min(len(future) // 2, total * 15 // 100)
    n_past = min(len(past), total - n_future)
    chosen = [(s, "past") for s in rng.sample(past, n_past)] + [(s, "future") for s in rng.sample(future, n_future)]
    booked = []
    for s, when in chosen:
        company, owner = rng.choice(companies)
        r = rng.random()
        if when == "past":
            status = "held" if r < 0.75 else "no_show" if r < 0.82 else "cancelled"
        else:
            status = "confirmed" if r < 0.85 else "cancelled"
        created = s.starts_at - timedelta(days=rng.randint(3, 40))
        b = Booking(company=company, booked_by=owner, status=status, created_at=created, confirmed_at=created,
                    manage_token_hash=hashlib.sha256(f"bench-{s.consultant_id}-{s.starts_at}".encode()).hexdigest())
        if status == "cancelled":
            b.cancelled_at = created + timedelta(days=1)
            b.cancel_reason = rng.choice(["", "Something came up.", "We found another time."])
            b.cancelled_by = owner
        if status in ("held", "no_show", "confirmed"):
            s.status = Slot.Status.BOOKED
        booked.append((s, b))
    if len(booked) < total:
        skipped.append(f"only {len(booked)} of {total} bookings fit the slots")
    return booked


def _insert_bookings(rng, booked, consultants, now, counts, skipped):
    from booking.models import Booking, IntakeAnswer, PipelineEvent, Question, Questionnaire

    questionnaires = bulk(Questionnaire, [Questionnaire(consultant=c, version=1, created_at=now - timedelta(days=800))
                                          for c in consultants], counts)
    spec = [("short_text", "What do you want to get out of the session?", []),
            ("single_choice", "How do you measure customer satisfaction today?", ["Surveys", "NPS", "Not at all"]),
            ("scale", "How satisfied are your customers, 0 to 10?", []),
            ("yes_no", "Do you have a complaints process?", []),
            ("long_text", "Anything else we should know?", [])]
    questions = bulk(Question, [Question(questionnaire=q, kind=kind, label=label, choices=choices, order=i,
                                         required=i < 4)
                                for q in questionnaires for i, (kind, label, choices) in enumerate(spec)], counts)
    by_consultant = {q.consultant_id: q for q in questionnaires}
    qs_by_questionnaire: dict[int, list] = {}
    for q in questions:
        qs_by_questionnaire.setdefault(q.questionnaire_id, []).append(q)
    bookings = []
    for _s, b in booked:
        b.questionnaire = by_consultant[b.consultant_id]
        bookings.append(b)
    bulk(Booking, bookings, counts)

    answers = []
    for b in bookings:
        for q in qs_by_questionnaire[b.questionnaire_id]:
            value = {"short_text": sentence(rng, 6), "single_choice": rng.choice(q.choices or ["x"]),
                     "scale": rng.randint(0, 10), "yes_no": rng.random() < 0.5,
                     "long_text": sentence(rng, 25)}[q.kind]
            answers.append(IntakeAnswer(booking=b, question=q, question_label=q.label, question_kind=q.kind,
                                        value=value, order=q.order))
        if len(answers) >= 20000:
            bulk(IntakeAnswer, answers, counts)
            answers = []
    bulk(IntakeAnswer, answers, counts)

    events = []
    for b in bookings:
        events.append(PipelineEvent(booking=b, kind="booked", actor=b.booked_by, actor_name=b.booked_by.name,
                                    created_at=b.created_at))
        if b.status in ("held", "no_show"):
            events.append(PipelineEvent(booking=b, kind=b.status, actor_id=b.consultant.user_id,
                                        actor_name=b.consultant.display_name,
                                        created_at=b.slot.ends_at + timedelta(minutes=10)))
        elif b.status == "cancelled":
            events.append(PipelineEvent(booking=b, kind="cancelled", actor=b.booked_by, actor_name=b.booked_by.name,
                                        created_at=b.cancelled_at))
    bulk(PipelineEvent, events, counts)

    from booking.models import BookingNotice as Notice

    bulk(Notice, [Notice(booking=b, kind="confirmed", audience=aud, key="0", sent_at=b.created_at,
                         created_at=b.created_at)
                  for b in bookings for aud in ("company", "consultant")], counts)


def _seed_engagements(rng, total, held, now, counts, skipped):
    from booking.models import PipelineEvent
    from engagements.models import Engagement, GapItem, GapReport, Payment, vat_of

    chosen = rng.sample(held, min(total, len(held)))
    reports = bulk(GapReport, [GapReport(booking=b, summary=sentence(rng, 30), recommendations=sentence(rng, 30),
                                         next_steps=sentence(rng, 12), shared_at=b.slot.ends_at + timedelta(days=2),
                                         created_at=b.slot.ends_at + timedelta(days=1))
                               for b in chosen], counts)
    bulk(GapItem, [GapItem(report=r, title=sentence(rng, 4)[:200], detail=sentence(rng, 15),
                           priority=rng.choice(["high", "medium", "low"]), position=i)
                   for r in reports for i in range(3)], counts)
    statuses = ["proposed"] * 20 + ["accepted"] * 10 + ["paid"] * 25 + ["completed"] * 20 + ["declined"] * 15 + \
        ["expired"] * 5 + ["cancelled"] * 5
    engagements, events = [], []
    for b in chosen:
        status = rng.choice(statuses)
        proposed = b.slot.ends_at + timedelta(days=rng.randint(2, 10))
        e = Engagement(booking=b, consultant_id=b.consultant_id, company_id=b.company_id,
                       title=sentence(rng, 5)[:200], scope=sentence(rng, 40),
                       amount_minor=rng.randint(10, 200) * 100000, currency=rng.choice(["SEK", "DKK", "EUR"]),
                       valid_until=(proposed + timedelta(days=30)).date(), status=status, proposed_at=proposed,
                       created_at=proposed, updated_at=proposed)
        if status in ("accepted", "paid", "completed"):
            e.accepted_at, e.accepted_by_id = proposed + timedelta(days=3), b.booked_by_id
        if status in ("paid", "completed"):
            e.paid_at = proposed + timedelta(days=10)
        if status == "completed":
            e.completed_at = proposed + timedelta(days=40)
        if status in ("declined", "expired", "cancelled"):
            e.closed_at = proposed + timedelta(days=5)
        engagements.append(e)
        events.append(PipelineEvent(booking=b, kind="proposal_sent", actor_id=b.consultant.user_id,
                                    actor_name=b.consultant.display_name, created_at=proposed))
        if e.paid_at:
            events.append(PipelineEvent(booking=b, kind="paid", actor_name="Probono", created_at=e.paid_at))
    bulk(Engagement, engagements, counts)
    bulk(PipelineEvent, events, counts)
    payments = []
    for e in engagements:
        if e.accepted_at is None:
            continue
        vat = vat_of(e.amount_minor, e.vat_rate_bp)
        payments.append(Payment(engagement=e, provider="invoice", status="paid" if e.paid_at else "pending",
                                amount_minor=e.amount_minor, vat_minor=vat, total_minor=e.amount_minor + vat,
                                currency=e.currency, paid_at=e.paid_at, created_at=e.accepted_at))
    bulk(Payment, payments, counts)


def _seed_feedback(rng, total, held, now, counts, skipped):
    """Answered session surveys for held sessions: scores weighted towards promoters, some with a comment."""
    from feedback.models import Feedback

    rows = []
    for b in rng.sample(held, min(total, len(held))):
        asked = b.slot.ends_at + timedelta(hours=2)
        rows.append(Feedback(
            booking=b, kind=Feedback.Kind.SESSION,
            score=rng.choices(range(11), weights=[1, 1, 1, 1, 2, 2, 3, 6, 10, 12, 10])[0],
            comment=sentence(rng, 10) if rng.random() < 0.4 else "", show_company=rng.random() < 0.5,
            token_hash=hashlib.sha256(os.urandom(16)).hexdigest(), due_at=asked, sent_at=asked,
            answered_at=b.slot.ends_at + timedelta(days=1), created_at=asked, updated_at=asked))
    bulk(Feedback, rows, counts)


def _sessions(*, staff, consultant, bookers) -> dict:
    """Signed-in sessions made directly in the session store (no login form, so no rate limit in the way)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import transaction

    engine = import_module(settings.SESSION_ENGINE)

    def make(user) -> str:
        s = engine.SessionStore()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.create()
        return s.session_key

    with transaction.atomic():
        return {
            "cookie_name": settings.SESSION_COOKIE_NAME,
            "staff": make(staff),
            "consultant": make(consultant.user),
            "bookers": [{"session": make(u), "email": u.email, "company_id": c.pk} for c, u in bookers],
        }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--name", default="", help="name the database and meta file (default: the scale, 1x)")
    parser.add_argument("--busy-periods", type=int, default=0,
                        help="busy periods per consultant from their other calendars (calendars app; default none)")
    args = parser.parse_args(argv)
    name = args.name or args.scale
    env = bench_env(name)
    os.environ.clear()
    os.environ.update(env)
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    where = reset_database()
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    meta = seed(args.scale, random.Random(args.seed), busy_periods=args.busy_periods)
    elapsed = time.monotonic() - started
    meta["seed_seconds"] = round(elapsed, 1)
    meta_path(name).write_text(json.dumps(meta, indent=1))
    print(f"seeded {label_for(args.scale)} ({label_for(name)}) into {where} in {elapsed:.1f} s "
          f"(migrations {meta['migrate_seconds']} s)")
    for label, count in sorted(meta["counts"].items()):
        print(f"  {label:32} {count:>9,}")
    for what in meta["skipped"]:
        print(f"  SKIPPED: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
