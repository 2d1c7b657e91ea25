from django import forms
from django.utils.translation import gettext_lazy as _


class IcsSourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For you, e.g. “Work (Google)”."))
    url = forms.CharField(
        label=_("Secret address in iCal format"), max_length=2000,
        help_text=_("Google: Settings → your calendar → “Secret address in iCal format”. Outlook: Settings → "
                    "Calendar → Shared calendars → Publish → ICS link. Apple: a public calendar's webcal:// link."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "url"}))
    all_day_blocks = forms.BooleanField(label=_("All-day events block the whole day"), required=False, initial=True,
                                        help_text=_("Turn this off if the calendar holds birthdays and reminders."))


class CaldavSourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For you, e.g. “Fastmail”."))
    url = forms.CharField(label=_("Server address"), max_length=2000,
                          help_text=_("e.g. https://caldav.icloud.com/ or https://caldav.fastmail.com/"),
                          widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                        "inputmode": "url"}))
    username = forms.CharField(label=_("User name"), max_length=200,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    password = forms.CharField(label=_("App password"), max_length=500,
                               help_text=_("Make an app password for Probono at your provider; never use your main "
                                           "password."),
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    all_day_blocks = forms.BooleanField(label=_("All-day events block the whole day"), required=False, initial=True,
                                        help_text=_("Turn this off if the calendar holds birthdays and reminders."))


class ChooseCalendarsForm(forms.Form):
    calendars = forms.MultipleChoiceField(label=_("Calendars that count as busy"), choices=(),
                                          widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, source, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calendars"].choices = [(c["url"], c["name"]) for c in source.available_calendars]
        self.fields["calendars"].initial = [c["url"] for c in source.calendars]
        self.fields["calendars"].widget.attrs["id"] = f"id_calendars_{source.pk}"
        self.prefix = f"s{source.pk}"


class SourceSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    all_day_blocks = forms.BooleanField(label=_("All-day events block the whole day"), required=False)
