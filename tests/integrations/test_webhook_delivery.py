"""Outgoing webhooks end to end: events → signed deliveries to a real receiver on loopback, retries on a frozen
clock, replay, disabling, SSRF refusals, and a receiver that hangs."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from standardwebhooks.webhooks import Webhook

from booking.models import PipelineEvent
from booking.services import booking_cancel, booking_create, booking_reschedule, pipeline_event_record
from engagements.services import payment_fulfil
from feedback.services import feedback_answer
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services import (
    RETRY_OFFSETS,
    WebhookError,
    delivery_attempt,
    delivery_replay,
    endpoint_create,
    endpoint_rotate_secret,
    endpoint_update,
)
from tests.booking.helpers import answers_for
from tests.factories import (
    BookingFactory,
    ConsultantFactory,
    FeedbackFactory,
    MembershipFactory,
    PaymentFactory,
    SlotFactory,
)
from tests.integrations.webhook_support import HangingServer, receiver_endpoint, sweep

pytestmark = pytest.mark.django_db

NOW = datetime(2029, 6, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def consultant(db):
    return ConsultantFactory(display_name="Anna Lindqvist", user__email="anna@example.se")


@pytest.fixture
def member(db):
    return MembershipFactory(role="owner", user__name="Karin Holm", user__email="karin@example.se",
                             company__name="Bostäder AB").user


def _book(consultant, member, days=10):
    slot = SlotFactory(consultant=consultant, starts_at=NOW + timedelta(days=days),
                       ends_at=NOW + timedelta(days=days, hours=1))
    return booking_create(slot=slot, company=member.memberships.get().company, user=member,
                          answers=answers_for(consultant))


def _booked(consultant):
    """A booking step on the consultant's timeline (what booking_create writes), for any number of companies."""
    return pipeline_event_record(booking=BookingFactory(consultant=consultant), kind=PipelineEvent.Kind.BOOKED)


def test_a_booking_reaches_the_receiver_signed_and_the_attempt_is_logged(clock, httpserver, consultant, member):
    endpoint, receiver = receiver_endpoint(httpserver, consultant=consultant)

    booking = _book(consultant, member)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and receiver.accepted == []  # recorded, not sent inside the request

    assert sweep() == 1
    assert receiver.refused == []
    [(headers, payload)] = receiver.accepted
    assert headers["webhook-id"] == delivery.msg_id
    assert headers["webhook-timestamp"] == str(int(NOW.timestamp()))
    assert headers["webhook-signature"].startswith("v1,")
    assert payload["type"] == "booking.created"
    assert payload["data"]["booking"] == {
        "id": booking.pk, "status": "confirmed", "starts_at": "2029-06-14T09:00:00Z", "ends_at": "2029-06-14T10:00:00Z",
        "consultant": {"id": consultant.pk, "name": "Anna Lindqvist", "slug": consultant.slug},
        "company": {"id": booking.company_id, "name": "Bostäder AB"},
        "contact": {"name": "Karin Holm", "email": "karin@example.se"}}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    attempt = WebhookAttempt.objects.get()
    assert attempt.ok and attempt.status_code == 200 and attempt.error_code == ""
    assert sweep() == 0  # nothing is sent twice


def test_a_wrong_secret_fails_verification_so_the_signature_means_something(clock, httpserver, consultant, member):
    _endpoint, receiver = receiver_endpoint(httpserver, consultant=consultant)
    receiver.secret = "whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"

    _book(consultant, member)
    sweep()

    assert receiver.accepted == [] and receiver.refused == ["No matching signature found"]
    assert WebhookDelivery.objects.get().status == "pending"  # a 400 is a failure: retried later
    assert WebhookAttempt.objects.get().error_code == "http"


def test_each_endpoint_gets_only_its_consultants_events_and_those_it_chose(clock, httpserver, consultant, member,
                                                                          staff_user):
    own, own_rx = receiver_endpoint(httpserver, consultant=consultant, path="/own")
    staff, staff_rx = receiver_endpoint(httpserver, consultant=None, path="/staff", by=staff_user,
                                        events=("booking.created", "booking.cancelled"))
    other, other_rx = receiver_endpoint(httpserver, consultant=ConsultantFactory(), path="/other")
    off, off_rx = receiver_endpoint(httpserver, consultant=consultant, path="/off")
    endpoint_update(endpoint=off, url=off.url, events=off.events, is_active=False)

    booking = _book(consultant, member)
    booking_cancel(booking=booking, by=member, reason="We found another date.")
    sweep()

    assert [p["type"] for _h, p in own_rx.accepted] == ["booking.created"]
    assert sorted(p["type"] for _h, p in staff_rx.accepted) == ["booking.cancelled", "booking.created"]
    assert other_rx.accepted == [] and off_rx.accepted == []
    cancelled = next(p for _h, p in staff_rx.accepted if p["type"] == "booking.cancelled")
    assert cancelled["data"]["details"] == {"reason": "We found another date.", "by": "company"}
    assert cancelled["data"]["actor"] == {"name": "Karin Holm"}


