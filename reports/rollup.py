"""The daily roll-up of the report's figures (issue 19): one DailyFigures row per consultant per day of sessions.

Days are calendar days in REPORT_ZONE (the Nordic zone the product and its staff work in). A report whose period
starts and ends at midnight in that zone (Stockholm, Copenhagen, Oslo, Berlin ... : every zone with the same
offsets) sums rows; any other zone's period does not fall on whole days of the roll-up and reads the raw rows
(reports/selectors.py decides, `period_fits`).

`figures_refresh` recomputes the rows of some (consultant, day) pairs from the raw rows: five grouped queries over
just those days, a delete and a bulk insert, in one transaction. It runs
- after every change of a booking, slot, engagement or feedback (reports/receivers.py enqueues it after commit);
- every few minutes over the recent and coming weeks (reports/tasks.py), which catches changes made by bulk
  updates that send no signal (publishing a month, blocking slots);
- over the whole history once (`figures_rebuild`), which also marks the roll-up usable (RollupState).
"""

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from booking.models import Booking
from consultants.models import Consultant, Slot
from engagements.models import Engagement
from feedback.models import Feedback
from reports.models import DailyFigures, RollupState

B = Booking.Status
E = Engagement.Status
BOOKED = (B.REQUESTED, B.CONFIRMED, B.HELD, B.NO_SHOW)
PROMOTER = Q(score__gte=Feedback.PROMOTER_MIN)
DETRACTOR = Q(score__lte=Feedback.DETRACTOR_MAX)
PASSIVE = Q(score__gt=Feedback.DETRACTOR_MAX, score__lt=Feedback.PROMOTER_MIN)
COUNTS = ("published", "booked", "held", "no_shows", "pro_bono_minutes", "proposals", "won", "promoters",
          "passives", "detractors")
REFRESH_DAYS_BACK = 45  # outcomes, proposals and feedback of the last weeks still change
REFRESH_DAYS_AHEAD = 120  # published months ahead


def report_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE)


def day_of(moment: datetime) -> date:
    return moment.astimezone(report_zone()).date()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=report_zone())


