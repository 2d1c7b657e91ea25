"""A fake Stripe HTTP layer: the real stripe-python client, no network. Records every request."""

import json
import threading
from urllib.parse import parse_qs, urlparse

import stripe


class FakeStripeHTTP(stripe.HTTPClient):
    """Answers Checkout Session create/retrieve like Stripe does (same idempotency key → same session)."""

    name = "fake"

    def __init__(self):
        super().__init__()
        self.requests: list[dict] = []
        self.sessions: dict[str, dict] = {}
        self._by_key: dict[str, str] = {}
        self._lock = threading.Lock()
        self.fail_next = False

    # -- helpers for tests --
    def pay(self, session_id: str, payment_intent: str = "pi_test_1") -> dict:
        """Make Stripe report the session as paid (what happens when the customer pays)."""
        s = self.sessions[session_id]
        s.update(status="complete", payment_status="paid", payment_intent=payment_intent)
        return s

    @property
    def creates(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "post" and r["path"] == "/v1/checkout/sessions"]

    # -- stripe.HTTPClient --
    def request(self, method, url, headers, post_data=None, *, _usage=None):
        path = urlparse(url).path
        form = {k: v[0] for k, v in parse_qs(post_data or "").items()}
        with self._lock:
            self.requests.append({"method": method, "path": path, "headers": dict(headers or {}), "form": form})
            if self.fail_next:
                self.fail_next = False
                return json.dumps({"error": {"type": "api_error", "message": "boom"}}), 500, {}
            if method == "post" and path == "/v1/checkout/sessions":
                key = (headers or {}).get("Idempotency-Key", "")
                if key in self._by_key:
                    return json.dumps(self.sessions[self._by_key[key]]), 200, {}
                sid = f"cs_test_{len(self.sessions) + 1}"
                session = {
                    "id": sid, "object": "checkout.session", "url": f"https://checkout.stripe.com/c/pay/{sid}",
                    "status": "open", "payment_status": "unpaid", "payment_intent": None,
                    "client_reference_id": form.get("client_reference_id"),
                    "metadata": {k[len("metadata["):-1]: v for k, v in form.items() if k.startswith("metadata[")},
                    "amount_total": int(form["line_items[0][price_data][unit_amount]"]),
                    "currency": form["line_items[0][price_data][currency]"],
                }
                self.sessions[sid] = session
                self._by_key[key] = sid
                return json.dumps(session), 200, {}
            if method == "get" and path.startswith("/v1/checkout/sessions/"):
                sid = path.rsplit("/", 1)[1]
                if sid in self.sessions:
                    return json.dumps(self.sessions[sid]), 200, {}
                return json.dumps({"error": {"type": "invalid_request_error", "message": "No such session"}}), 404, {}
        return json.dumps({"error": {"type": "invalid_request_error", "message": f"unexpected {path}"}}), 404, {}

    def close(self):
        pass


def event_payload(event_id: str, type_: str, obj: dict) -> str:
    return json.dumps({"id": event_id, "object": "event", "type": type_, "livemode": False,
                       "api_version": "2025-01-01", "created": 1, "data": {"object": obj}})


def signed_post(client, payload: str, secret: str, timestamp=None):
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
    return client.post("/stripe/webhook/", data=payload, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=header)
