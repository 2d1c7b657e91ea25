"""Demo bookings in several states for the demo companies, on the demo consultants' slots. Idempotent.

Written straight to the tables (not through the services) so that loading demo data never queues e-mail.
Runs after consultants/demo.py (INSTALLED_APPS order); does nothing when there are no demo consultants.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Company, Membership
from booking.models import Booking, IntakeAnswer, PipelineEvent
from booking.questionnaires import questionnaire_get_current
from consultants.meeting import MeetingKind, video_room_new
from consultants.models import Consultant, Slot

# company org number, consultant slug, status, (answer to the challenge question)
PLAN = [
    ("556677-8899", "anna-lindqvist", "confirmed",
     "Tenants rate us well in surveys, but complaints about repairs keep coming back."),
    ("10150817", "mads-norgaard", "requested", "We measure NPS but nobody in the shops knows what to do with it."),
    ("556036-0793", "sofia-berg", "held", "Patients' families find it hard to reach the right person."),
    ("556036-0793", "anna-lindqvist", "cancelled", "We want to start measuring satisfaction at all."),
]


def _answers(questionnaire, challenge: str, company=None) -> list[tuple]:
    out = []
    for question in questionnaire.questions.all():
        if question.kind in question.COMPANY_KINDS:
            value = getattr(company, question.COMPANY_KINDS[question.kind], None)
        elif question.kind == "single_choice":
            value = question.choices[1] if len(question.choices) > 1 else question.choices[0]
        elif question.kind == "multiple_choice":
            value = question.choices[:1]
        elif question.kind == "scale":
            value = 6
        elif question.kind == "number":
            value = 40
        elif question.kind == "yes_no":
            value = True
        elif "challenge" in question.label.lower() or question.kind == "long_text":
            value = challenge
        else:
            value = "—"
        out.append((question, value))
    return out


def _past_slot(consultant: Consultant, days_ago: int) -> Slot:
    start = (timezone.now() - timedelta(days=days_ago)).replace(minute=0, second=0, microsecond=0)
    slot, _ = Slot.objects.get_or_create(consultant=consultant, starts_at=start,
                                         defaults={"ends_at": start + timedelta(hours=1), "status": "published"})
    return slot



# A number from the range Sweden's regulator keeps for fiction (070-174 06 05 … 99), for the company Mads calls.
DEMO_COMPANY_PHONE = "+46701740605"


def _place(consultant) -> dict:
    """The consultant's meeting place as booking_create copies it (with a number when the consultant calls)."""
    place = consultant.place_values()
    if consultant.place_kind == MeetingKind.PHONE_CONSULTANT_CALLS:
        place["company_phone"] = DEMO_COMPANY_PHONE
    if consultant.place_kind == MeetingKind.VIDEO_ROOM:
        place["video_room"] = video_room_new()
    return place

def seed() -> list:
    now = timezone.now()
    for org, slug, status, challenge in PLAN:
        company = Company.objects.filter(org_number=org).first()
        consultant = Consultant.objects.filter(slug=slug).select_related("user").first()
        if company is None or consultant is None:
            continue
        seeded = Booking.objects.filter(company=company, consultant=consultant)
        if seeded.exists():
            seeded.filter(place_kind="").update(**_place(consultant))  # seeded before the meeting place existed
            continue  # seeded before
        member = Membership.objects.filter(company=company).select_related("user").order_by("created_at").first()
        if member is None:
            continue
        if status == "held":
            slot = _past_slot(consultant, days_ago=10)
        else:
            slot = (Slot.objects.filter(consultant=consultant, status=Slot.Status.PUBLISHED,
                                        starts_at__gt=now + timedelta(days=2)).order_by("starts_at").first())
        if slot is None:
            continue
        questionnaire = questionnaire_get_current(consultant)
        # The story's times: booked a week before a past session (a day ago for a coming one), held after it.
        booked_at = slot.starts_at - timedelta(days=7) if status == "held" else now - timedelta(days=1)
        _token, token_hash = Booking.new_manage_token()
        booking = Booking.objects.create(
            slot=slot, consultant=consultant, company=company, booked_by=member.user, status=status,
            questionnaire=questionnaire, manage_token_hash=token_hash,
            confirmed_at=booked_at if status in ("confirmed", "held") else None,
            request_expires_at=now + timedelta(hours=48) if status == "requested" else None,
            cancelled_at=now if status == "cancelled" else None,
            cancel_reason="Our management team meeting moved to that day." if status == "cancelled" else "",
            cancelled_by=member.user if status == "cancelled" else None,
            **_place(consultant),
        )
        IntakeAnswer.objects.bulk_create([
            IntakeAnswer(booking=booking, question=q, question_label=q.label, question_kind=q.kind, value=v, order=i)
            for i, (q, v) in enumerate(_answers(questionnaire, challenge, company))
        ])
        who = member.user.name or member.user.email
        kinds = {"confirmed": ["booked"], "requested": ["requested"], "held": ["booked", "held"],
                 "cancelled": ["booked", "cancelled"]}[status]
        for kind in kinds:
            by_consultant = kind == "held"
            event = PipelineEvent.objects.create(
                booking=booking, kind=kind, actor=consultant.user if by_consultant else member.user,
                actor_name=consultant.display_name if by_consultant else who,
                data={"reason": booking.cancel_reason} if kind == "cancelled" else {},
            )
            when = {"held": slot.ends_at + timedelta(hours=1), "cancelled": now}.get(kind, booked_at)
            PipelineEvent.objects.filter(pk=event.pk).update(created_at=when)  # auto_now_add: the story's time
        slot.status = Slot.Status.PUBLISHED if status == "cancelled" else Slot.Status.BOOKED
        slot.save(update_fields=["status"])
    return []
