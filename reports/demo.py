"""Demo feedback across the last six months — promoters, passives and detractors — so the promoter wall, the
consultants' feedback pages and the reports look alive. Runs after engagements/demo.py.

Written straight to the tables (no services: no survey or alert e-mails). Each demo session is marked with
`data["demo"]` on its "booked" timeline event and skipped when found, so running the seed twice changes
nothing. Held sessions from the other demos that have no answer yet get one too (also idempotent).
"""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.demo import CUSTOMER_ORGS, Login
from accounts.models import Company, Membership
from accounts.tokens import token_hash
from booking.models import Booking, PipelineEvent
from consultants.models import Consultant, Slot
from engagements.models import Engagement
from feedback.customer_nps import customer_nps_save
from feedback.customer_nps_import import ParsedAnswer, ParsedExport
from feedback.models import CustomerNpsSnapshot, Feedback
from feedback.services import feedback_nps_refresh
from reports.models import WallScreen

# (months ago, score, comment, company agreed to be named)
ANSWERS = [
    (0, 10, "Two hours with Anna changed how we read our surveys. We called every unhappy tenant back.", True),
    (0, 9, "Practical, kind and very concrete. We started the next morning.", False),
    (0, 7, "Good session, a bit short for everything we wanted to cover.", False),
    (0, 10, "Finally someone who looked at our complaints process end to end.", True),
    (1, 9, "Clear next steps and no sales pitch. We will be back.", True),
    (1, 6, "Useful, but too general for a company of our size.", False),
    (1, 10, "The journey map exercise was an eye-opener for the whole team.", False),
    (1, 8, "", False),
    (2, 10, "We doubled our survey response rate with one of the suggestions.", True),
    (2, 3, "The session started late and felt rushed.", False),
    (2, 9, "Honest and to the point.", False),
    (3, 9, "Mads made NPS feel useful instead of scary.", True),
    (3, 7, "", False),
    (3, 10, "Best free hour we have spent this year.", False),
    (4, 5, "Interesting, but we had hoped for more about B2B customers.", False),
    (4, 9, "Our store managers loved the follow-up workshop.", True),
    (4, 10, "Concrete, warm and well prepared.", False),
    (5, 8, "Good overview of where we stand.", False),
    (5, 10, "Sofia's questions were better than our own survey.", True),
    (5, 2, "", False),
]
EXISTING_ANSWERS = [
    (9, "A focused session with clear next steps."),
    (10, "We left with three things to fix and fixed two of them the same week."),
    (8, ""),
    (9, "Friendly, sharp and well prepared."),
    (7, "Useful, if a little rushed at the end."),
]


def _event(booking, kind, actor, name, when, **data):
    event = PipelineEvent.objects.create(booking=booking, kind=kind, actor=actor, actor_name=name, data=data)
    PipelineEvent.objects.filter(pk=event.pk).update(created_at=when)  # auto_now_add: set the story's time after


def _answer(booking: Booking, held_at, score: int, comment: str, show_company: bool) -> None:
    Feedback.objects.get_or_create(booking=booking, kind=Feedback.Kind.SESSION, defaults={
        "score": score, "comment": comment, "show_company": show_company, "due_at": held_at + timedelta(hours=2),
        "sent_at": held_at + timedelta(hours=2), "answered_at": held_at + timedelta(hours=5)})


