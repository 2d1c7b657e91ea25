"""Which domain events become webhooks. Booking, engagements and feedback know nothing of webhooks: their
services write a PipelineEvent (or save a Feedback answer) inside their transaction, and these receivers record
the deliveries in that same transaction (a rollback leaves none); sending happens after commit, in a task."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from booking.models import PipelineEvent
from feedback.models import Feedback
from integrations import payloads
from integrations.models import Event, WebhookEndpoint
from integrations.services import webhook_event_emit, webhook_owners_changed


@receiver(post_save, sender=PipelineEvent, dispatch_uid="integrations.webhooks_for_pipeline_event")
def webhooks_for_pipeline_event(sender, instance: PipelineEvent, created: bool, raw: bool = False, **kwargs):
    event = payloads.event_for(instance)
    if created and not raw and event:
        webhook_event_emit(event=event, consultant_id=instance.booking.consultant_id,
                           payload=lambda: payloads.pipeline_payload(instance))


@receiver(post_save, sender=Feedback, dispatch_uid="integrations.webhooks_for_feedback")
def webhooks_for_feedback(sender, instance: Feedback, created: bool, raw: bool = False, update_fields=None,
                          **kwargs):
    # feedback_answer saves exactly these fields (a first answer or a changed one); other saves are bookkeeping.
    if raw or instance.score is None or not update_fields or "score" not in update_fields:
        return
    webhook_event_emit(event=Event.FEEDBACK_RECEIVED, consultant_id=instance.booking.consultant_id,
                       payload=lambda: payloads.feedback_payload(instance))


@receiver(post_save, sender=WebhookEndpoint, dispatch_uid="integrations.webhook_owners_saved")
@receiver(post_delete, sender=WebhookEndpoint, dispatch_uid="integrations.webhook_owners_deleted")
def webhook_owners_forget(sender, **kwargs):
    webhook_owners_changed()
