"""The only module that talks to Stripe. Never call anything here inside a database transaction.

Tests swap the HTTP layer, not this module: set `engagements.stripe.http_client_override` to a
`stripe.HTTPClient` subclass (tests/engagements/fakes.py) and every call goes to it; no network is touched.
"""

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


def event_verify(*, payload: bytes, signature: str) -> dict:
    """The verified event as a plain dict. Raises SignatureError (bad or stale signature) or ValueError."""
    event = stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    return event.to_dict()