def _minutes(value) -> int:
    if value is None:
        return 0
    if isinstance(value, timedelta):
        return int(value.total_seconds() // 60)
    return int(value) // 60_000_000  # some backends hand back microseconds


def _compute(*, first: date, last: date, consultant_ids: set[int] | None) -> dict[tuple[int, date], dict]:
    """{(consultant, day): figures} from the raw rows of sessions on days first..last (report zone)."""
    zone = report_zone()
    window = {"gte": day_start(first), "lt": day_start(last + timedelta(days=1))}

    def within(prefix: str, consultant_field: str) -> Q:
        q = Q(**{f"{prefix}__{k}": v for k, v in window.items()})
        if consultant_ids is not None:
            q &= Q(**{f"{consultant_field}__in": consultant_ids})
        return q

    out: dict[tuple[int, date], dict] = defaultdict(lambda: {"revenue": {}})
    for s in (Slot.objects.filter(within("starts_at", "consultant_id"))
              .values("consultant_id", d=TruncDate("starts_at", tzinfo=zone))
              .annotate(published=Count("pk", filter=Q(status__in=[Slot.Status.PUBLISHED, Slot.Status.BOOKED])))
              .order_by()):
        out[s["consultant_id"], s["d"]]["published"] = s["published"]
    held_duration = ExpressionWrapper(F("slot__ends_at") - F("slot__starts_at"), output_field=DurationField())
    for b in (Booking.objects.filter(within("slot__starts_at", "consultant_id"))
              .values("consultant_id", d=TruncDate("slot__starts_at", tzinfo=zone))
              .annotate(booked=Count("pk", filter=Q(status__in=BOOKED)), held=Count("pk", filter=Q(status=B.HELD)),
                        no_shows=Count("pk", filter=Q(status=B.NO_SHOW)),
                        pro_bono=Sum(held_duration, filter=Q(status=B.HELD)))
              .order_by()):
        row = out[b["consultant_id"], b["d"]]
        row.update(booked=b["booked"], held=b["held"], no_shows=b["no_shows"], pro_bono_minutes=_minutes(b["pro_bono"]))
    engagements = Engagement.objects.filter(within("booking__slot__starts_at", "consultant_id"))
    for e in (engagements.values("consultant_id", d=TruncDate("booking__slot__starts_at", tzinfo=zone))
              .annotate(proposals=Count("booking", distinct=True, filter=~Q(status=E.DRAFT)),
                        won=Count("booking", distinct=True, filter=Q(status__in=Engagement.WON)))
              .order_by()):
        out[e["consultant_id"], e["d"]].update(proposals=e["proposals"], won=e["won"])
    for e in (engagements.filter(status__in=Engagement.WON)
              .values("consultant_id", "currency", d=TruncDate("booking__slot__starts_at", tzinfo=zone))
              .annotate(total=Sum("amount_minor")).order_by()):
        out[e["consultant_id"], e["d"]]["revenue"][e["currency"]] = e["total"]
    for f in (Feedback.objects.filter(within("booking__slot__starts_at", "booking__consultant_id"),
                                      answered_at__isnull=False)
              .values("booking__consultant_id", d=TruncDate("booking__slot__starts_at", tzinfo=zone))
              .annotate(promoters=Count("pk", filter=PROMOTER), passives=Count("pk", filter=PASSIVE),
                        detractors=Count("pk", filter=DETRACTOR))
              .order_by()):
        out[f["booking__consultant_id"], f["d"]].update(promoters=f["promoters"], passives=f["passives"],
                                                        detractors=f["detractors"])
    return out


def _store(figures: dict[tuple[int, date], dict], *, first: date, last: date, consultant_ids: set[int] | None):
    """Upsert the computed rows and delete the range's rows that now have nothing: never a unique-constraint error,
    whatever runs beside it (two workers refreshing the same day)."""
    rows = [DailyFigures(consultant_id=cid, day=day, **{k: v for k, v in values.items() if v})
            for (cid, day), values in figures.items() if any(values.values())]
    keep = {(r.consultant_id, r.day) for r in rows}
    existing = DailyFigures.objects.filter(day__gte=first, day__lte=last)
    if consultant_ids is not None:
        existing = existing.filter(consultant_id__in=consultant_ids)
    stale = [pk for pk, cid, day in existing.values_list("pk", "consultant_id", "day") if (cid, day) not in keep]
    for i in range(0, len(stale), 1000):
        DailyFigures.objects.filter(pk__in=stale[i:i + 1000]).delete()
    DailyFigures.objects.bulk_create(rows, batch_size=500, update_conflicts=True, unique_fields=["consultant", "day"],
                                     update_fields=[*COUNTS, "revenue"])


def figures_refresh(*, first: date, last: date, consultant_ids: Iterable[int] | None = None) -> int:
    """Recompute the daily figures of `consultant_ids` (default: everyone) for days first..last; rows written.

    For named consultants their rows are locked first (PostgreSQL), so two refreshes of one consultant run one
    after the other and the later one counts every change committed before it: a refresh that read the data
    before another change committed can never write last. The periodic refresh of everyone takes no lock (it
    would hold up every consultant's bookings); a day it wrote stale is put right by that change's own refresh
    or by its next run."""
    ids = set(consultant_ids) if consultant_ids is not None else None
    with transaction.atomic():
        if ids is not None:
            list(Consultant.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        figures = _compute(first=first, last=last, consultant_ids=ids)
        _store(figures, first=first, last=last, consultant_ids=ids)
    return len(figures)


def figures_refresh_pairs(pairs: Iterable[tuple[int, str | date]]) -> int:
    """Recompute the given (consultant id, day) pairs (days as ISO strings from a task, or dates)."""
    by_consultant: dict[int, set[date]] = defaultdict(set)
    for cid, day in pairs:
        by_consultant[int(cid)].add(date.fromisoformat(day) if isinstance(day, str) else day)
    written = 0
    for cid, days in by_consultant.items():
        for day in sorted(days):  # usually one or two days
            written += figures_refresh(first=day, last=day, consultant_ids=[cid])
    return written


def figures_refresh_recent(*, now: datetime | None = None) -> int:
    """The periodic refresh: the recent and coming weeks, for everyone (and the whole history on first use)."""
    if not figures_ready():
        return figures_rebuild()
    today = day_of(now or timezone.now())
    return figures_refresh(first=today - timedelta(days=REFRESH_DAYS_BACK),
                           last=today + timedelta(days=REFRESH_DAYS_AHEAD))


def figures_rebuild(*, year_chunk: int = 1) -> int:
    """Every day from the first slot on, a year at a time; then reports may read the roll-up."""
    first = Slot.objects.aggregate(first=Min("starts_at"))["first"]
    last = Slot.objects.order_by("-starts_at").values_list("starts_at", flat=True).first()
    written = 0
    if first is not None:
        day, end = day_of(first), day_of(last)
        while day <= end:
            chunk_end = min(date(day.year + year_chunk, 1, 1) - timedelta(days=1), end)
            written += figures_refresh(first=day, last=chunk_end)
            day = chunk_end + timedelta(days=1)
    RollupState.objects.update_or_create(pk=1, defaults={"built_at": timezone.now()})
    return written


def figures_ready() -> bool:
    return RollupState.objects.filter(pk=1, built_at__isnull=False).exists()