def test_an_event_whose_transaction_rolls_back_sends_nothing(clock, httpserver, consultant, member):
    receiver_endpoint(httpserver, consultant=consultant)
    booking = BookingFactory(consultant=consultant)

    with pytest.raises(RuntimeError), transaction.atomic():
        pipeline_event_record(booking=booking, kind=PipelineEvent.Kind.HELD)
        raise RuntimeError("the service failed after writing its step")

    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(("kind", "event"), [
    ("requested", "booking.created"), ("rescheduled", "booking.rescheduled"), ("held", "session.held"),
    ("no_show", "session.no_show"), ("proposal_sent", "proposal.sent"), ("accepted", "proposal.accepted"),
    ("paid", "payment.received")])
def test_every_pipeline_step_that_is_an_event_becomes_its_webhook(clock, httpserver, consultant, kind, event):
    _endpoint, receiver = receiver_endpoint(httpserver, consultant=consultant, events=(event,))
    booking = BookingFactory(consultant=consultant)

    pipeline_event_record(booking=booking, kind=kind)
    pipeline_event_record(booking=booking, kind=PipelineEvent.Kind.REMINDER_SENT)  # not an event
    sweep()

    assert [p["type"] for _h, p in receiver.accepted] == [event]


def test_a_declined_or_expired_request_is_a_cancellation_and_a_declined_proposal_is_not_one(clock, httpserver,
                                                                                             consultant):
    _endpoint, receiver = receiver_endpoint(httpserver, consultant=consultant, events=("booking.cancelled",))
    declined = BookingFactory(consultant=consultant, status="declined")
    expired = BookingFactory(consultant=consultant, status="expired")

    pipeline_event_record(booking=declined, kind="declined", data={"message": "I am away that week."})
    pipeline_event_record(booking=expired, kind="expired", actor_name="Probono")
    pipeline_event_record(booking=BookingFactory(consultant=consultant), kind="declined",
                          data={"engagement_id": 1, "reason": "Too expensive."})
    sweep()

    got = [(p["data"]["booking"]["status"], p["data"].get("details")) for _h, p in receiver.accepted]
    assert got == [("declined", {"reason": "I am away that week."}), ("expired", None)]


def test_rescheduling_and_payment_carry_their_details(clock, httpserver, consultant, member):
    _endpoint, receiver = receiver_endpoint(httpserver, consultant=consultant,
                                            events=("booking.rescheduled", "payment.received"))
    booking = _book(consultant, member)
    new_slot = SlotFactory(consultant=consultant, starts_at=NOW + timedelta(days=12),
                           ends_at=NOW + timedelta(days=12, hours=1))
    booking_reschedule(booking=booking, new_slot=new_slot, by=member)
    payment = PaymentFactory(engagement__booking__consultant=consultant, engagement__title="Workshop")
    payment_fulfil(payment=payment)
    sweep()

    moved, paid = (p for _h, p in receiver.accepted)
    assert moved["data"]["details"] == {"from": "2029-06-14T09:00:00+00:00", "to": "2029-06-16T09:00:00+00:00"}
    assert moved["data"]["booking"]["starts_at"] == "2029-06-16T09:00:00Z"
    assert paid["type"] == "payment.received"
    assert paid["data"]["engagement"] == {"id": payment.engagement_id, "title": "Workshop", "status": "paid",
                                          "amount_minor": 2_500_000, "currency": "SEK"}


def test_a_feedback_answer_is_sent_and_so_is_a_changed_answer(clock, httpserver, consultant):
    _endpoint, receiver = receiver_endpoint(httpserver, consultant=consultant, events=("feedback.received",))
    feedback = FeedbackFactory(booking__consultant=consultant)

    feedback_answer(feedback=feedback, score=9, comment="Very useful.")
    feedback_answer(feedback=feedback, score=10, comment="Even better on reflection.")
    sweep()

    scores = [(p["data"]["feedback"]["score"], p["data"]["feedback"]["comment"]) for _h, p in receiver.accepted]
    assert sorted(scores) == [(9, "Very useful."), (10, "Even better on reflection.")]


