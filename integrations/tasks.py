"""django-q2 entry points for outgoing webhooks: they take ids and call a service.

Idempotent: a delivery is claimed with a conditional update before it is sent (a second run of the same task finds
it claimed or no longer due), and the "disabled" e-mail is queued only by the call that disabled the endpoint.
"""

from accounts.schedules import Periodic
from integrations import mails, services


def webhook_deliver(delivery_id: int) -> bool | None:
    return services.delivery_attempt(delivery_id=delivery_id)


def webhook_deliveries_send_due() -> int:
    services.deliveries_prune()
    return services.deliveries_send_due()


def webhook_send_disabled(endpoint_id: int) -> int:
    return mails.mail_endpoint_disabled(endpoint_id=endpoint_id)


SCHEDULES = [Periodic(webhook_deliveries_send_due, minutes=1)]
