"""What the API answers and accepts. Times are ISO 8601 in UTC; money is integer minor units with its currency."""

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema


class ConsultantOut(Schema):
    slug: str
    display_name: str
    headline: str
    city: str
    time_zone: str
    expertise: list[str]
    languages: list[str]
    next_free: datetime | None


class SlotOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime


class QuestionOut(Schema):
    id: int
    kind: str
    label: str
    help_text: str
    required: bool
    choices: list[str]


class QuestionnaireOut(Schema):
    id: int
    version: int
    questions: list[QuestionOut]


class AnswerOut(Schema):
    question: str
    kind: str
    value: Any = None


class PlaceOut(Schema):
    kind: str
    join_url: str
    address: str
    phone: str
    directions: str


class BookingOut(Schema):
    """A session as the company (or its consultant) sees it: with its answers and where it happens."""

    id: int
    status: str
    consultant: str
    consultant_slug: str
    company: str
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    cancelled_at: datetime | None
    answers: list[AnswerOut]
    place: PlaceOut | None


class BookingCreateIn(Schema):
    slot_id: int = Field(..., ge=1, le=2**62)
    # Question id (as a string, JSON keys are strings) → answer: text, a number, true/false, or a list of choices.
    answers: dict[str, str | int | float | bool | list[str] | None] = Field(default_factory=dict)
    company_phone: str = Field("", max_length=40)


class BookingCreatedOut(BookingOut):
    manage_token: str


class CancelIn(Schema):
    reason: str = Field("", max_length=2000)


class RescheduleIn(Schema):
    slot_id: int = Field(..., ge=1, le=2**62)


class OutcomeIn(Schema):
    outcome: Literal["held", "no_show"]


class ProposalOut(Schema):
    id: int
    title: str
    scope: str
    status: str
    consultant: str
    amount_minor: int
    vat_rate_bp: int
    currency: str
    valid_until: date
    proposed_at: datetime | None
    accepted_at: datetime | None
    paid_at: datetime | None


class InvoiceOut(Schema):
    id: int
    number: str
    issued_on: date
    due_on: date
    description: str
    amount_minor: int
    vat_minor: int
    total_minor: int
    currency: str
    paid: bool


WALL_CLOCK = {"pattern": r"^\d\d:\d\d$", "description": "HH:MM, wall-clock time in the consultant's time zone"}


class RuleOut(Schema):
    id: int
    kind: str
    ordinal: int | None
    weekday: int | None
    on_date: date | None
    start_time: str = Field(..., json_schema_extra=WALL_CLOCK)
    end_time: str = Field(..., json_schema_extra=WALL_CLOCK)
    session_minutes: int
    buffer_minutes: int
    is_active: bool


class TimeOffOut(Schema):
    id: int
    start_date: date
    end_date: date
    start_time: str | None = Field(..., json_schema_extra=WALL_CLOCK)
    end_time: str | None = Field(..., json_schema_extra=WALL_CLOCK)
    note: str


class AvailabilityOut(Schema):
    time_zone: str
    rules: list[RuleOut]
    time_off: list[TimeOffOut]


class PipelineBookingOut(Schema):
    """A lead as staff see it: no meeting place, no intake answers (those belong to the company and consultant)."""

    id: int
    status: str
    consultant: str
    company: str
    starts_at: datetime
    created_at: datetime


class PipelineEngagementOut(Schema):
    id: int
    booking_id: int
    status: str
    title: str
    consultant: str
    company: str
    amount_minor: int
    currency: str
    created_at: datetime


class PaymentOut(Schema):
    id: int
    engagement_id: int
    provider: str
    status: str
    total_minor: int
    currency: str
    paid_at: datetime | None
    created_at: datetime


def _page(name: str, item: type) -> type:
    return type(name, (Schema,), {"__annotations__": {"items": list[item], "next_cursor": str | None},
                                  "next_cursor": None})


BookingPage = _page("BookingPage", BookingOut)
ProposalPage = _page("ProposalPage", ProposalOut)
InvoicePage = _page("InvoicePage", InvoiceOut)
PipelineBookingPage = _page("PipelineBookingPage", PipelineBookingOut)
PipelineEngagementPage = _page("PipelineEngagementPage", PipelineEngagementOut)
PaymentPage = _page("PaymentPage", PaymentOut)
