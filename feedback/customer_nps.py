"""The company's own customers' NPS: saving a snapshot (upload or typed counts), asking for the second one after
a completed engagement, and the figures the consultant prepares with.

NPS here is the product's own (`feedback.nps.nps`: % promoters 9–10 − % detractors 0–6, a whole number rounded
half away from zero), so a company's +31 and a consultant's +31 mean the same thing.
"""

import statistics
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.mail import Recipient, email_queue
from accounts.models import Membership, User
from accounts.tokens import token_hash, token_new
from booking.models import Booking, PipelineEvent
from booking.services import pipeline_event_record
from feedback.customer_nps_import import ParsedExport
from feedback.models import CustomerNpsComment, CustomerNpsRequest, CustomerNpsSnapshot, Feedback
from feedback.nps import nps, percent

Phase = CustomerNpsSnapshot.Phase
MAX_TYPED_COUNT = 1_000_000


class CustomerNpsError(Exception):
    MESSAGES = {
        "not_allowed": _("Only the company's members can add its customers' scores."),
        "no_answers": _("Enter at least one answer."),
        "invalid_counts": _("Enter a whole number from 0 to 1,000,000 for each score."),
    }

    def __init__(self, code: str):
        self.code = code
        self.message = str(self.MESSAGES.get(code, code))
        super().__init__(self.message)


# --- figures ----------------------------------------------------------------------------------------------
@dataclass
class Figures:
    counts: list[int]

    @property
    def responses(self) -> int:
        return sum(self.counts)

    @property
    def promoters(self) -> int:
        return sum(self.counts[Feedback.PROMOTER_MIN:])

    @property
    def detractors(self) -> int:
        return sum(self.counts[:Feedback.DETRACTOR_MAX + 1])

    @property
    def passives(self) -> int:
        return self.responses - self.promoters - self.detractors

    @property
    def nps(self) -> int | None:
        return nps(self.promoters, self.detractors, self.responses)

    @property
    def shares(self) -> dict[str, int | None]:
        return {"promoters": percent(self.promoters, self.responses),
                "passives": percent(self.passives, self.responses),
                "detractors": percent(self.detractors, self.responses)}

    @property
    def distribution(self) -> list[tuple[int, int]]:
        return list(enumerate(self.counts))


def figures_of(snapshot: CustomerNpsSnapshot) -> Figures:
    return Figures(counts=list(snapshot.counts))


def monthly_trend(snapshot: CustomerNpsSnapshot) -> list[tuple[str, int | None, int]]:
    """(YYYY-MM, NPS, answers) per month the export had dates for, oldest first."""
    return [(month, Figures(counts).nps, sum(counts)) for month, counts in sorted(snapshot.monthly.items())]


# --- services ---------------------------------------------------------------------------------------------
def _is_member(user: User, booking: Booking) -> bool:
    return Membership.objects.filter(user=user, company_id=booking.company_id).exists()


def typed_counts(values: list) -> list[int]:
    """Counts typed per score (11 of them), checked. Raises CustomerNpsError."""
    try:
        counts = [int(v or 0) for v in values]
    except (TypeError, ValueError):
        raise CustomerNpsError("invalid_counts") from None
    if len(counts) != 11 or any(c < 0 or c > MAX_TYPED_COUNT for c in counts):
        raise CustomerNpsError("invalid_counts")
    if not sum(counts):
        raise CustomerNpsError("no_answers")
    return counts


