"""Read queries shared by views, tasks and (later) reports. Every list is a fixed number of queries."""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from booking.models import Booking
from booking.selectors import booking_list_awaiting_outcome
from consultants.models import Consultant
from engagements.models import Engagement, GapReport

B = Booking.Status
E = Engagement.Status


class Stage:
    BOOKED = "booked"
    HELD = "held"
    PROPOSAL = "proposal"
    WON = "won"
    LOST = "lost"
    # A free session cancelled, declined or expired before it was held: not a lost sale, its own count.
    CANCELLED = "cancelled"

    ORDER = (BOOKED, HELD, PROPOSAL, WON, LOST)
    LABELS = {BOOKED: _("Booked"), HELD: _("Held"), PROPOSAL: _("Proposal sent"), WON: _("Won"), LOST: _("Lost"),
              CANCELLED: _("Cancelled before the session")}


LOST_BOOKING = (B.NO_SHOW,)
CANCELLED_BOOKING = (B.CANCELLED, B.DECLINED, B.EXPIRED)


def _engagements_of_booking(statuses) -> Exists:
    return Exists(Engagement.objects.filter(booking=OuterRef("pk"), status__in=statuses))


def lead_stage_expression() -> Case:
    """A lead's stage, in SQL, from its booking's status and its engagements.

    Won (any engagement paid or completed) beats an open proposal (proposed or accepted, not yet paid), which
    beats lost; a held session whose every sent proposal ended badly is lost; drafts do not count.
    """
    return Case(
        When(_engagements_of_booking(Engagement.WON), then=Value(Stage.WON)),
        When(_engagements_of_booking(Engagement.OPEN), then=Value(Stage.PROPOSAL)),
        When(status__in=CANCELLED_BOOKING, then=Value(Stage.CANCELLED)),
        When(status__in=LOST_BOOKING, then=Value(Stage.LOST)),
        When(_engagements_of_booking(Engagement.LOST), then=Value(Stage.LOST)),
        When(status=B.HELD, then=Value(Stage.HELD)),
        default=Value(Stage.BOOKED),
        output_field=CharField(),
    )


def lead_list(*, consultant: Consultant, month: date | None = None) -> QuerySet[Booking]:
    """The consultant's leads (bookings), newest session first, each annotated with its `stage`."""
    qs = (Booking.objects.filter(consultant=consultant).annotate(stage=lead_stage_expression())
          .order_by("-slot__starts_at", "-pk"))
    if month:
        start, end = month_bounds(month, consultant.time_zone)
        qs = qs.filter(slot__starts_at__gte=start, slot__starts_at__lt=end)
    return qs


def with_latest_proposal(leads: QuerySet[Booking]) -> QuerySet[Booking]:
    """Leads annotated with their latest sent proposal's title, amount and currency, and `report_shared`."""
    latest = (Engagement.objects.filter(booking=OuterRef("pk")).exclude(status=E.DRAFT)
              .order_by("-created_at", "-pk"))
    return leads.annotate(
        proposal_title=Subquery(latest.values("title")[:1]),
        proposal_amount=Subquery(latest.values("amount_minor")[:1]),
        proposal_currency=Subquery(latest.values("currency")[:1]),
        report_shared=Exists(GapReport.objects.filter(booking=OuterRef("pk"), shared_at__isnull=False)))


def month_bounds(month: date, zone: str) -> tuple[datetime, datetime]:
    tz = zoneinfo.ZoneInfo(zone or "UTC")
    first = month.replace(day=1)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return (datetime.combine(first, time(), tzinfo=tz), datetime.combine(following, time(), tzinfo=tz))


# Columns that grow with history -- held sessions (most never get a proposal, and the old ones never will), won
# and lost -- show their newest cards and count the rest; older ones are a month filter away. Upcoming sessions
# and open proposals are current work, bounded by the calendar and by expiry: always shown in full.
# Rendering 400 cards was most of the board's 860 ms p50 in the benchmark.
CARDS_SHOWN = 25
FULL_STAGES = (Stage.BOOKED, Stage.PROPOSAL)
CAPPED_STAGES = (Stage.HELD, Stage.WON, Stage.LOST)


@dataclass(slots=True)
class Card:
    """One lead as its card shows it: plain values, not Booking + Company + Slot instances (building those for
    every card took a third of the board's time), with its session date and status already in words."""

    pk: int
    stage: str
    status: str
    status_label: str  # what Booking.get_status_display() says
    company_name: str
    starts_at: datetime
    date_label: str  # the session's date as `|date:"DATE_FORMAT"` shows it, in the viewer's zone and language
    proposal_title: str | None
    proposal_amount: int | None
    proposal_currency: str | None
    report_shared: bool


