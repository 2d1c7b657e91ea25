"""Factories for every app. Add a section per app; keep them small and realistic."""

import factory
from allauth.account.models import EmailAddress

from accounts.models import Company, Membership, User

PASSWORD = "correct-horse-battery"


# --- accounts -------------------------------------------------------------------------------
class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Faker("name")
    time_zone = "Europe/Stockholm"
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n} AB")
    country = "SE"
    org_number = ""
    industry = "retail"
    size = "10-49"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = "member"


# --- consultants ----------------------------------------------------------------------------
import datetime as _dt  # noqa: E402

from consultants.models import AvailabilityRule, Blackout, Consultant, Slot  # noqa: E402


class ConsultantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultant

    user = factory.SubFactory(UserFactory)
    display_name = factory.Faker("name")
    slug = factory.Sequence(lambda n: f"consultant-{n}")
    headline = "Customer experience, measured and improved"
    bio = "Helps companies listen to their customers and act on what they hear."
    city = "Stockholm"
    time_zone = "Europe/Stockholm"
    min_notice = _dt.timedelta(0)  # the model's default is 24 h; tests about notice set it themselves


class AvailabilityRuleFactory(factory.django.DjangoModelFactory):
    """Default: the first Monday of every month, 09:00–15:00, 60 min sessions with a 15 min break."""

    class Meta:
        model = AvailabilityRule

    consultant = factory.SubFactory(ConsultantFactory)
    kind = "monthly"
    ordinal = 1
    weekday = 0
    start_time = _dt.time(9)
    end_time = _dt.time(15)
    session_minutes = 60
    buffer_minutes = 15


class BlackoutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Blackout

    consultant = factory.SubFactory(ConsultantFactory)
    start_date = _dt.date(2027, 1, 4)
    end_date = _dt.date(2027, 1, 4)


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Slot

    consultant = factory.SubFactory(ConsultantFactory)
    starts_at = factory.Sequence(
        lambda n: _dt.datetime(2030, 1, 7, 8, tzinfo=_dt.UTC) + _dt.timedelta(hours=n))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + _dt.timedelta(hours=1))
    status = "published"


# --- booking --------------------------------------------------------------------------------
import datetime as _dt  # noqa: E402
import secrets as _secrets  # noqa: E402

from django.utils import timezone as _tz  # noqa: E402

from booking.models import Booking, IntakeAnswer, PipelineEvent, Question, Questionnaire  # noqa: E402


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    """A questionnaire with only the questions a test adds: it replaces the default version 1 every new
    consultant gets (booking/receivers.py)."""

    class Meta:
        model = Questionnaire

    consultant = factory.SubFactory("tests.factories.ConsultantFactory")
    version = 1

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        model_class.objects.filter(consultant=kwargs["consultant"], version=kwargs.get("version", 1)).delete()
        return super()._create(model_class, *args, **kwargs)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    kind = "short_text"
    label = factory.Sequence(lambda n: f"Question {n}?")
    required = True
    order = factory.Sequence(lambda n: n)
    choices = factory.LazyAttribute(lambda o: ["One", "Two", "Three"] if o.kind in Question.CHOICE_KINDS else [])


def _slot_status_for(booking_status: str) -> str:
    return "booked" if booking_status in ("requested", "confirmed") else "published"


class BookingFactory(factory.django.DjangoModelFactory):
    """A confirmed booking of a (booked) slot by a member of the company.

    The plain manage token is on `booking.manage_token`, like booking_create returns it. Pass
    `status="requested"` / `"cancelled"` etc. and the timestamps and the slot's status follow.
    """

    class Meta:
        model = Booking

    slot = factory.SubFactory(
        "tests.factories.SlotFactory",
        status=factory.LazyAttribute(lambda o: _slot_status_for(o.factory_parent.status)),
    )
    consultant = factory.SelfAttribute("slot.consultant")
    company = factory.SubFactory(CompanyFactory)
    booked_by = factory.LazyAttribute(lambda o: MembershipFactory(company=o.company).user)
    status = "confirmed"
    confirmed_at = factory.LazyAttribute(lambda o: _tz.now() if o.status in ("confirmed", "held", "no_show") else None)
    cancelled_at = factory.LazyAttribute(lambda o: _tz.now() if o.status == "cancelled" else None)
    request_expires_at = factory.LazyAttribute(
        lambda o: _tz.now() + _dt.timedelta(hours=48) if o.status == "requested" else None)
    manage_token = factory.LazyFunction(lambda: _secrets.token_urlsafe(32))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        token = kwargs.pop("manage_token")
        kwargs["manage_token_hash"] = Booking.hash_token(token)
        if "place_kind" not in kwargs:  # like booking_create: a copy of the consultant's meeting place
            kwargs = {**kwargs["consultant"].place_values(), **kwargs}
        obj = super()._create(model_class, *args, **kwargs)
        obj.manage_token = token
        if obj.status in ("requested", "confirmed") and obj.slot.status == "published":
            # An explicitly passed slot follows the booking, as booking_create would leave it.
            type(obj.slot).objects.filter(pk=obj.slot.pk).update(status="booked")
            obj.slot.status = "booked"
        return obj


class IntakeAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntakeAnswer

    booking = factory.SubFactory(BookingFactory)
    question = None
    question_label = factory.Sequence(lambda n: f"Question {n}?")
    question_kind = "short_text"
    value = "An answer"
    order = factory.Sequence(lambda n: n)


class PipelineEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PipelineEvent

    booking = factory.SubFactory(BookingFactory)
    kind = "booked"
    actor = factory.SelfAttribute("booking.booked_by")
    actor_name = factory.LazyAttribute(lambda o: o.actor.name if o.actor else "")


# --- booking: notifications and waitlist ---------------------------------------------------
from waitlist.models import WaitlistEntry  # noqa: E402


class WaitlistEntryFactory(factory.django.DjangoModelFactory):
    """A company waiting for a consultant; `user` is a member of the company (the one who is e-mailed)."""

    class Meta:
        model = WaitlistEntry

    consultant = factory.SubFactory("tests.factories.ConsultantFactory")
    company = factory.SubFactory(CompanyFactory)
    user = factory.LazyAttribute(lambda o: MembershipFactory(company=o.company).user)
    status = "waiting"


# --- engagements ----------------------------------------------------------------------------
from engagements.models import Engagement, GapItem, GapReport, Payment, vat_of  # noqa: E402


def _past_slot_start(n: int) -> _dt.datetime:
    # Sessions that have already ended (outcomes can only be recorded afterwards).
    return _tz.now().replace(minute=0, second=0, microsecond=0) - _dt.timedelta(days=2, hours=n % 500)


class PastSlotFactory(SlotFactory):
    starts_at = factory.Sequence(_past_slot_start)
    status = "booked"


class HeldBookingFactory(BookingFactory):
    """A session that took place and was marked held."""

    slot = factory.SubFactory(PastSlotFactory)
    status = "held"


class GapReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GapReport

    booking = factory.SubFactory(HeldBookingFactory)
    summary = "Customer feedback is collected but nobody acts on it."
    recommendations = "Close the loop: call back every detractor within a week."
    next_steps = "Pick an owner for the NPS programme."
    shared_at = None


class GapItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GapItem

    report = factory.SubFactory(GapReportFactory)
    title = factory.Sequence(lambda n: f"Gap {n}")
    priority = "high"
    position = factory.Sequence(lambda n: n)


class EngagementFactory(factory.django.DjangoModelFactory):
    """A proposal (status "proposed") after a held session. Pass status= for other states."""

    class Meta:
        model = Engagement

    booking = factory.SubFactory(HeldBookingFactory)
    consultant = factory.SelfAttribute("booking.consultant")
    company = factory.SelfAttribute("booking.company")
    title = "Customer journey workshop"
    scope = "Two half-day workshops and a written action plan."
    amount_minor = 2_500_000  # 25 000.00
    currency = "SEK"
    vat_rate_bp = 2500
    valid_until = factory.LazyFunction(lambda: _tz.localdate() + _dt.timedelta(days=30))
    status = "proposed"
    proposed_at = factory.LazyAttribute(lambda o: None if o.status == "draft" else _tz.now())
    accepted_by = factory.LazyAttribute(
        lambda o: o.booking.booked_by if o.status in ("accepted", "paid", "completed", "refunded") else None)


class PaymentFactory(factory.django.DjangoModelFactory):
    """A pending invoice payment for an accepted engagement (no invoice row: use invoice_issue for one)."""

    class Meta:
        model = Payment

    engagement = factory.SubFactory(EngagementFactory, status="accepted")
    provider = "invoice"
    status = "pending"
    amount_minor = factory.SelfAttribute("engagement.amount_minor")
    vat_minor = factory.LazyAttribute(lambda o: vat_of(o.engagement.amount_minor, o.engagement.vat_rate_bp))
    total_minor = factory.LazyAttribute(lambda o: o.amount_minor + o.vat_minor)
    currency = factory.SelfAttribute("engagement.currency")


# --- booking: feedback (NPS) and reports ---------------------------------------------------------
from feedback.models import Feedback  # noqa: E402


class FeedbackFactory(factory.django.DjangoModelFactory):
    """A survey that was sent for a held session; the plain link token is on `feedback.token`.

    Unanswered by default; pass `score=` (and `answered_at=`, default now) for an answer.
    """

    class Meta:
        model = Feedback

    booking = factory.SubFactory(HeldBookingFactory)
    kind = "session"
    sent_at = factory.LazyFunction(_tz.now)
    due_at = factory.SelfAttribute("sent_at")
    score = None
    comment = ""
    answered_at = factory.LazyAttribute(lambda o: _tz.now() if o.score is not None else None)
    token = factory.LazyFunction(lambda: _secrets.token_urlsafe(32))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        token = kwargs.pop("token")
        kwargs["token_hash"] = Feedback.hash_token(token) if kwargs.get("sent_at") else None
        obj = super()._create(model_class, *args, **kwargs)
        obj.token = token
        return obj
