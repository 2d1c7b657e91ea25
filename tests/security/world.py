"""One small, complete data set for the security matrix, the CSP sweep and the accessibility pass.

Six actors: `anonymous`, `member` (of the company that owns every booking here), `other_member` (of another
company), `consultant` (whose slots are booked here), `other_consultant` and `staff`. Built with the apps'
factories and services, so every page of the app has something real to show.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.factories import (
    AvailabilityRuleFactory,
    BlackoutFactory,
    BookingFactory,
    ConsultantFactory,
    MembershipFactory,
    SlotFactory,
    UserFactory,
    WaitlistEntryFactory,
)

ACTORS = ("anonymous", "member", "other_member", "consultant", "other_consultant", "staff")


@dataclass
class World:
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)

    def __repr__(self):
        return "<World>"

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def _optional(module: str, name: str):
    """A model or function of an app that may not exist yet in this tree (apps arrive in parallel)."""
    import importlib

    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def build_world() -> World:
    w = World()
    now = timezone.now()
    member_m = MembershipFactory(role="owner", user__name="Maja Member", company__name="Owning Company AB")
    other_m = MembershipFactory(role="owner", user__name="Olle Outsider", company__name="Other Company AB")
    consultant = ConsultantFactory(display_name="Cecilia Consultant", slug="cecilia", user__name="Cecilia Consultant")
    other_consultant = ConsultantFactory(display_name="Otto Other", slug="otto", user__name="Otto Other")
    staff = UserFactory(is_staff=True, is_superuser=True, name="Stina Staff")
    w.users = {"anonymous": None, "member": member_m.user, "other_member": other_m.user,
               "consultant": consultant.user, "other_consultant": other_consultant.user, "staff": staff}
    o = w.objects
    o.update(company=member_m.company, other_company=other_m.company, consultant_profile=consultant,
             other_consultant_profile=other_consultant)

    future = (now + dt.timedelta(days=20)).replace(hour=9, minute=0, second=0, microsecond=0)
    o["free_slot"] = SlotFactory(consultant=consultant, starts_at=future, ends_at=future + dt.timedelta(hours=1))
    o["other_free_slot"] = SlotFactory(consultant=other_consultant, starts_at=future,
                                       ends_at=future + dt.timedelta(hours=1))
    o["draft_slot"] = SlotFactory(consultant=consultant, status="draft", starts_at=future + dt.timedelta(hours=2),
                                  ends_at=future + dt.timedelta(hours=3))
    booked_at = future + dt.timedelta(days=1)
    o["booking"] = BookingFactory(
        consultant=consultant, company=member_m.company, booked_by=member_m.user,
        slot=SlotFactory(consultant=consultant, status="booked", starts_at=booked_at,
                         ends_at=booked_at + dt.timedelta(hours=1)))
    w.tokens["manage"] = o["booking"].manage_token
    requested_at = future + dt.timedelta(days=2)
    o["requested_booking"] = BookingFactory(
        consultant=consultant, company=member_m.company, booked_by=member_m.user, status="requested",
        slot=SlotFactory(consultant=consultant, status="booked", starts_at=requested_at,
                         ends_at=requested_at + dt.timedelta(hours=1)))
    past = (now - dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    o["held_booking"] = BookingFactory(
        consultant=consultant, company=member_m.company, booked_by=member_m.user, status="held",
        slot=SlotFactory(consultant=consultant, status="booked", starts_at=past, ends_at=past + dt.timedelta(hours=1)))
    past2 = past - dt.timedelta(days=2)
    o["past_confirmed_booking"] = BookingFactory(
        consultant=consultant, company=member_m.company, booked_by=member_m.user, status="confirmed",
        slot=SlotFactory(consultant=consultant, status="booked", starts_at=past2,
                         ends_at=past2 + dt.timedelta(hours=1)))

    o["rule"] = AvailabilityRuleFactory(consultant=consultant)
    # The consultant's other calendar (calendars/): an ICS address, never fetched by these tests.
    source_model = _optional("calendars.models", "CalendarSource")
    if source_model is not None:
        source = source_model(consultant=consultant, kind="ics", name="Work")
        source.set_secret({"url": "https://calendar.example/secret-token/basic.ics"})
        source.save()
        o["calendar_source"] = source
    o["blackout"] = BlackoutFactory(consultant=consultant, start_date=(now + dt.timedelta(days=60)).date(),
                                    end_date=(now + dt.timedelta(days=61)).date())

    from consultants.services import consultant_rotate_feed_token

    w.tokens["feed"] = consultant_rotate_feed_token(consultant=consultant)

    # Waitlist: the owning company waits for the consultant and holds an open offer of a freed slot.
    from waitlist.models import WaitlistOffer

    o["waitlist_entry"] = WaitlistEntryFactory(consultant=consultant, company=member_m.company, user=member_m.user,
                                               status="offered")
    offer_at = future + dt.timedelta(days=3)
    offer_slot = SlotFactory(consultant=consultant, starts_at=offer_at, ends_at=offer_at + dt.timedelta(hours=1))
    token, token_hash = WaitlistOffer.new_token()
    o["waitlist_offer"] = WaitlistOffer.objects.create(entry=o["waitlist_entry"], slot=offer_slot,
                                                       token_hash=token_hash, expires_at=now + dt.timedelta(hours=20))
    w.tokens["waitlist_claim"] = token

    # An invited member of the owning company who has not accepted yet.
    invited = UserFactory(name="", verified=False)
    invited.set_unusable_password()
    invited.save()
    MembershipFactory(user=invited, company=member_m.company, invited_by=member_m.user)
    o["invited"] = invited
    w.tokens["invitation_uidb64"] = urlsafe_base64_encode(force_bytes(invited.pk))
    w.tokens["invitation"] = default_token_generator.make_token(invited)

    # Each consultant's questionnaire is created on first use; create it now so no request below does.
    from booking.questionnaires import questionnaire_get_current

    questionnaire_get_current(consultant)
    questionnaire_get_current(other_consultant)
    # Single-row settings are also created on first use.
    from booking.models import FairUsePolicy

    FairUsePolicy.current()
    wall_settings = _optional("reports.models", "WallSettings")
    if wall_settings is not None:
        wall_settings.current()

    _engagements(w, now)
    _api_token(w)
    _feedback(w)
    _wall_screens(w)
    _customer_nps(w)
    _webhooks(w)
    return w


def _webhooks(w: World) -> None:
    """The consultant's webhook endpoint with one delivery in its log, and a staff-wide endpoint. Never sent."""
    WebhookEndpoint = _optional("integrations.models", "WebhookEndpoint")
    if WebhookEndpoint is None:
        return
    from integrations.models import WebhookDelivery, secret_new

    def endpoint(consultant, url):
        e = WebhookEndpoint(consultant=consultant, url=url, events=["booking.created"], description="CRM")
        e.set_secret(secret_new())
        e.save()
        return e

    o = w.objects
    o["webhook_endpoint"] = endpoint(o["consultant_profile"], "https://hooks.example.com/cecilia")
    o["webhook_delivery"] = WebhookDelivery.objects.create(
        endpoint=o["webhook_endpoint"], event="booking.created", msg_id=WebhookDelivery.new_msg_id(),
        payload={"type": "booking.created", "data": {}}, status="failed")
    o["staff_webhook_endpoint"] = endpoint(None, "https://hooks.example.com/staff")
    o["staff_webhook_delivery"] = WebhookDelivery.objects.create(
        endpoint=o["staff_webhook_endpoint"], event="booking.created", msg_id=WebhookDelivery.new_msg_id(),
        payload={"type": "booking.created", "data": {}}, status="failed")


