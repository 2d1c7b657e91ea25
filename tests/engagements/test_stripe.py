"""Stripe Checkout through the real stripe-python client and a fake HTTP layer; webhooks signed for real."""

import datetime as dt
import json
import threading
import time

import pytest
import time_machine
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from booking.models import PipelineEvent
from engagements.models import Payment, PaymentAttempt, StripeEvent
from engagements.services import engagement_accept
from tests.engagements.conftest import WEBHOOK_SECRET
from tests.engagements.fakes import event_payload, signed_post
from tests.factories import EngagementFactory

pytestmark = pytest.mark.django_db


def _accept(engagement, member):
    engagement, url = engagement_accept(engagement=engagement, by=member)
    return Payment.objects.get(engagement=engagement), url


def _completed(session: dict, event_id="evt_1", type_="checkout.session.completed"):
    return event_payload(event_id, type_, session)


def _receipts(mailoutbox):
    return [m for m in mailoutbox if m.subject.startswith("Receipt")]


@pytest.fixture
def accepted(fake_stripe, held_booking, member):
    engagement = EngagementFactory(booking=held_booking, amount_minor=1_000_200, currency="DKK")
    payment, url = _accept(engagement, member)
    return engagement, payment, url


def test_accepting_creates_a_checkout_session_with_the_engagement_and_an_idempotency_key(
        accepted, fake_stripe, member):
    engagement, payment, url = accepted
    assert url == "https://checkout.stripe.com/c/pay/cs_test_1"
    [create] = fake_stripe.creates
    attempt = PaymentAttempt.objects.get(payment=payment)
    assert create["headers"]["Idempotency-Key"] == str(attempt.idempotency_key)
    assert create["headers"]["Authorization"] == "Bearer sk_test_fake"
    form = create["form"]
    assert form["mode"] == "payment"
    assert form["client_reference_id"] == str(engagement.pk)
    assert form["metadata[engagement_id]"] == str(engagement.pk)
    assert form["metadata[payment_id]"] == str(payment.pk)
    assert form["line_items[0][price_data][currency]"] == "dkk"
    assert form["line_items[0][price_data][unit_amount]"] == "1250250"  # 10 002.00 + 25 % VAT
    assert form["line_items[0][quantity]"] == "1"
    assert form["customer_email"] == member.email
    success = reverse("engagements:checkout_success", args=[engagement.pk])
    assert form["success_url"] == f"https://probono.example{success}?session_id={{CHECKOUT_SESSION_ID}}"
    assert form["cancel_url"].startswith("https://probono.example/proposals/")
    assert attempt.session_id == "cs_test_1" and payment.provider == "stripe"
    assert int(form["expires_at"]) == int(attempt.created_at.timestamp()) + 23 * 3600