@dataclass
class Column:
    stage: str
    label: str
    shown: list[Card] = field(default_factory=list)  # all of a FULL_STAGES column; a page of CARDS_SHOWN otherwise
    count: int = 0  # every lead in the column, shown or not
    skipped: int = 0  # the newer cards of a capped column on the pages before this one

    @property
    def not_shown(self) -> int:
        """The older cards after this page."""
        return self.count - self.skipped - len(self.shown)


@dataclass
class Board:
    columns: list[Column]
    open_value: list[dict]  # [{"currency": "SEK", "total": 1250000}, ...] excl. VAT
    cancelled: int = 0  # free sessions cancelled, declined or expired before they were held (not a column)
    page: int = 1  # of the capped columns, CARDS_SHOWN cards each

    @property
    def has_next(self) -> bool:
        return any(c.not_shown > 0 for c in self.columns if c.stage in CAPPED_STAGES)

    def count(self, stage: str) -> int:
        return next(c.count for c in self.columns if c.stage == stage)


def pipeline_board(*, consultant: Consultant, month: date | None = None, page: int = 1) -> Board:
    """Columns booked → held → proposal sent → won → lost, and the open proposal value per currency.

    Three queries whatever the number of leads: the columns are counted in SQL (GROUP BY stage), and only the
    cards shown are fetched -- every upcoming session and open proposal, and the newest CARDS_SHOWN held, won and
    lost leads -- so a long history costs the database a count, not the page a card each. Page `page` shows the
    next CARDS_SHOWN older ones of those three columns (the same three queries).
    """
    leads = lead_list(consultant=consultant, month=month)
    columns = {stage: Column(stage=stage, label=str(Stage.LABELS[stage])) for stage in Stage.ORDER}
    cancelled = 0
    for row in leads.order_by().values("stage").annotate(n=Count("pk")):
        if row["stage"] == Stage.CANCELLED:
            cancelled = row["n"]
        else:
            columns[row["stage"]].count = row["n"]
    newest = leads.values("pk")
    # The proposal columns only on the cards' query: fewer expressions to build and fewer subqueries to run.
    shown = Q(stage__in=FULL_STAGES)
    skip = (page - 1) * CARDS_SHOWN
    for stage in CAPPED_STAGES:
        shown |= Q(pk__in=newest.filter(stage=stage)[skip:skip + CARDS_SHOWN])
        columns[stage].skipped = min(skip, columns[stage].count)
    shown = with_latest_proposal(leads.filter(shown))
    # Words once per status and per day, not once per card: get_status_display() rebuilds its choices on every
    # call and a date format costs ~25 µs, which 300 cards add up to (viewer's language and zone are active).
    status_labels = {value: str(label) for value, label in B.choices}
    date_labels = {}
    for pk, stage, status, company, starts_at, title, amount, currency, shared in shown.values_list(
            "pk", "stage", "status", "company__name", "slot__starts_at", "proposal_title", "proposal_amount",
            "proposal_currency", "report_shared"):
        day = timezone.localtime(starts_at).date()
        if day not in date_labels:
            date_labels[day] = date_format(day, "DATE_FORMAT")
        columns[stage].shown.append(Card(
            pk=pk, stage=stage, status=status, status_label=status_labels.get(status, status), company_name=company,
            starts_at=starts_at, date_label=date_labels[day], proposal_title=title, proposal_amount=amount,
            proposal_currency=currency, report_shared=shared))
    open_value = list(
        Engagement.objects.filter(booking__in=leads.values("pk"), status__in=Engagement.OPEN)
        .values("currency").annotate(total=Sum("amount_minor")).order_by("currency"))
    return Board(columns=list(columns.values()), open_value=open_value, cancelled=cancelled, page=page)


# Confirmed sessions that have ended but whose outcome (held / no-show) is not recorded yet: booking's data.
outcomes_pending = booking_list_awaiting_outcome


def company_follow_ups(*, company_id: int) -> tuple[QuerySet[GapReport], QuerySet[Engagement]]:
    """What a company can read: shared gap reports and every proposal sent to it."""
    reports = (GapReport.objects.filter(booking__company_id=company_id, shared_at__isnull=False)
               .select_related("booking__consultant", "booking__slot").order_by("-shared_at"))
    engagements = (Engagement.objects.filter(company_id=company_id).exclude(status=E.DRAFT)
                   .select_related("consultant", "payment").order_by("-created_at", "-pk"))
    return reports, engagements


def engagement_visible_to(user, engagement: Engagement) -> bool:
    """The consultant always; the company's members once it was sent; staff once it was sent."""
    if not user.is_authenticated:
        return False
    if engagement.consultant.user_id == user.pk:
        return True
    if engagement.status == E.DRAFT:
        return False
    return user.is_staff or user.memberships.filter(company_id=engagement.company_id).exists()

