from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self):
        from consultants.signals import public_profile_sections
        from feedback.customer_nps import public_profile_section

        public_profile_sections.connect(public_profile_section, dispatch_uid="feedback_customer_nps_change")

        # The public profile shows the customer NPS change: visitors' cached profiles are rendered afresh when a
        # snapshot (or the consent on it) changes.
        from consultants.public_cache import connect_model_signals

        connect_model_signals(self, only=("CustomerNpsSnapshot", "CustomerNpsComment"))