def seed() -> list:
    consultants = list(Consultant.objects.order_by("pk")[:3])
    # Ten of the demo customers, two sessions each with two different consultants: within fair use.
    orgs = CUSTOMER_ORGS[:10]
    companies = sorted(Company.objects.filter(org_number__in=orgs), key=lambda c: orgs.index(c.org_number))
    if not consultants or not companies:
        return []
    now = timezone.now()
    for i, (months_ago, score, comment, show_company) in enumerate(ANSWERS):
        key = f"feedback-{i}"
        if PipelineEvent.objects.filter(kind=PipelineEvent.Kind.BOOKED, data__demo=key).exists():
            continue
        consultant = consultants[i % len(consultants)]
        company = companies[(i // 2) % len(companies)]  # i and i + 1 have different consultants (i % 3)
        member = Membership.objects.filter(company=company).select_related("user").order_by("pk").first().user
        # This month's answers fall in the last few days; older ones spread over their month.
        back = timedelta(days=months_ago * 30 + (i % 4) * 6 + (1 if months_ago == 0 else 3), hours=i % 3)
        start = (now - back).replace(minute=0, second=0, microsecond=0)
        if i == 0:  # answered a moment ago, so this month always has an answer on the wall
            start = (now - timedelta(hours=6)).replace(minute=0, second=0, microsecond=0)
        elif months_ago == 0:
            start = min(start, now - timedelta(hours=8))
        while Slot.objects.filter(consultant=consultant, starts_at=start).exists():
            start -= timedelta(hours=1)
        slot = Slot.objects.create(consultant=consultant, starts_at=start, ends_at=start + timedelta(hours=1),
                                   status=Slot.Status.BOOKED, added_by_hand=True)
        _token, token_hash = Booking.new_manage_token()
        booking = Booking.objects.create(slot=slot, consultant=consultant, company=company, booked_by=member,
                                         status=Booking.Status.HELD, confirmed_at=start - timedelta(days=5),
                                         manage_token_hash=token_hash)
        _event(booking, "booked", member, member.name or member.email, start - timedelta(days=5), demo=key)
        _event(booking, "held", consultant.user, consultant.display_name, slot.ends_at)
        _answer(booking, slot.ends_at, score, comment, show_company)

    # Sessions held in the other demos: one more happy answer each.
    for booking in (Booking.objects.filter(status=Booking.Status.HELD).exclude(feedback__kind=Feedback.Kind.SESSION)
                    .select_related("slot").order_by("pk")):
        _answer(booking, booking.slot.ends_at, *EXISTING_ANSWERS[booking.pk % len(EXISTING_ANSWERS)], False)
    _customer_nps_demo()
    for consultant in consultants:  # the profiles show it (written straight to the tables: recount here)
        feedback_nps_refresh(consultant_id=consultant.pk)
    return [Login("wall screen", _demo_wall_link())]


# A company's own customers before the free session and after the paid follow-up: NPS +12 (412 answers) →
# +31 (388 answers). Counts per score 0–10, made up so the figures are easy to check by hand.
CUSTOMER_NPS_BEFORE = [8, 5, 6, 9, 14, 30, 48, 52, 70, 80, 90]
CUSTOMER_NPS_AFTER = [3, 2, 3, 5, 9, 20, 38, 48, 60, 90, 110]
CUSTOMER_COMMENTS_BEFORE = [
    (10, "Trevlig personal som alltid hjälper till.", "Hyresgäst"), (9, "Snabb återkoppling på min felanmälan.", ""),
    (7, "Bra, men det tar tid att få svar i telefon.", "Hyresgäst"), (3, "Ingen hörde av sig efter min anmälan.", ""),
    (0, "Tredje gången jag ringer om samma sak.", "Lokalhyresgäst"), (8, "Okej, inget att klaga på.", ""),
]
CUSTOMER_COMMENTS_AFTER = [
    (10, "De ringde upp samma dag och berättade vad som händer.", "Hyresgäst"),
    (10, "Äntligen får man veta när hantverkaren kommer.", ""), (9, "Mycket bättre bemötande nu.", "Hyresgäst"),
    (6, "Fortfarande långa köer i telefon på måndagar.", ""),
]


def _customer_nps_demo() -> None:
    engagement = (Engagement.objects.filter(status=Engagement.Status.COMPLETED).select_related("booking")
                  .order_by("pk").first())
    if engagement is None or CustomerNpsSnapshot.objects.filter(booking=engagement.booking).exists():
        return
    booking = engagement.booking
    today = timezone.localdate()
    for phase, counts, comments, months_back in (("before", CUSTOMER_NPS_BEFORE, CUSTOMER_COMMENTS_BEFORE, 4),
                                                  ("after", CUSTOMER_NPS_AFTER, CUSTOMER_COMMENTS_AFTER, 1)):
        month = (today.replace(day=1) - timedelta(days=28 * months_back)).strftime("%Y-%m")
        parsed = ParsedExport(
            counts=counts, monthly={month: counts}, rows=sum(counts),
            comments=[ParsedAnswer(score=score, comment=text, segment=segment) for score, text, segment in comments])
        customer_nps_save(booking=booking, phase=phase, by=booking.booked_by if phase == "before" else None,
                          parsed=parsed, filename=f"kundundersokning-{phase}.csv", public_consent=True)


def _demo_wall_link() -> str:
    """The demo's office-screen link (all consultants). Its token is derived from SECRET_KEY, so `make run` can
    print the same working link every time while only the token's hash is stored, like every screen link."""
    token = hmac.new(settings.SECRET_KEY.encode(), b"probono-demo-wall-screen", hashlib.sha256).hexdigest()
    WallScreen.objects.get_or_create(token_hash=token_hash(token), defaults={"name": "Demo office screen"})
    return settings.SITE_URL + reverse("reports:wall_screen", args=[token])
