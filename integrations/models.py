"""Outgoing webhooks: endpoints (a consultant's, or staff-wide), one delivery per event and endpoint, and every
attempt to send it (the delivery log its owner sees and can replay)."""

import base64
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from calendars.crypto import decrypt_json, encrypt_json
from consultants.models import Consultant


class Event(models.TextChoices):
    """The events an endpoint can choose; the value is the payload's `type`."""

    BOOKING_CREATED = "booking.created", _("A session is booked or requested")
    BOOKING_CANCELLED = "booking.cancelled", _("A session is cancelled")
    BOOKING_RESCHEDULED = "booking.rescheduled", _("A session is moved")
    SESSION_HELD = "session.held", _("A session is marked as held")
    SESSION_NO_SHOW = "session.no_show", _("A session is marked as a no-show")
    PROPOSAL_SENT = "proposal.sent", _("A proposal is sent")
    PROPOSAL_ACCEPTED = "proposal.accepted", _("A proposal is accepted")
    PAYMENT_RECEIVED = "payment.received", _("A payment is received")
    FEEDBACK_RECEIVED = "feedback.received", _("Feedback is answered")


def secret_new() -> str:
    """A Standard Webhooks secret: `whsec_` + base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


class WebhookEndpoint(models.Model):
    """Where to POST the chosen events. `consultant` empty: a staff-wide endpoint that gets every consultant's."""

    consultant = models.ForeignKey(Consultant, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="webhook_endpoints")
    url = models.URLField(_("endpoint URL"), max_length=500)
    description = models.CharField(_("description"), max_length=100, blank=True)
    events = models.JSONField(_("events"), default=list)
    # Fernet token of {"secret": "whsec_…"}: shown once when made or rotated, never again.
    secret = models.TextField(editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    # The first failure of the current streak (cleared by any success); 3 days of it disable the endpoint.
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.description or self.url

    def set_secret(self, value: str) -> None:
        self.secret = encrypt_json({"secret": value})

    def get_secret(self) -> str:
        return decrypt_json(self.secret)["secret"]

    @property
    def is_staff_wide(self) -> bool:
        return self.consultant_id is None

    def event_labels(self) -> list[str]:
        labels = dict(Event.choices)
        return [str(labels.get(e, e)) for e in self.events]


class WebhookDelivery(models.Model):
    """One event for one endpoint: the signed message (its `webhook-id` is `msg_id`, the same on every attempt)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    msg_id = models.CharField(max_length=40, unique=True, editable=False)
    payload = models.JSONField(default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When the next attempt is due (empty when none is); the retry schedule counts from the first attempt.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker that claimed the delivery holds it until then (a crashed worker's claim lapses).
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    # The owner asked for one more attempt now (logged as a replay; it does not restart the schedule).
    replay_requested = models.BooleanField(default=False, editable=False)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["next_attempt_at"], name="webhook_delivery_due_idx",
                                condition=Q(status="pending"))]

    def __str__(self):
        return f"{self.event} → {self.endpoint_id} ({self.status})"

    @staticmethod
    def new_msg_id() -> str:
        return "msg_" + secrets.token_urlsafe(24)


class WebhookAttempt(models.Model):
    """One POST of a delivery: when, how long, what came back. Never the secret, never the response body."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField(_("time"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    status_code = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)
    ok = models.BooleanField(default=False)
    # FetchError's code ("timeout", "connection", …) or "http" for a non-2xx answer.
    error_code = models.CharField(max_length=40, blank=True)
    is_replay = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-attempted_at", "-pk"]

    def __str__(self):
        return f"{self.delivery_id} at {self.attempted_at:%Y-%m-%d %H:%M}: {self.status_code or self.error_code}"
