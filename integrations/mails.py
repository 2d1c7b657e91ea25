"""E-mails about outgoing webhooks. Run in tasks, never inside a transaction."""

from django.urls import reverse

from accounts.mail import Recipient, email_build
from integrations.models import WebhookEndpoint


def mail_endpoint_disabled(*, endpoint_id: int) -> int:
    """Tell the endpoint's owner (the consultant; for a staff-wide endpoint, the staff member who added it) that
    it was disabled. Queued once, by the call that disabled it (services._disable_if_failing)."""
    endpoint = WebhookEndpoint.objects.select_related("consultant__user", "created_by").filter(pk=endpoint_id).first()
    if endpoint is None or endpoint.is_active:
        return 0  # removed, or turned on again before the mail went out
    user = endpoint.consultant.user if endpoint.consultant else endpoint.created_by
    if user is None or not user.email:
        return 0
    path = (reverse("integrations:webhook", args=[endpoint.pk]) if endpoint.consultant
            else reverse("integrations:staff_webhook", args=[endpoint.pk]))
    email_build(template="integrations_webhook_disabled", recipient=Recipient.for_user(user),
                context={"endpoint": endpoint, "name": endpoint.consultant.display_name if endpoint.consultant
                         else (user.name or user.email), "path": path}).send()
    return 1
