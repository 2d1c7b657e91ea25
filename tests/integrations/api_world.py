"""The security matrix's world (tests/security/world.py) plus what the API tests need: a personal read-write API
token for each signed-in actor, intake answers whose text only the right people may see, and a session of the
other company with the other consultant."""

import datetime as dt

from django.utils import timezone

from accounts.api_tokens import api_token_create
from booking.models import IntakeAnswer
from tests.factories import BookingFactory, SlotFactory
from tests.security.world import build_world

# Intake answers: the owning company's (seen by its members and its consultant) and the other company's.
OWN_ANSWER = "SECRET-OWN-ANSWER-7f3a"
OTHER_ANSWER = "SECRET-OTHER-ANSWER-91c2"
# What each actor must never find in any API answer.
FORBIDDEN = {
    "anonymous": (OWN_ANSWER, OTHER_ANSWER, "Owning Company AB", "Other Company AB"),
    "member": (OTHER_ANSWER, "Other Company AB"),
    "other_member": (OWN_ANSWER, "Owning Company AB"),
    "consultant": (OTHER_ANSWER, "Other Company AB"),
    "other_consultant": (OWN_ANSWER, "Owning Company AB"),
    "staff": (OWN_ANSWER, OTHER_ANSWER),  # staff read the pipeline, never the intake answers
}


def build_api_world():
    w = build_world()
    IntakeAnswer.objects.create(booking=w.objects["booking"], question_label="Challenge", question_kind="long_text",
                                value=OWN_ANSWER, order=0)
    at = (timezone.now() + dt.timedelta(days=25)).replace(hour=9, minute=0, second=0, microsecond=0)
    other = BookingFactory(
        consultant=w.objects["other_consultant_profile"], company=w.objects["other_company"],
        booked_by=w.users["other_member"],
        slot=SlotFactory(consultant=w.objects["other_consultant_profile"], status="booked", starts_at=at,
                         ends_at=at + dt.timedelta(hours=1)))
    IntakeAnswer.objects.create(booking=other, question_label="Challenge", question_kind="long_text",
                                value=OTHER_ANSWER, order=0)
    w.objects["other_booking"] = other
    w.api_tokens = {}
    for actor, user in w.users.items():
        if user is not None:
            w.api_tokens[actor] = api_token_create(user=user, name=f"{actor} tool", scope="read_write")[1]
    return w


def bearer(w, actor: str) -> dict:
    """Request headers (Django test client style) for `actor`'s token; none for anonymous."""
    token = w.api_tokens.get(actor)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
