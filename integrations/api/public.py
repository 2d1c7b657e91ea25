"""Public: the consultant directory, one consultant, their questions and their bookable times."""

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field as F
from ninja import Query, Router, Schema

from accounts.models import Company
from booking.models import Question
from booking.questionnaires import questionnaire_get_current
from consultants.models import Consultant
from consultants.selectors import consultant_directory, consultant_listed, consultant_tags, slot_list_bookable
from integrations.api.auth import ANYONE
from integrations.api.errors import ApiError
from integrations.api.schemas import ConsultantOut, QuestionnaireOut, SlotOut

router = Router(tags=["public"], auth=ANYONE)
MAX_RANGE_DAYS = 62


class DirectoryFilter(Schema):
    expertise: str = F("", max_length=32)
    language: str = F("", max_length=8)
    limit: int = F(50, ge=1, le=100)
    offset: int = F(0, ge=0, le=10_000)


def _consultant_out(c: Consultant, areas: dict, languages: dict) -> dict:
    return {"slug": c.slug, "display_name": c.display_name, "headline": c.headline, "city": c.city,
            "time_zone": c.time_zone, "expertise": areas.get(c.pk, []), "languages": languages.get(c.pk, []),
            "next_free": getattr(c, "next_free", None)}


@router.get("/consultants", response=list[ConsultantOut], url_name="consultant_list")
def consultant_list(request, filters: Query[DirectoryFilter]):
    """The directory: listed consultants, the soonest free first (3 queries whatever the number)."""
    rows = list(consultant_directory(expertise=filters.expertise, language=filters.language)
                [filters.offset:filters.offset + filters.limit])
    areas, languages = consultant_tags(consultant_ids=[c.pk for c in rows])
    return [_consultant_out(c, areas, languages) for c in rows]


def _listed_or_404(slug: str) -> Consultant:
    return get_object_or_404(consultant_listed().select_related("user"), slug=slug)


@router.get("/consultants/{slug}", response=ConsultantOut, url_name="consultant_get")
def consultant_get(request, slug: str):
    found = list(consultant_directory().filter(slug=slug)[:1])
    if not found:
        raise ApiError(404, "not_found", _("Not found."))
    areas, languages = consultant_tags(consultant_ids=[found[0].pk])
    return _consultant_out(found[0], areas, languages)


class SlotRange(Schema):
    start: date | None = None
    end: date | None = None


@router.get("/consultants/{slug}/slots", response=list[SlotOut], url_name="consultant_slots")
def consultant_slots(request, slug: str, span: Query[SlotRange]):
    """Bookable times from `start` up to and including `end` (days in the consultant's zone; default: the next 14
    days; at most 62 days), through the one "bookable now" selector every page uses."""
    consultant = _listed_or_404(slug)
    zone = zoneinfo.ZoneInfo(consultant.time_zone)
    if any(d is not None and not 2000 <= d.year <= 2100 for d in (span.start, span.end)):
        raise ApiError(422, "invalid_range", _("Choose dates between 2000 and 2100."))
    start = span.start or timezone.localdate(timezone=zone)
    try:
        end = span.end or start + timedelta(days=13)
        lo = datetime.combine(start, time.min, tzinfo=zone)
        hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    except OverflowError:
        raise ApiError(422, "invalid_range", _("That date is out of range.")) from None
    if end < start or (end - start).days >= MAX_RANGE_DAYS:
        raise ApiError(422, "invalid_range", _("The end must be on or after the start, at most %(days)d days later.")
                       % {"days": MAX_RANGE_DAYS})
    return list(slot_list_bookable(consultant=consultant, start=lo, end=hi).only("pk", "starts_at", "ends_at"))


@router.get("/consultants/{slug}/questions", response=QuestionnaireOut, url_name="consultant_questions")
def consultant_questions(request, slug: str):
    """The intake questions a booking with this consultant answers (their ids are the keys of `answers`)."""
    consultant = _listed_or_404(slug)
    q = questionnaire_get_current(consultant)
    return {"id": q.pk, "version": q.version, "questions": [
        {"id": x.pk, "kind": x.kind, "label": x.label, "help_text": x.help_text, "required": x.required,
         "choices": _choices(x)} for x in q.questions.all()]}


def _choices(question: Question) -> list[str]:
    """The values an answer may take: the consultant's choices, or the company record's sizes and industries."""
    field = Question.COMPANY_KINDS.get(question.kind)
    if field is not None:
        return [value for value, _label in (Company.Size.choices if field == "size" else Company.Industry.choices)]
    return list(question.choices or [])
