from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.models import Event


class EndpointForm(forms.Form):
    url = forms.URLField(label=_("Endpoint URL"), max_length=500, assume_scheme="https",
                         help_text=_("Probono POSTs a signed JSON message here for each chosen event."))
    description = forms.CharField(label=_("Description"), max_length=100, required=False,
                                  help_text=_("For you: what receives these messages."))
    events = forms.MultipleChoiceField(label=_("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple,
                                       error_messages={"required": _("Choose at least one event.")})


class EndpointEditForm(EndpointForm):
    is_active = forms.BooleanField(label=_("Active"), required=False,
                                   help_text=_("Turn off to stop sending; turning on again starts a fresh count of "
                                               "failures."))
