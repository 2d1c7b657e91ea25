"""The wall on an office screen: secret screen links (create, revoke, find) and what a screen shows.

A screen polls for its data every few seconds with the ETag of the last answer it got. The ETag is computed
from one cheap aggregate (the newest answer in the screen's scope, the number of answers and the month), so
an unchanged wall costs one indexed query and a 304, whatever the number of screens; the full data (four
queries) is built only when something changed. Polling, not server-sent events: a sync gunicorn worker held
open by each TV would soon be all the workers, while a poll is an ordinary short request any process can
answer — which is also why a screen survives a restart or a deploy without noticing.

Only what the naming rules allow leaves the server: a company is named only when its answer said it may be
(`show_company`), a consultant's screen shows only that consultant's feedback, and nothing else about the
booking (no people, no e-mail, no intake) is read at all.
"""

import hashlib
import zoneinfo
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Max
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.models import User
from accounts.tokens import token_hash, token_new
from consultants.models import Consultant
from feedback.models import Feedback
from reports.models import WallScreen
from reports.selectors import DETRACTOR, PROMOTER, nps

TREND_MONTHS = 6
COMMENTS = 12
COMMENT_MAX_CHARS = 280


class WallScreenError(Exception):
    MESSAGES = {"not_allowed": _("You cannot manage this screen.")}

    def __init__(self, code: str):
        self.code = code
        self.message = str(self.MESSAGES.get(code, code))
        super().__init__(self.message)


# --- services ---------------------------------------------------------------------------------------------
def wall_screen_create(*, by: User, name: str, consultant: Consultant | None = None) -> tuple[WallScreen, str]:
    """A new screen link: returns the screen and its token (shown once; only its hash is stored).

    A consultant creates screens for their own feedback; staff create screens for everyone's (consultant None)
    or for a consultant. Raises WallScreenError("not_allowed").
    """
    own = consultant is not None and consultant.user_id == by.pk
    if not (by.is_staff or own):
        raise WallScreenError("not_allowed")
    token, hashed = token_new()
    with transaction.atomic():
        screen = WallScreen.objects.create(name=name.strip()[:100] or str(_("Office screen")), consultant=consultant,
                                           token_hash=hashed, created_by=by)
        audit_record(actor=by, action="wall_screen.create", target=screen, name=screen.name)
    return screen, token


def wall_screen_revoke(*, screen: WallScreen, by: User) -> bool:
    """Stop a screen link at once (its screen shows "revoked" on its next poll). False if it already was.
    Raises WallScreenError("not_allowed") for anyone but staff and the screen's consultant."""
    if not (by.is_staff or (screen.consultant_id and screen.consultant.user_id == by.pk)):
        raise WallScreenError("not_allowed")
    with transaction.atomic():
        done = WallScreen.objects.filter(pk=screen.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if done:
            audit_record(actor=by, action="wall_screen.revoke", target=screen, name=screen.name)
    return bool(done)


# --- selectors --------------------------------------------------------------------------------------------
def wall_screen_list(*, user: User):
    screens = WallScreen.objects.select_related("consultant").order_by("-created_at", "-pk")
    if user.is_staff:
        return screens
    return screens.filter(consultant__user=user)


def wall_screen_get(*, token: str) -> WallScreen | None:
    """The screen of a token, revoked or not (the caller says which); None for an unknown token."""
    if not token or len(token) > 100:
        return None
    return WallScreen.objects.select_related("consultant").filter(token_hash=token_hash(token)).first()


def _answers(screen: WallScreen):
    answers = Feedback.objects.filter(answered_at__isnull=False)
    if screen.consultant_id:
        answers = answers.filter(booking__consultant_id=screen.consultant_id)
    return answers


def wall_screen_version(*, screen: WallScreen, zone: str, language: str) -> str:
    """The ETag of what the screen would show now: changes with any new answer, the month and the language."""
    state = _answers(screen).aggregate(newest=Max("answered_at"), last=Max("pk"), n=Count("pk"))
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(zone))
    raw = f"{screen.pk}|{state['newest']}|{state['last']}|{state['n']}|{today:%Y-%m}|{zone}|{language}"
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def _month_before(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def _month_after(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def _as_date(value, tz) -> date:
    return value.astimezone(tz).date() if isinstance(value, datetime) else value


def wall_screen_data(*, screen: WallScreen, zone: str) -> dict:
    """What the screen shows, as JSON-ready data. Four queries."""
    tz = zoneinfo.ZoneInfo(zone)
    this_month = timezone.localdate(timezone=tz).replace(day=1)
    answers = _answers(screen)
    first_month = this_month
    for _i in range(TREND_MONTHS - 1):
        first_month = _month_before(first_month)
    start = datetime.combine(first_month, time.min, tzinfo=tz)
    by_month = {
        _as_date(row["month"], tz): row
        for row in answers.filter(answered_at__gte=start)
        .annotate(month=TruncMonth("answered_at", tzinfo=tz)).values("month")
        .annotate(promoters=Count("pk", filter=PROMOTER), detractors=Count("pk", filter=DETRACTOR),
                  responses=Count("pk"))
        .order_by("month")
    }
    trend = []
    month = first_month
    for _i in range(TREND_MONTHS):
        row = by_month.get(month, {"promoters": 0, "detractors": 0, "responses": 0})
        trend.append({"month": month.isoformat(), "nps": nps(row["promoters"], row["detractors"], row["responses"]),
                      "responses": row["responses"]})
        month = _month_after(month)
    current = by_month.get(this_month, {"promoters": 0, "detractors": 0, "responses": 0})
    newest = (answers.filter(PROMOTER).order_by("-answered_at", "-pk").values("pk", "score", "answered_at").first())
    comments = [
        {"id": f.pk, "score": f.score, "text": f.comment[:COMMENT_MAX_CHARS],
         "company": f.booking.company.name if f.show_company else "",
         "consultant": f.booking.consultant.display_name}
        for f in answers.filter(PROMOTER).exclude(comment="")
        .select_related("booking__company", "booking__consultant")
        .only("pk", "score", "comment", "show_company", "booking__company__name",
              "booking__consultant__display_name")
        .order_by("-score", "-answered_at", "-pk")[:COMMENTS]
    ]
    return {
        "month": this_month.isoformat(),
        "nps": nps(current["promoters"], current["detractors"], current["responses"]),
        "promoters": current["promoters"],
        "responses": current["responses"],
        "trend": trend,
        "newest_promoter": None if newest is None else {"id": newest["pk"], "score": newest["score"]},
        "comments": comments,
        "consultant": screen.consultant.display_name if screen.consultant_id else "",
    }
