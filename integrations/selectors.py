"""Reads for the webhook pages: an owner's endpoints and an endpoint's recent deliveries with their attempts."""

from django.db.models import Count, Prefetch, Q, QuerySet

from consultants.models import Consultant
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

DELIVERY_LOG_LENGTH = 50


def endpoint_list(*, consultant: Consultant | None) -> QuerySet[WebhookEndpoint]:
    """The consultant's endpoints, or the staff-wide ones (consultant None), with counts of their deliveries."""
    return WebhookEndpoint.objects.filter(consultant=consultant).annotate(
        delivered=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.SUCCEEDED)),
        pending=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.PENDING)),
        failed=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.FAILED)),
    ).order_by("created_at", "pk")


def delivery_list(*, endpoint: WebhookEndpoint, limit: int = DELIVERY_LOG_LENGTH) -> list[WebhookDelivery]:
    """The newest deliveries of the endpoint, each with its attempts (newest first): two queries."""
    return list(WebhookDelivery.objects.filter(endpoint=endpoint).defer("payload").prefetch_related(
        Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("-attempted_at", "-pk")))[:limit])