def test_the_accept_button_redirects_to_stripe(fake_stripe, held_booking, member, login):
    engagement = EngagementFactory(booking=held_booking)
    response = login(member).post(reverse("engagements:engagement_accept", args=[engagement.pk]), {"confirmed": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.com/")


def test_pay_now_reuses_the_open_session_instead_of_creating_another(accepted, fake_stripe, member, login):
    engagement, payment, _ = accepted
    response = login(member).post(reverse("engagements:engagement_pay", args=[engagement.pk]))
    assert response["Location"] == "https://checkout.stripe.com/c/pay/cs_test_1"
    assert len(fake_stripe.creates) == 1


def test_after_the_session_lifetime_pay_now_opens_a_new_session_with_a_new_key(accepted, fake_stripe, member, login):
    engagement, payment, _ = accepted
    client = login(member)
    pay = reverse("engagements:engagement_pay", args=[engagement.pk])
    with time_machine.travel(timezone.now() + dt.timedelta(hours=22, minutes=59), tick=False):
        assert client.post(pay)["Location"].endswith("cs_test_1")
    with time_machine.travel(timezone.now() + dt.timedelta(hours=23, minutes=1), tick=False):
        assert client.post(pay)["Location"].endswith("cs_test_2")
    old, new = PaymentAttempt.objects.filter(payment=payment).order_by("pk")
    assert (old.status, new.status) == ("expired", "open")
    assert old.idempotency_key != new.idempotency_key


def test_a_stripe_outage_keeps_the_acceptance_and_pay_now_retries_with_the_same_key(
        fake_stripe, held_booking, member, login):
    engagement = EngagementFactory(booking=held_booking)
    fake_stripe.fail_next = True
    client = login(member)
    response = client.post(reverse("engagements:engagement_accept", args=[engagement.pk]), {"confirmed": "1"},
                           follow=True)
    assert "could not be opened" in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.status == "accepted"
    response = client.post(reverse("engagements:engagement_pay", args=[engagement.pk]))
    assert response["Location"].startswith("https://checkout.stripe.com/")
    keys = {r["headers"]["Idempotency-Key"] for r in fake_stripe.creates}
    assert len(keys) == 1  # the retry re-used the stored key


def test_stripe_is_never_called_inside_a_transaction(accepted, fake_stripe):
    from django.db import transaction

    from engagements.services import payment_start

    engagement, payment, url = accepted
    PaymentAttempt.objects.filter(payment=payment).update(session_id=None, checkout_url="")
    with pytest.raises(RuntimeError), transaction.atomic():
        payment_start(payment=payment)
    assert len(fake_stripe.creates) == 1  # only the acceptance's own call, made after its commit
    assert payment_start(payment=payment) is not None and len(fake_stripe.creates) == 2


@pytest.mark.parametrize("tamper", ["body", "secret", "stale", "missing"])
def test_a_webhook_with_a_bad_or_stale_signature_is_refused(accepted, fake_stripe, client, tamper):
    _, payment, _ = accepted
    payload = _completed(fake_stripe.pay("cs_test_1"))
    if tamper == "body":
        import stripe
        header = stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET)
        response = client.post("/stripe/webhook/", data=payload.replace("paid", "PAID", 1),
                               content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
    elif tamper == "secret":
        response = signed_post(client, payload, "whsec_someone_else")
    elif tamper == "stale":
        response = signed_post(client, payload, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)
    else:
        response = client.post("/stripe/webhook/", data=payload, content_type="application/json")
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    payment.refresh_from_db()
    assert payment.status == "pending"


def test_the_webhook_accepts_only_post(client, fake_stripe):
    assert client.get("/stripe/webhook/").status_code == 405


def test_checkout_completed_marks_the_engagement_paid_with_one_receipt(
        accepted, fake_stripe, client, mailoutbox, django_capture_on_commit_callbacks):
    engagement, payment, _ = accepted
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, _completed(fake_stripe.pay("cs_test_1", "pi_123")), WEBHOOK_SECRET)
    assert response.status_code == 200
    payment.refresh_from_db()
    engagement.refresh_from_db()
    assert (payment.status, payment.provider_reference, engagement.status) == ("paid", "pi_123", "paid")
    assert len(_receipts(mailoutbox)) == 1
    assert PaymentAttempt.objects.get(payment=payment).status == "succeeded"


def test_an_unpaid_completed_session_waits_for_async_payment(
        accepted, fake_stripe, client, mailoutbox, django_capture_on_commit_callbacks):
    _, payment, _ = accepted
    session = dict(fake_stripe.sessions["cs_test_1"], status="complete", payment_status="unpaid")
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(client, _completed(session), WEBHOOK_SECRET)
    payment.refresh_from_db()
    assert payment.status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(client, _completed(fake_stripe.pay("cs_test_1"), "evt_2",
                                       "checkout.session.async_payment_succeeded"), WEBHOOK_SECRET)
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert len(_receipts(mailoutbox)) == 1


def test_the_same_event_five_times_pays_once(
        accepted, fake_stripe, client, mailoutbox, django_capture_on_commit_callbacks):
    engagement, payment, _ = accepted
    payload = _completed(fake_stripe.pay("cs_test_1"))
    with django_capture_on_commit_callbacks(execute=True):
        codes = [signed_post(client, payload, WEBHOOK_SECRET).status_code for _ in range(5)]
    assert codes == [200] * 5
    assert StripeEvent.objects.count() == 1
    assert Payment.objects.filter(engagement=engagement, status="paid").count() == 1
    assert len(_receipts(mailoutbox)) == 1
    assert PipelineEvent.objects.filter(booking=engagement.booking, kind="paid").count() == 1


def test_different_events_for_the_same_session_still_pay_once(
        accepted, fake_stripe, client, mailoutbox, django_capture_on_commit_callbacks):
    engagement, payment, _ = accepted
    session = fake_stripe.pay("cs_test_1")
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(client, _completed(session, "evt_a"), WEBHOOK_SECRET)
        signed_post(client, _completed(session, "evt_b", "checkout.session.async_payment_succeeded"), WEBHOOK_SECRET)
    assert StripeEvent.objects.count() == 2
    assert len(_receipts(mailoutbox)) == 1
    assert PipelineEvent.objects.filter(booking=engagement.booking, kind="paid").count() == 1


def test_redirect_then_webhook_pays_once(
        accepted, fake_stripe, member, login, mailoutbox, django_capture_on_commit_callbacks):
    engagement, payment, _ = accepted
    session = fake_stripe.pay("cs_test_1")
    client = login(member)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(reverse("engagements:checkout_success", args=[engagement.pk]) + "?session_id=cs_test_1")
        assert "payment is received" in page.content.decode()
        assert signed_post(client, _completed(session), WEBHOOK_SECRET).status_code == 200
        client.get(reverse("engagements:checkout_success", args=[engagement.pk]) + "?session_id=cs_test_1")
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert len(_receipts(mailoutbox)) == 1
    assert PipelineEvent.objects.filter(booking=engagement.booking, kind="paid").count() == 1


def test_webhook_then_redirect_pays_once(
        accepted, fake_stripe, member, login, mailoutbox, django_capture_on_commit_callbacks):
    engagement, payment, _ = accepted
    session = fake_stripe.pay("cs_test_1")
    client = login(member)
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(client, _completed(session), WEBHOOK_SECRET)
        gets_before = sum(r["method"] == "get" for r in fake_stripe.requests)
        page = client.get(reverse("engagements:checkout_success", args=[engagement.pk]) + "?session_id=cs_test_1")
    assert "payment is received" in page.content.decode()
    assert sum(r["method"] == "get" for r in fake_stripe.requests) == gets_before  # already paid: no fetch
    assert len(_receipts(mailoutbox)) == 1


def test_the_success_page_trusts_stripe_not_the_url(accepted, fake_stripe, member, login):
    engagement, payment, _ = accepted
    page = login(member).get(reverse("engagements:checkout_success", args=[engagement.pk]) + "?session_id=cs_test_1")
    assert "being processed" in page.content.decode()  # Stripe says unpaid
    payment.refresh_from_db()
    assert payment.status == "pending"


def test_the_success_page_is_404_for_a_foreign_session_or_an_outsider(accepted, fake_stripe, member, outsider, login):
    engagement, _, _ = accepted
    url = reverse("engagements:checkout_success", args=[engagement.pk])
    assert login(member).get(url + "?session_id=cs_other").status_code == 404
    assert login(outsider).get(url + "?session_id=cs_test_1").status_code == 404


def test_an_expired_session_closes_the_attempt_and_pay_now_opens_a_new_one(
        accepted, fake_stripe, client, member, login):
    engagement, payment, _ = accepted
    expired = dict(fake_stripe.sessions["cs_test_1"], status="expired")
    response = signed_post(client, _completed(expired, "evt_x", "checkout.session.expired"), WEBHOOK_SECRET)
    assert response.status_code == 200
    attempt = PaymentAttempt.objects.get(payment=payment)
    assert attempt.status == "expired" and attempt.closed_at is not None
    payment.refresh_from_db()
    assert payment.status == "pending"
    response = login(member).post(reverse("engagements:engagement_pay", args=[engagement.pk]))
    assert response["Location"] == "https://checkout.stripe.com/c/pay/cs_test_2"
    assert PaymentAttempt.objects.filter(payment=payment).count() == 2


def test_a_failed_async_payment_closes_the_attempt(accepted, fake_stripe, client):
    _, payment, _ = accepted
    failed = dict(fake_stripe.sessions["cs_test_1"], status="complete", payment_status="unpaid")
    signed_post(client, _completed(failed, "evt_f", "checkout.session.async_payment_failed"), WEBHOOK_SECRET)
    assert PaymentAttempt.objects.get(payment=payment).status == "failed"
    payment.refresh_from_db()
    assert payment.status == "pending"


def test_a_full_refund_marks_payment_and_engagement_refunded(
        accepted, fake_stripe, client, django_capture_on_commit_callbacks):
    engagement, payment, _ = accepted
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(client, _completed(fake_stripe.pay("cs_test_1", "pi_9")), WEBHOOK_SECRET)
    partial = {"id": "ch_1", "object": "charge", "payment_intent": "pi_9", "refunded": False, "amount_refunded": 100}
    signed_post(client, event_payload("evt_r1", "charge.refunded", partial), WEBHOOK_SECRET)
    payment.refresh_from_db()
    assert payment.status == "paid"  # a partial refund leaves it paid
    full = dict(partial, refunded=True, amount_refunded=1_250_250)
    signed_post(client, event_payload("evt_r2", "charge.refunded", full), WEBHOOK_SECRET)
    payment.refresh_from_db()
    engagement.refresh_from_db()
    assert (payment.status, engagement.status) == ("refunded", "refunded")
    assert PipelineEvent.objects.filter(booking=engagement.booking, kind="refunded").count() == 1


def test_a_session_paying_the_wrong_amount_is_not_fulfilled(accepted, fake_stripe, client):
    _, payment, _ = accepted
    session = dict(fake_stripe.pay("cs_test_1"), amount_total=100)
    signed_post(client, _completed(session), WEBHOOK_SECRET)
    payment.refresh_from_db()
    assert payment.status == "pending"


def test_without_a_webhook_secret_every_webhook_is_refused(accepted, fake_stripe, client, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert signed_post(client, _completed(fake_stripe.pay("cs_test_1")), "").status_code == 400


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_the_same_event_delivered_five_times_in_parallel_pays_once(fake_stripe, settings, mailoutbox):
    from tests.factories import HeldBookingFactory

    booking = HeldBookingFactory()
    engagement = EngagementFactory(booking=booking)
    payment, _ = _accept(engagement, booking.booked_by)
    payload = _completed(fake_stripe.pay("cs_test_1"))
    barrier = threading.Barrier(5)
    codes, errors = [], []

    def deliver():
        try:
            barrier.wait()
            codes.append(signed_post(Client(), payload, WEBHOOK_SECRET).status_code)
        except Exception as e:  # surfaced below
            errors.append(e)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and codes == [200] * 5
    assert StripeEvent.objects.count() == 1
    assert Payment.objects.filter(engagement=engagement, status="paid").count() == 1
    assert PipelineEvent.objects.filter(booking=booking, kind="paid").count() == 1
    assert len(_receipts(mailoutbox)) == 1


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_success_pages_and_different_events_racing_each_other_pay_once(fake_stripe, mailoutbox):
    from tests.factories import HeldBookingFactory

    booking = HeldBookingFactory()
    engagement = EngagementFactory(booking=booking)
    payment, _ = _accept(engagement, booking.booked_by)
    session = fake_stripe.pay("cs_test_1")
    success = reverse("engagements:checkout_success", args=[engagement.pk]) + "?session_id=cs_test_1"
    barrier = threading.Barrier(6)
    codes, errors = [], []

    def webhook(n):
        payload = _completed(session, f"evt_{n}", ["checkout.session.completed",
                                                   "checkout.session.async_payment_succeeded"][n % 2])
        barrier.wait()
        return signed_post(Client(), payload, WEBHOOK_SECRET).status_code

    def redirect():
        client = Client()
        client.force_login(booking.booked_by)
        barrier.wait()
        return client.get(success).status_code

    def run(fn, *args):
        try:
            codes.append(fn(*args))
        except Exception as e:  # surfaced below
            errors.append(e)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(webhook, n)) for n in range(3)]
    threads += [threading.Thread(target=run, args=(redirect,)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and codes == [200] * 6
    assert StripeEvent.objects.count() == 3
    assert Payment.objects.get(pk=payment.pk).status == "paid"
    assert PipelineEvent.objects.filter(booking=booking, kind="paid").count() == 1
    assert len(_receipts(mailoutbox)) == 1


# --- A validly signed body of an unexpected shape: 400, nothing stored, nothing changed -------------------------
@pytest.mark.parametrize("shape", [
    "array", "string", "number", "no-id", "id-not-a-string", "data-not-an-object", "object-is-a-list",
    "metadata-a-list", "metadata-a-string", "metadata-value-a-number", "amount-a-string", "session-id-a-list",
    "not-utf8",
])
def test_a_signed_body_of_an_unexpected_shape_answers_400_and_changes_nothing(accepted, fake_stripe, client, shape):
    _, payment, _ = accepted
    paid = {**fake_stripe.pay("cs_test_1")}
    event = json.loads(_completed(paid))
    payloads = {
        "array": json.dumps([event]),
        "string": json.dumps("checkout.session.completed"),
        "number": "42",
        "no-id": json.dumps({**event, "id": ""}),
        "id-not-a-string": json.dumps({**event, "id": {"evt": 1}}),
        "data-not-an-object": json.dumps({**event, "data": ["x"]}),
        "object-is-a-list": event_payload("evt_1", "checkout.session.completed", [paid]),
        "metadata-a-list": _completed({**paid, "metadata": ["attempt_id", "1"]}),
        "metadata-a-string": _completed({**paid, "metadata": "attempt_id=1"}),
        "metadata-value-a-number": _completed({**paid, "metadata": {"attempt_id": 1}}),
        "amount-a-string": _completed({**paid, "amount_total": "100"}),
        "session-id-a-list": _completed({**paid, "id": ["cs_test_1"]}),
    }
    if shape == "not-utf8":
        import stripe

        payload = b'{"id": "evt_1", "type": "\xff"}'
        header = stripe.WebhookSignature.generate_signature_header(payload.decode("latin-1"), WEBHOOK_SECRET)
        response = client.post("/stripe/webhook/", data=payload, content_type="application/json",
                               HTTP_STRIPE_SIGNATURE=header)
    else:
        response = signed_post(client, payloads[shape], WEBHOOK_SECRET)
    assert response.status_code == 400, response.content
    assert not StripeEvent.objects.exists()
    payment.refresh_from_db()
    assert payment.status == "pending"


@pytest.mark.parametrize("attempt_id", ["²", "١", "-1", "1e3", " 1", "99999999999999999999999"])
def test_a_metadata_id_that_is_not_plain_ascii_digits_matches_nothing_and_pays_nothing(
    accepted, fake_stripe, client, attempt_id
):
    _, payment, _ = accepted
    # Not our session id, so only the metadata could name the attempt: "²".isdigit() is True but int("²") fails.
    paid = {**fake_stripe.pay("cs_test_1"), "id": "cs_someone_else", "metadata": {"attempt_id": attempt_id}}
    response = signed_post(client, _completed(paid), WEBHOOK_SECRET)
    assert response.status_code == 200  # a well-formed event about nothing of ours: acknowledged, nothing done
    payment.refresh_from_db()
    assert payment.status == "pending"


def test_an_event_signed_beyond_the_tolerance_in_the_future_is_refused(accepted, fake_stripe, client):
    _, payment, _ = accepted
    payload = _completed(fake_stripe.pay("cs_test_1"))
    response = signed_post(client, payload, WEBHOOK_SECRET, timestamp=int(time.time()) + 301)
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    payment.refresh_from_db()
    assert payment.status == "pending"
    # Within the tolerance (a sender's clock a little ahead) it is accepted.
    assert signed_post(client, payload, WEBHOOK_SECRET, timestamp=int(time.time()) + 60).status_code == 200
    payment.refresh_from_db()
    assert payment.status == "paid"