def test_failures_are_retried_on_the_backoff_schedule_and_given_up_after_a_day(clock, httpserver, consultant,
                                                                               member):
    _endpoint, receiver = receiver_endpoint(httpserver, consultant=consultant, status=503)
    _book(consultant, member)
    delivery = WebhookDelivery.objects.get()

    sweep()
    schedule = []
    for _ in range(20):
        delivery.refresh_from_db()
        if delivery.next_attempt_at is None:
            break
        clock.move_to(delivery.next_attempt_at - timedelta(seconds=1))
        assert sweep() == 0  # not due a second early
        clock.move_to(delivery.next_attempt_at)
        schedule.append(delivery.next_attempt_at - NOW)
        assert sweep() == 1

    assert schedule == list(RETRY_OFFSETS[1:])
    assert [str(s) for s in schedule] == ["0:01:00", "0:06:00", "0:36:00", "2:36:00", "7:36:00", "17:36:00",
                                          "1 day, 0:00:00"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 8, 503)
    assert WebhookAttempt.objects.filter(delivery=delivery, ok=False, status_code=503).count() == 8
    assert len(receiver.accepted) == 8 and len({h["webhook-id"] for h, _p in receiver.accepted}) == 1
    assert len({h["webhook-timestamp"] for h, _p in receiver.accepted}) == 8  # each attempt signed afresh
    clock.shift(timedelta(days=1))
    assert sweep() == 0


def test_a_success_ends_the_retries_and_the_failure_streak(clock, httpserver, consultant, member):
    endpoint, receiver = receiver_endpoint(httpserver, consultant=consultant, status=500)
    _book(consultant, member)
    sweep()
    endpoint.refresh_from_db()
    assert endpoint.failing_since == NOW

    receiver.status = 204
    clock.shift(RETRY_OFFSETS[1])
    sweep()

    delivery = WebhookDelivery.objects.get()
    endpoint.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("succeeded", 2, None)
    assert endpoint.failing_since is None


def test_replay_sends_the_same_message_again_with_a_fresh_signature(clock, httpserver, consultant, member):
    endpoint, receiver = receiver_endpoint(httpserver, consultant=consultant)
    _book(consultant, member)
    sweep()
    delivery = WebhookDelivery.objects.get()
    secret = endpoint_rotate_secret(endpoint=endpoint)  # the receiver was given the new secret
    receiver.secret = secret
    clock.shift(timedelta(days=5))

    delivery_replay(delivery=delivery)
    assert sweep() == 1

    first, again = receiver.accepted
    assert first[0]["webhook-id"] == again[0]["webhook-id"] and first[1] == again[1]
    assert int(again[0]["webhook-timestamp"]) - int(first[0]["webhook-timestamp"]) == 5 * 24 * 3600
    assert list(WebhookAttempt.objects.order_by("attempted_at").values_list("is_replay", "ok")) == [
        (False, True), (True, True)]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)


def test_a_replay_that_fails_after_the_day_of_retries_does_not_start_them_again(clock, httpserver, consultant,
                                                                               member):
    _endpoint, receiver = receiver_endpoint(httpserver, consultant=consultant, status=500)
    _book(consultant, member)
    sweep()
    clock.shift(timedelta(days=2))
    delivery = WebhookDelivery.objects.get()

    delivery_replay(delivery=delivery)
    sweep()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.next_attempt_at, delivery.attempts) == ("failed", None, 2)