def _api_token(w: World) -> None:
    """A personal API token of the member (the profile page lists and revokes it)."""
    create = _optional("accounts.api_tokens", "api_token_create")
    if create is not None:
        w.objects["api_token"], w.tokens["api_token"] = create(user=w.users["member"], name="CRM sync",
                                                               scope="read")


def _customer_nps(w: World) -> None:
    """The link asking for the second customer-NPS snapshot of the held booking."""
    CustomerNpsRequest = _optional("feedback.models", "CustomerNpsRequest")
    if CustomerNpsRequest is None:
        return
    from accounts.tokens import token_new

    token, hashed = token_new()
    CustomerNpsRequest.objects.create(booking=w.objects["held_booking"], token_hash=hashed)
    w.tokens["customer_nps"] = token


def _wall_screens(w: World) -> None:
    """The consultant's office-screen link (the token is the credential), with a promoter's comment to show."""
    WallScreen = _optional("reports.models", "WallScreen")
    if WallScreen is None:
        return
    from accounts.tokens import token_new

    token, hashed = token_new()  # straight to the table: the service's audit entry is not what these tests count
    screen = WallScreen.objects.create(name="Office TV", consultant=w.objects["consultant_profile"],
                                       token_hash=hashed, created_by=w.users["consultant"])
    w.objects["wall_screen"] = screen
    w.tokens["wall_screen"] = token


def _engagements(w: World, now) -> None:
    GapReport = _optional("engagements.models", "GapReport")
    if GapReport is None:
        return
    from engagements.models import Engagement, GapItem, Invoice, Payment, vat_of

    o = w.objects
    held = o["held_booking"]
    o["gap_report"] = GapReport.objects.create(booking=held, summary="They measure nothing yet.",
                                               recommendations="Start with NPS.", next_steps="A workshop.",
                                               shared_at=now)
    GapItem.objects.create(report=o["gap_report"], title="No NPS", priority="high")

    def engagement(status, **extra):
        return Engagement.objects.create(
            booking=held, consultant=held.consultant, company=held.company, title=f"Workshop ({status})",
            scope="Two half days.", amount_minor=1_000_000, currency="SEK", vat_rate_bp=2500,
            valid_until=(now + dt.timedelta(days=30)).date(), status=status,
            proposed_at=None if status == "draft" else now, **extra)

    o["engagement_draft"] = engagement("draft")
    o["engagement_proposed"] = engagement("proposed")
    accepted = engagement("accepted", accepted_at=now, accepted_by=w.users["member"])
    o["engagement_accepted"] = accepted
    vat = vat_of(accepted.amount_minor, accepted.vat_rate_bp)
    o["payment"] = Payment.objects.create(engagement=accepted, provider="invoice", amount_minor=accepted.amount_minor,
                                          vat_minor=vat, total_minor=accepted.amount_minor + vat, currency="SEK")
    today = timezone.localdate()
    o["invoice"] = Invoice.objects.create(
        payment=o["payment"], year=today.year, sequence=1, number=f"{today.year}-00001", issued_on=today,
        due_on=today + dt.timedelta(days=30), company_name=held.company.name, seller_name="Cecilia Consultant",
        description=accepted.title, amount_minor=accepted.amount_minor, vat_rate_bp=2500, vat_minor=vat,
        total_minor=accepted.amount_minor + vat, currency="SEK")


def _feedback(w: World) -> None:
    """The post-session NPS survey, sent (so its link works) and not yet answered."""
    Feedback = _optional("feedback.models", "Feedback")
    if Feedback is None:
        return
    token, token_hash = Feedback.new_token()
    w.objects["survey"] = Feedback.objects.create(booking=w.objects["held_booking"], kind="session",
                                                  token_hash=token_hash, due_at=timezone.now(),
                                                  sent_at=timezone.now())
    w.tokens["survey"] = token
