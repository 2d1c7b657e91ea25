"""Booking's reactions to the apps below it.

Every consultant has an intake questionnaire from the moment the profile exists, so pages that only show the
questions (the booking step, the waitlist claim link) read it and never create it on a GET.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from booking.questionnaires import questionnaire_get_current
from consultants.models import Consultant


@receiver(post_save, sender=Consultant, dispatch_uid="booking.questionnaire_for_new_consultant")
def questionnaire_for_new_consultant(sender, instance: Consultant, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        questionnaire_get_current(instance)