def test_an_endpoint_failing_for_three_days_is_disabled_and_its_owner_mailed_once(
        clock, httpserver, consultant, member, mailoutbox, django_capture_on_commit_callbacks):
    endpoint, receiver = receiver_endpoint(httpserver, consultant=consultant, status=500)
    for _day in range(3):
        _booked(consultant)
        with django_capture_on_commit_callbacks(execute=True):
            sweep()
        endpoint.refresh_from_db()
        assert endpoint.is_active  # day 0, 1, 2: failing, not yet three days
        clock.shift(timedelta(days=1))
    clock.shift(timedelta(hours=1))  # 3 days and 1 hour after the first failure
    _booked(consultant)
    with django_capture_on_commit_callbacks(execute=True):
        sweep()

    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_at == NOW + timedelta(days=3, hours=1)
    assert not WebhookDelivery.objects.filter(status="pending").exists()  # nothing more is tried
    [mail] = mailoutbox
    assert mail.to == ["anna@example.se"]
    assert "turned off" in mail.subject
    assert f"/me/webhooks/{endpoint.pk}/" in mail.body

    _booked(consultant)  # a disabled endpoint records nothing new
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    assert len(mailoutbox) == 1
    with pytest.raises(WebhookError) as e:
        delivery_replay(delivery=WebhookDelivery.objects.first())
    assert e.value.code == "endpoint_disabled"

    receiver.status = 200  # fixed: the owner turns it on again and replays what was missed
    endpoint_update(endpoint=endpoint, url=endpoint.url, events=endpoint.events, is_active=True)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None and endpoint.disabled_at is None
    delivery_replay(delivery=WebhookDelivery.objects.first())
    sweep()
    assert WebhookDelivery.objects.first().status == "succeeded"


def test_a_claimed_delivery_is_not_sent_by_a_second_worker(clock, httpserver, consultant, member):
    _endpoint, receiver = receiver_endpoint(httpserver, consultant=consultant)
    _book(consultant, member)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_until=NOW + timedelta(seconds=30))

    assert delivery_attempt(delivery_id=delivery.pk) is None
    assert sweep() == 0
    clock.shift(timedelta(seconds=31))  # a worker that died: its claim lapses
    assert sweep() == 1
    assert len(receiver.accepted) == 1


def test_private_addresses_are_refused_unless_allowed(clock, settings, httpserver, consultant, member):
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = False
    for url in ("http://127.0.0.1:9/hook", "https://10.0.0.5/hook", "https://[::1]/x", "https://localhost/x",
                "https://169.254.169.254/latest/meta-data/"):
        with pytest.raises(WebhookError) as e:
            endpoint_create(consultant=consultant, url=url, events=["booking.created"])
        assert e.value.code in ("address_not_allowed", "scheme_not_allowed")
    settings.CALENDAR_FETCH_ALLOW_HTTP = False
    with pytest.raises(WebhookError) as e:
        endpoint_create(consultant=consultant, url="http://hooks.example.com/x", events=["booking.created"])
    assert e.value.code == "scheme_not_allowed"

    # Saved while allowed, the address is checked again at every attempt (a name can point anywhere later).
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = settings.CALENDAR_FETCH_ALLOW_HTTP = True
    _endpoint, receiver = receiver_endpoint(httpserver, consultant=consultant)
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = False
    _book(consultant, member)
    sweep()
    assert receiver.accepted == []
    assert WebhookAttempt.objects.get().error_code == "address_not_allowed"


def test_bad_input_is_refused_with_a_code(consultant):
    for url, events, code in (("not a url", ["booking.created"], "bad_url"),
                              ("https://user:pw@hooks.example.com/", ["booking.created"], "bad_url"),
                              ("https://hooks.example.com/", [], "no_events"),
                              ("https://hooks.example.com/", ["booking.exploded"], "no_events")):
        with pytest.raises(WebhookError) as e:
            endpoint_create(consultant=consultant, url=url, events=events)
        assert e.value.code == code
    assert not WebhookEndpoint.objects.exists()


def test_the_secret_follows_the_spec_and_is_stored_encrypted(consultant):
    endpoint, secret = endpoint_create(consultant=consultant, url="https://hooks.example.com/x",
                                       events=["booking.created"])
    assert secret.startswith("whsec_") and len(Webhook(secret)._whsecret) == 24
    assert secret not in endpoint.secret and secret.removeprefix("whsec_") not in endpoint.secret
    assert WebhookEndpoint.objects.get().get_secret() == secret
    assert endpoint_rotate_secret(endpoint=endpoint) != secret