def customer_nps_save(*, booking: Booking, phase: str, by: User | None, parsed: ParsedExport | None = None,
                      counts: list[int] | None = None, filename: str = "",
                      public_consent: bool = False) -> CustomerNpsSnapshot:
    """Store (or replace) the booking's snapshot for `phase`, from a parsed export or from typed counts, and
    record it on the booking's timeline (with the change, once both snapshots exist).

    `by` None is the private link of the second snapshot (the token is the credential). Raises
    CustomerNpsError("not_allowed") for someone who is not a member of the booking's company.
    """
    if by is not None and not _is_member(by, booking):
        raise CustomerNpsError("not_allowed")
    if parsed is None:
        counts = typed_counts(counts or [])
    with transaction.atomic():
        CustomerNpsSnapshot.objects.filter(booking=booking, phase=phase).delete()
        snapshot = CustomerNpsSnapshot.objects.create(
            booking=booking, phase=phase,
            source=CustomerNpsSnapshot.Source.FILE if parsed else CustomerNpsSnapshot.Source.TYPED,
            counts=parsed.counts if parsed else counts, monthly=parsed.monthly if parsed else {},
            responses=parsed.responses if parsed else sum(counts), filename=filename[:200],
            public_consent=public_consent and phase == Phase.AFTER, uploaded_by=by)
        if parsed:
            CustomerNpsComment.objects.bulk_create(
                [CustomerNpsComment(snapshot=snapshot, score=c.score, answered_on=c.answered_on, segment=c.segment,
                                    text=c.comment) for c in parsed.comments], batch_size=1000)
        data = {"phase": phase, "nps": figures_of(snapshot).nps, "responses": snapshot.responses}
        before = CustomerNpsSnapshot.objects.filter(booking=booking, phase=Phase.BEFORE).first()
        if phase == Phase.AFTER and before is not None:
            data.update(before_nps=figures_of(before).nps, before_responses=before.responses)
            CustomerNpsRequest.objects.filter(booking=booking, answered_at__isnull=True).update(
                answered_at=timezone.now())
        pipeline_event_record(booking=booking, kind=PipelineEvent.Kind.CUSTOMER_NPS, actor=by, data=data)
    return snapshot


def customer_nps_request_send(*, booking: Booking) -> CustomerNpsRequest | None:
    """Ask the company for its second snapshot (a private link by e-mail), once per booking, when a paid
    engagement is completed and the company gave a first one. Returns None when there is nothing to ask."""
    if not CustomerNpsSnapshot.objects.filter(booking=booking, phase=Phase.BEFORE).exists():
        return None
    token, hashed = token_new()
    with transaction.atomic():
        request, created = CustomerNpsRequest.objects.get_or_create(booking=booking,
                                                                    defaults={"token_hash": hashed})
        if not created:
            return request
        link = settings.SITE_URL + reverse("booking:customer_nps_after", args=[token])
        email_queue(template="feedback_customer_nps_request",
                    context={"booking": booking, "consultant": booking.consultant, "link": link},
                    recipient=Recipient.for_user(booking.booked_by))
        CustomerNpsRequest.objects.filter(pk=request.pk).update(sent_at=timezone.now())
    return request


# --- selectors --------------------------------------------------------------------------------------------
def customer_nps_request_get(token: str) -> CustomerNpsRequest | None:
    if not token or len(token) > 100:
        return None
    return (CustomerNpsRequest.objects.select_related("booking__consultant", "booking__company")
            .filter(token_hash=token_hash(token)).first())


def customer_nps_snapshots(booking: Booking) -> dict[str, CustomerNpsSnapshot]:
    return {s.phase: s for s in CustomerNpsSnapshot.objects.filter(booking=booking)}


BANDS = (("promoters", Q(score__gte=Feedback.PROMOTER_MIN)),
         ("passives", Q(score__gt=Feedback.DETRACTOR_MAX, score__lt=Feedback.PROMOTER_MIN)),
         ("detractors", Q(score__lte=Feedback.DETRACTOR_MAX)))
COMMENTS_PER_BAND = 50


def comments_by_band(snapshot: CustomerNpsSnapshot, *, search: str = "") -> list[tuple[str, int, list]]:
    """(band, number of comments, up to 50 of them) for promoters, passives and detractors; `search` filters."""
    comments = snapshot.comments.all()
    if search:
        comments = comments.filter(Q(text__icontains=search) | Q(segment__icontains=search))
    out = []
    for band, condition in BANDS:
        in_band = comments.filter(condition).order_by("-score", "-answered_on", "pk")
        out.append((band, in_band.count(), list(in_band[:COMMENTS_PER_BAND])))
    return out


@dataclass
class ConsultantChange:
    consultant_id: int
    median_change: float | int | None
    engagements: int


