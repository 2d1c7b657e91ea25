"""Moving the waitlist and the survey out of booking changed no table: a database filled before the move keeps every
row through the migrations, and the app works on it (run on SQLite by `make test`, on PostgreSQL by
`make test-postgres`)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from feedback.models import Feedback
from feedback.selectors import feedback_get_by_token
from tests.factories import BookingFactory, ConsultantFactory, MembershipFactory, SlotFactory
from waitlist.models import WaitlistEntry, WaitlistOffer
from waitlist.selectors import waitlist_offer_get_by_token
from waitlist.services import waitlist_expire_offers

# The last migration before the split: booking still held WaitlistEntry, WaitlistOffer and Feedback.
BEFORE_SPLIT = [("booking", "0006_slot_hold_backfill"), ("waitlist", None), ("feedback", None)]
MOVED = {("waitlist", "waitlistentry"), ("waitlist", "waitlistoffer"), ("feedback", "feedback")}

pytestmark = [pytest.mark.django_db(transaction=True)]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # a fresh loader sees what is applied now


def test_a_database_filled_before_the_split_keeps_every_row_and_works_after_it(client):
    now = timezone.now()
    consultant = ConsultantFactory()
    member = MembershipFactory(role="owner")
    company, user = member.company, member.user
    booking = BookingFactory(consultant=consultant, company=company, booked_by=user, status="held",
                             slot=SlotFactory(consultant=consultant, status="booked",
                                              starts_at=now - dt.timedelta(days=2)))
    free = SlotFactory(consultant=consultant, status="published", starts_at=now + dt.timedelta(days=5))
    content_types = {key: ContentType.objects.get_by_natural_key(*key).pk for key in MOVED}
    permission = Permission.objects.get(codename="view_waitlistoffer")

    executor = _migrate(BEFORE_SPLIT)
    # The database as it was: the models live in booking's migration state.
    old = executor.loader.project_state(BEFORE_SPLIT[0]).apps
    assert {m._meta.model_name for m in old.get_app_config("booking").get_models()} >= {
        "waitlistentry", "waitlistoffer", "feedback"}
    assert ContentType.objects.filter(app_label="booking", model="waitlistoffer").exists()
    Entry, Offer = old.get_model("booking", "WaitlistEntry"), old.get_model("booking", "WaitlistOffer")
    OldFeedback = old.get_model("booking", "Feedback")
    next_in_line = MembershipFactory()
    waiting = Entry.objects.create(consultant_id=consultant.pk, company_id=next_in_line.company_id,
                                   user_id=next_in_line.user_id, status="waiting",
                                   created_at=now - dt.timedelta(days=3))
    offered = Entry.objects.create(consultant_id=consultant.pk, company_id=MembershipFactory().company_id,
                                   user_id=user.pk, status="offered", created_at=now - dt.timedelta(days=4))
    claim_token, claim_hash = WaitlistOffer.new_token()
    offer = Offer.objects.create(entry=offered, slot_id=free.pk, token_hash=claim_hash, status="open",
                                 expires_at=now + dt.timedelta(hours=12), mailed_at=now, created_at=now)
    stale = Offer.objects.create(entry=offered, slot_id=free.pk, token_hash="0" * 64, status="expired",
                                 expires_at=now - dt.timedelta(days=1), created_at=now - dt.timedelta(days=2))
    survey_token, survey_hash = Feedback.new_token()
    survey = OldFeedback.objects.create(booking_id=booking.pk, kind="session", token_hash=survey_hash,
                                        due_at=now - dt.timedelta(hours=1), sent_at=now - dt.timedelta(hours=1))
    answered = OldFeedback.objects.create(booking_id=booking.pk, kind="engagement", score=9, comment="Great",
                                          answered_at=now, sent_at=now - dt.timedelta(days=1))

    _migrate(executor.loader.graph.leaf_nodes())

    # Every row, with its primary key and values.
    assert list(WaitlistEntry.objects.order_by("pk").values_list("pk", "status")) == [
        (waiting.pk, "waiting"), (offered.pk, "offered")]
    assert list(WaitlistOffer.objects.order_by("pk").values_list("pk", "status", "entry_id")) == [
        (offer.pk, "open", offered.pk), (stale.pk, "expired", offered.pk)]
    assert list(Feedback.objects.order_by("pk").values_list("pk", "kind", "score", "comment")) == [
        (survey.pk, "session", None, ""), (answered.pk, "engagement", 9, "Great")]
    # Permissions and audit entries keep their content types, now under the new apps.
    assert {key: ContentType.objects.get_by_natural_key(*key).pk for key in MOVED} == content_types
    assert not ContentType.objects.filter(app_label="booking", model__in=["waitlistentry", "waitlistoffer",
                                                                          "feedback"]).exists()
    permission.refresh_from_db()
    assert permission.content_type.app_label == "waitlist"

    # The app works on the old rows: the e-mailed links open, the services act on them.
    assert waitlist_offer_get_by_token(claim_token).pk == offer.pk
    assert client.get(reverse("booking:waitlist_claim", args=[claim_token])).status_code == 200
    assert feedback_get_by_token(survey_token).pk == survey.pk
    page = client.get(reverse("booking:feedback", args=[survey_token]))
    assert page.status_code == 200 and consultant.display_name in page.text
    WaitlistOffer.objects.filter(pk=offer.pk).update(expires_at=now - dt.timedelta(minutes=1))
    assert waitlist_expire_offers() == 1
    assert WaitlistOffer.objects.get(pk=offer.pk).status == "expired"
    # The slot went to the next in line, the company that waited since before the split.
    assert WaitlistOffer.objects.get(status="open").entry_id == waiting.pk
