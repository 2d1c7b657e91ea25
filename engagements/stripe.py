"""The only module that talks to Stripe. Never call anything here inside a database transaction.

Tests swap the HTTP layer, not this module: set `engagements.stripe.http_client_override` to a
`stripe.HTTPClient` subclass (tests/engagements/fakes.py) and every call goes to it; no network is touched.
"""

import json
import time
from dataclasses import asdict, dataclass
from typing import Any

import stripe
from django.conf import settings

# Tests (and nothing else) replace this with a fake `stripe.HTTPClient`.
http_client_override: stripe.HTTPClient | None = None

SignatureError = stripe.SignatureVerificationError
StripeError = stripe.StripeError


def is_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def get_client() -> stripe.StripeClient:
    """A client for this request. Cheap to build; never shared between threads."""
    if http_client_override is not None:
        return stripe.StripeClient(settings.STRIPE_SECRET_KEY, http_client=http_client_override,
                                   max_network_retries=0)
    # Checkout Session creation carries an idempotency key, so Stripe's own retries are safe.
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, max_network_retries=2)


@dataclass(frozen=True)
class CheckoutSession:
    """The parts of a Checkout Session we act on, as plain data."""

    id: str
    url: str
    status: str  # open / complete / expired
    payment_status: str  # paid / unpaid / no_payment_required
    payment_intent: str
    client_reference_id: str
    metadata: dict
    amount_total: int | None
    currency: str

    @classmethod
    def from_stripe(cls, obj: Any) -> "CheckoutSession":
        data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
        intent = data.get("payment_intent") or ""
        if isinstance(intent, dict):  # expanded
            intent = intent.get("id", "")
        return cls(
            id=data.get("id") or "",
            url=data.get("url") or "",
            status=data.get("status") or "",
            payment_status=data.get("payment_status") or "",
            payment_intent=intent,
            client_reference_id=data.get("client_reference_id") or "",
            metadata=dict(data.get("metadata") or {}),
            amount_total=data.get("amount_total"),
            currency=data.get("currency") or "",
        )

    def as_dict(self) -> dict:
        return asdict(self)


def checkout_session_create(*, params: dict, idempotency_key: str) -> CheckoutSession:
    session = get_client().v1.checkout.sessions.create(params=params, options={"idempotency_key": idempotency_key})
    return CheckoutSession.from_stripe(session)


def checkout_session_retrieve(session_id: str) -> CheckoutSession:
    return CheckoutSession.from_stripe(get_client().v1.checkout.sessions.retrieve(session_id))


# Stripe's default: an event signed more than this long ago (or, below, this far ahead) is refused.
WEBHOOK_TOLERANCE = 300


def event_verify(*, payload: bytes, signature: str) -> dict:
    """The verified event as a plain dict of the shape our handlers read.

    Raises SignatureError for a bad signature, one older than WEBHOOK_TOLERANCE or dated more than that in the
    future (Stripe's library checks only the past), and ValueError for a body that is not an event of the expected
    shape — signed or not, such a body must answer 400 and change nothing, never reach a handler and fail there.
    """
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the body is not UTF-8") from None
    stripe.WebhookSignature.verify_header(text, signature, settings.STRIPE_WEBHOOK_SECRET, WEBHOOK_TOLERANCE)
    timestamps = [int(part[2:]) for part in signature.split(",") if part.startswith("t=") and part[2:].isascii()
                  and part[2:].isdigit()]
    if not timestamps or timestamps[0] > time.time() + WEBHOOK_TOLERANCE:
        raise SignatureError("Timestamp is in the future", signature, text)
    event = json.loads(text)
    event_shape_check(event)
    return event


_ID_FIELDS = ("id", "payment_status", "currency", "status")


def event_shape_check(event: Any) -> None:
    """ValueError unless `event` looks like the Stripe events we handle: an object with a string id and type, and
    data.object an object whose fields we read have Stripe's types (metadata: an object of strings)."""
    if not isinstance(event, dict):
        raise ValueError("the event is not an object")
    if not isinstance(event.get("id"), str) or not event["id"] or len(event["id"]) > 255:
        raise ValueError("the event has no id")
    if not isinstance(event.get("type"), str) or len(event["type"]) > 100:
        raise ValueError("the event has no type")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise ValueError("the event has no data object")
    obj = data["object"]
    for field in _ID_FIELDS:
        if obj.get(field) is not None and not isinstance(obj[field], str):
            raise ValueError(f"data.object.{field} is not a string")
    amount = obj.get("amount_total")
    if amount is not None and (not isinstance(amount, int) or isinstance(amount, bool)):
        raise ValueError("data.object.amount_total is not a whole number")
    if obj.get("refunded") is not None and not isinstance(obj["refunded"], bool):
        raise ValueError("data.object.refunded is not true or false")
    intent = obj.get("payment_intent")
    if intent is not None and not isinstance(intent, str) and not (
        isinstance(intent, dict) and isinstance(intent.get("id", ""), str)
    ):
        raise ValueError("data.object.payment_intent is neither an id nor an object with one")
    metadata = obj.get("metadata")
    if metadata is not None and (
        not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values())
    ):
        raise ValueError("data.object.metadata is not an object of strings")


def metadata_id(obj: dict, name: str) -> int | None:
    """A database id from our own metadata: ASCII digits only ("²".isdigit() is true, int("²") fails)."""
    value = (obj.get("metadata") or {}).get(name, "")
    if isinstance(value, str) and 0 < len(value) <= 18 and value.isascii() and value.isdigit():
        return int(value)
    return None