def customer_nps_change_by_consultant() -> dict[int, ConsultantChange]:
    """Per consultant: the median change of the companies' own NPS (after − before) over the bookings that have
    both snapshots, and how many. One query."""
    changes: dict[int, list[int]] = {}
    pairs: dict[int, dict] = {}
    for s in CustomerNpsSnapshot.objects.select_related("booking").only("booking__consultant_id", "phase", "counts"):
        pairs.setdefault(s.booking_id, {"consultant": s.booking.consultant_id})[s.phase] = figures_of(s).nps
    for pair in pairs.values():
        if pair.get(Phase.BEFORE) is not None and pair.get(Phase.AFTER) is not None:
            changes.setdefault(pair["consultant"], []).append(pair[Phase.AFTER] - pair[Phase.BEFORE])
    return {cid: ConsultantChange(consultant_id=cid, median_change=statistics.median(values),
                                  engagements=len(values)) for cid, values in changes.items()}


def customer_nps_public_change(consultant_id: int) -> list[tuple[int, int, int, int]]:
    """(before NPS, after NPS, before answers, after answers) of each company that agreed to be shown. One query."""
    consented = CustomerNpsSnapshot.objects.filter(phase=Phase.AFTER, public_consent=True).values("booking_id")
    snapshots = (CustomerNpsSnapshot.objects.filter(booking__consultant_id=consultant_id, booking_id__in=consented)
                 .only("booking_id", "phase", "counts").order_by("booking_id", "phase"))
    by_booking: dict[int, dict] = {}
    for s in snapshots:
        by_booking.setdefault(s.booking_id, {})[s.phase] = s
    rows = []
    for pair in by_booking.values():
        if Phase.BEFORE in pair and Phase.AFTER in pair:
            b, a = figures_of(pair[Phase.BEFORE]), figures_of(pair[Phase.AFTER])
            rows.append((b.nps, a.nps, b.responses, a.responses))
    return rows


# --- the 0–10 bar chart (server-rendered SVG, like reports/charts.py) --------------------------------------
@dataclass
class ScoreBar:
    score: int
    count: int
    x: float
    y: float
    width: float
    height: float
    band: str

    @property
    def x_center(self) -> float:
        return self.x + self.width / 2


CHART_WIDTH, CHART_HEIGHT, CHART_BASE = 440, 170, 140


def distribution_bars(counts: list[int]) -> list[ScoreBar]:
    top = max(counts) or 1
    slot = CHART_WIDTH / 11
    bars = []
    for score, count in enumerate(counts):
        height = round(120 * count / top, 1)
        band = ("promoter" if score >= Feedback.PROMOTER_MIN else
                "detractor" if score <= Feedback.DETRACTOR_MAX else "passive")
        bars.append(ScoreBar(score=score, count=count, x=round(score * slot + 4, 1), y=round(CHART_BASE - height, 1),
                             width=round(slot - 8, 1), height=height, band=band))
    return bars


def customer_nps_context(booking: Booking, *, search: str = "") -> dict:
    """What the consultant's session page shows about the company's own customers."""
    snapshots = customer_nps_snapshots(booking)
    out = {"snapshots": [], "search": search[:100]}
    for phase in (Phase.BEFORE, Phase.AFTER):
        s = snapshots.get(phase)
        if s is None:
            continue
        f = figures_of(s)
        out["snapshots"].append({"snapshot": s, "figures": f, "bars": distribution_bars(f.counts),
                                 "trend": monthly_trend(s), "bands": comments_by_band(s, search=search[:100])})
    if len(out["snapshots"]) == 2:
        b, a = out["snapshots"][0]["figures"], out["snapshots"][1]["figures"]
        out["change"] = None if b.nps is None or a.nps is None else a.nps - b.nps
    out["chart"] = {"width": CHART_WIDTH, "height": CHART_HEIGHT, "base": CHART_BASE}
    return out


def public_profile_section(sender, consultant, **kwargs) -> dict | None:
    """The public profile's "customer NPS change" (consultants.signals.public_profile_sections): only the
    engagements whose company agreed, without the companies' names."""
    rows = customer_nps_public_change(consultant.pk)
    if not rows:
        return None
    return {"template": "feedback/_public_change.html", "context": {"rows": rows}}