@pytest.mark.django_db(transaction=True)
def test_a_hanging_receiver_never_holds_up_the_request_that_made_the_event(client, settings, consultant, member):
    settings.WEBHOOK_TIMEOUT = 5  # were the request to send, it would take at least 5 s
    hanging = HangingServer()
    try:
        endpoint_create(consultant=consultant, url=hanging.url, events=["booking.cancelled"])
        booking = BookingFactory(consultant=consultant, company=member.memberships.get().company, booked_by=member,
                                 slot=SlotFactory(consultant=consultant, status="booked",
                                                  starts_at=datetime.now(UTC) + timedelta(days=5)))
        client.force_login(member)

        started = time.monotonic()
        response = client.post(f"/company/sessions/{booking.pk}/",
                               {"action": "cancel", "reason": "ill", "confirmed": "1"})
        took = time.monotonic() - started

        assert response.status_code == 302
        booking.refresh_from_db()
        assert booking.status == "cancelled"
        # About 0.8 s on the 2-core CI machine: the cancellation's own mails and invite run inline too (Q_SYNC).
        assert took < 3.0, f"the cancel request took {took:.2f} s"
        assert hanging.connections == []  # the request did not even connect
        delivery = WebhookDelivery.objects.get()

        settings.WEBHOOK_TIMEOUT = 1
        started = time.monotonic()
        sweep()  # the task: bounded by the timeout, whatever the receiver does
        took = time.monotonic() - started
        assert 1.0 <= took < 4.0, f"the attempt took {took:.2f} s"
        attempt = WebhookAttempt.objects.get(delivery=delivery)
        assert (attempt.ok, attempt.error_code, attempt.status_code) == (False, "timeout", None)
        assert attempt.duration_ms >= 1000
    finally:
        hanging.close()


def test_finished_deliveries_are_forgotten_after_30_days_and_waiting_ones_kept(clock, httpserver, consultant):
    _endpoint, receiver = receiver_endpoint(httpserver, consultant=consultant)
    _booked(consultant)
    sweep()
    assert WebhookDelivery.objects.get().status == "succeeded"
    clock.shift(timedelta(days=29))
    _booked(consultant)
    WebhookDelivery.objects.filter(status="pending").update(next_attempt_at=NOW + timedelta(days=40))

    clock.shift(timedelta(days=2))
    sweep()

    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == ["pending"]
    assert not WebhookAttempt.objects.exists()


def test_an_endpoint_removed_while_its_attempt_runs_leaves_no_orphan(clock, httpserver, consultant, monkeypatch):
    from integrations import services

    endpoint, receiver = receiver_endpoint(httpserver, consultant=consultant)
    _booked(consultant)
    delivery = WebhookDelivery.objects.get()
    real_request = services.safe_request

    def owner_removes_it_meanwhile(*args, **kwargs):
        WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()
        return real_request(*args, **kwargs)

    monkeypatch.setattr(services, "safe_request", owner_removes_it_meanwhile)
    assert delivery_attempt(delivery_id=delivery.pk) is True
    assert len(receiver.accepted) == 1
    assert not WebhookDelivery.objects.exists() and not WebhookAttempt.objects.exists()


def test_with_a_worker_cluster_each_delivery_is_queued_after_commit_and_a_broken_broker_breaks_nothing(
        settings, consultant, monkeypatch, django_capture_on_commit_callbacks):
    from integrations import services, tasks

    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    queued = []
    monkeypatch.setattr(services, "async_task", lambda func, *args, **kw: queued.append((func, args)))
    endpoint_create(consultant=consultant, url="https://hooks.example.com/a", events=["booking.created"])

    with django_capture_on_commit_callbacks(execute=True):
        _booked(consultant)
        assert queued == []  # nothing before commit
    assert queued == [(tasks.webhook_deliver, (WebhookDelivery.objects.get().pk,))]

    def broker_down(*args, **kwargs):
        raise ConnectionError("the broker is down")

    monkeypatch.setattr(services, "async_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        _booked(consultant)  # no error: the delivery waits for the sweep
    assert WebhookDelivery.objects.filter(status="pending").count() == 2


def test_who_listens_is_cached_and_a_new_or_removed_endpoint_counts_at_once(clock, httpserver, consultant,
                                                                             django_assert_max_num_queries):
    from integrations.services import endpoint_delete, webhook_owners

    assert webhook_owners() == {"staff": False, "consultants": set()}
    with django_assert_max_num_queries(1):  # none with Redis; the one cache read with the database cache
        assert webhook_owners() == {"staff": False, "consultants": set()}
    _booked(consultant)
    assert WebhookDelivery.objects.count() == 0

    endpoint, _receiver = receiver_endpoint(httpserver, consultant=consultant)  # the cached "nobody" is dropped
    _booked(consultant)
    assert WebhookDelivery.objects.count() == 1
    assert webhook_owners()["consultants"] == {consultant.pk}

    endpoint_delete(endpoint=endpoint)
    assert webhook_owners() == {"staff": False, "consultants": set()}
