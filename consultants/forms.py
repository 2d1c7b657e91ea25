from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.forms import time_zone_choices
from consultants.meeting import MeetingKind, PlaceCountry, place_clean, video_rooms_enabled
from consultants.models import AvailabilityRule, Blackout, Expertise, HolidayCountry, Language
from consultants.origins import MAX_WIDGET_ORIGINS, origins_clean
from consultants.photos import photo_normalize


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Name shown to companies"), max_length=150)
    headline = forms.CharField(label=_("Headline"), max_length=200, required=False,
                               help_text=_("One line, e.g. “Customer experience lead, 15 years in banking”."))
    bio = forms.CharField(label=_("About you"), widget=forms.Textarea, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    time_zone = forms.ChoiceField(label=_("Your time zone"), choices=time_zone_choices,
                                  help_text=_("Your availability rules are read in this zone."))
    expertise = forms.MultipleChoiceField(label=_("Areas of expertise"), choices=Expertise.choices, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    languages = forms.MultipleChoiceField(label=_("Languages you hold sessions in"), choices=Language.choices,
                                          required=False, widget=forms.CheckboxSelectMultiple)
    photo = forms.FileField(label=_("Photo"), required=False,
                            help_text=_("JPEG, PNG or WebP, at most 2 MB. It is shown on your public profile."),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    remove_photo = forms.BooleanField(label=_("Remove my current photo"), required=False)
    is_public = forms.BooleanField(label=_("Show my profile in the directory"), required=False)
    show_nps = forms.BooleanField(
        label=_("Show my NPS from companies on my profile"), required=False,
        help_text=_("The score companies give after their sessions, with the number of answers. Shown once at "
                    "least five companies have answered."))

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        return photo_normalize(upload) if upload else None


class SettingsForm(forms.Form):
    requires_approval = forms.BooleanField(
        label=_("Approve each free-session request myself"), required=False,
        help_text=_("When off, a company's booking of a free slot is confirmed at once."))
    publish_ahead_days = forms.IntegerField(
        label=_("Publish next month this many days before it starts"), min_value=1, max_value=60,
        help_text=_("Your slots for next month are generated from your rules and published automatically, and "
                    "you get an e-mail summary."))


class WidgetOriginsForm(forms.Form):
    """The websites that may show the consultant's booking widget, one a line (consultants/origins.py checks them)."""

    widget_origins = forms.CharField(
        label=_("Websites that may show your booking widget"), required=False, max_length=2500,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "off"}),
        help_text=format_lazy(_("One a line, like https://www.example.se (no path), at most {max}. Empty: the widget "
                                "cannot be shown on any website."), max=MAX_WIDGET_ORIGINS))

    def clean_widget_origins(self) -> list[str]:
        try:
            return origins_clean(self.cleaned_data["widget_origins"].splitlines())
        except ValidationError as e:
            raise forms.ValidationError(e.messages) from None


class MeetingPlaceForm(forms.Form):
    """The consultant's default meeting place (settings page). Checked by consultants.meeting.place_clean."""

    place_kind = forms.ChoiceField(label=_("How you meet companies"), widget=forms.RadioSelect,
                                   choices=[c for c in MeetingKind.choices if c[0]])
    place_video_url = forms.CharField(
        label=_("Your video link"), max_length=500, required=False,
        help_text=_("Your personal room in Zoom, Teams, Google Meet, Whereby, Jitsi … (https://). Only the "
                    "companies that book you see it."),
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "url"}))
    place_phone = forms.CharField(
        label=_("Your phone number"), max_length=32, required=False,
        help_text=_("When the company calls you. Swedish and Danish numbers as you write them at home, "
                    "others with +country code."), widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    place_street = forms.CharField(label=_("Street address"), max_length=200, required=False)
    place_postcode = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    place_city = forms.CharField(label=_("City"), max_length=100, required=False,
                                 help_text=_("Your public profile shows the city, never the street."))
    place_country = forms.ChoiceField(label=_("Country"), required=False,
                                      choices=[("", "—")] + list(PlaceCountry.choices))
    place_directions = forms.CharField(label=_("Directions (optional)"), max_length=500, required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}),
                                       help_text=_("E.g. “Second floor, ring the bell marked Lindqvist.”"))

    def __init__(self, *args, phone_region: str = "SE", **kwargs):
        super().__init__(*args, **kwargs)
        self.phone_region = phone_region
        if not video_rooms_enabled():
            self.fields["place_kind"].choices = [c for c in self.fields["place_kind"].choices
                                                 if c[0] != MeetingKind.VIDEO_ROOM]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data.update(place_clean(data, phone_region=self.phone_region))
            return data
        except forms.ValidationError as e:
            for name, messages in e.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        return data


class RuleForm(forms.ModelForm):
    class Meta:
        model = AvailabilityRule
        fields = ["kind", "ordinal", "weekday", "on_date", "start_time", "end_time", "session_minutes",
                  "buffer_minutes", "is_active"]
        widgets = {
            "on_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "ordinal": _("For a monthly rule: first, second, third, fourth or last."),
            "weekday": _("For a monthly or weekly rule."),
            "on_date": _("For a single date."),
        }

    def __init__(self, *args, today=None, **kwargs):
        # `today` is the consultant's own date: a single-date rule before it would make no slot at all.
        self.today = today
        super().__init__(*args, **kwargs)
        self.fields["ordinal"].required = False
        self.fields["weekday"].required = False

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == AvailabilityRule.Kind.MONTHLY:
            for name in ("ordinal", "weekday"):
                if data.get(name) is None:
                    self.add_error(name, _("A monthly rule needs this."))
        elif kind == AvailabilityRule.Kind.WEEKLY and data.get("weekday") is None:
            self.add_error("weekday", _("A weekly rule needs a weekday."))
        elif kind == AvailabilityRule.Kind.DATE and not data.get("on_date"):
            self.add_error("on_date", _("Choose the date."))
        elif (kind == AvailabilityRule.Kind.DATE and self.today and data["on_date"] < self.today
              and data["on_date"] != self.instance.on_date):  # an old rule may still be edited as it is
            self.add_error("on_date", _("That date has passed. Choose today or a later date."))
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and start >= end:
            self.add_error("end_time", _("The end must be after the start."))
        return data

    def _post_clean(self):
        # The service clears the fields a kind does not use before the model's own checks run.
        pass


class BlackoutForm(forms.ModelForm):
    """Time off: one date or a range; the whole day, or from–until on each of its dates."""

    class Meta:
        model = Blackout
        fields = ["start_date", "end_date", "start_time", "end_time", "note"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {"end_date": _("Empty: the first day only."),
                      "start_time": _("Empty: the whole day. With times: from–until on each day.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].required = False

    def clean(self):
        data = super().clean()
        start = data.get("start_date")
        if start and not data.get("end_date"):
            data["end_date"] = start
        if start and data.get("end_date") and data["end_date"] < start:
            self.add_error("end_date", _("The last day cannot be before the first day."))
        for name in ("start_date", "end_date"):
            if data.get(name) and not 2000 <= data[name].year <= 2100:
                self.add_error(name, _("Choose a date between 2000 and 2100."))
        a, b = data.get("start_time"), data.get("end_time")
        if (a is None) != (b is None):
            self.add_error("end_time", _("Give both times, or neither for the whole day."))
        elif a is not None and a >= b:
            self.add_error("end_time", _("The end must be after the start."))
        return data

    def _post_clean(self):
        pass


class OverrideForm(forms.Form):
    """'On this date, my hours are … instead' (up to three windows) or 'not available'."""

    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    unavailable = forms.BooleanField(label=_("Not available that day"), required=False)
    start_1 = forms.TimeField(label=_("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    end_1 = forms.TimeField(label=_("Until"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    start_2 = forms.TimeField(label=_("And from"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    end_2 = forms.TimeField(label=_("Until"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    start_3 = forms.TimeField(label=_("And from"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    end_3 = forms.TimeField(label=_("Until"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def clean_day(self):
        day = self.cleaned_data["day"]
        if not 2000 <= day.year <= 2100:
            raise forms.ValidationError(_("Choose a date between 2000 and 2100."))
        return day

    def clean(self):
        data = super().clean()
        windows = []
        for i in (1, 2, 3):
            a, b = data.get(f"start_{i}"), data.get(f"end_{i}")
            if a is None and b is None:
                continue
            if a is None or b is None:
                self.add_error(f"end_{i}", _("Give both times."))
            elif a >= b:
                self.add_error(f"end_{i}", _("The end must be after the start."))
            else:
                windows.append((a, b))
        windows.sort()
        if any(windows[i][1] > windows[i + 1][0] for i in range(len(windows) - 1)):
            self.add_error(None, _("The times must not overlap."))
        if not windows and not data.get("unavailable") and not self.errors:
            self.add_error(None, _("Give the hours for that date, or tick “Not available that day”."))
        data["windows"] = [] if data.get("unavailable") else windows
        return data


class LimitsForm(forms.Form):
    min_notice_hours = forms.IntegerField(
        label=_("Minimum notice (hours)"), min_value=0, max_value=24 * 60,
        help_text=_("No session is offered that starts sooner than this (counted in real hours)."))
    booking_window_days = forms.IntegerField(
        label=_("Bookable at most this many days ahead"), min_value=1, max_value=365, required=False,
        help_text=_("Empty: everything you have published can be booked."))
    monthly_cap = forms.IntegerField(label=_("At most this many booked free sessions a month"), min_value=1,
                                     max_value=200, required=False, help_text=_("Empty: no limit."))
    weekly_cap = forms.IntegerField(label=_("… a week"), min_value=1, max_value=100, required=False)
    daily_cap = forms.IntegerField(label=_("… a day"), min_value=1, max_value=50, required=False)
    holiday_country = forms.ChoiceField(label=_("Public holidays of"), choices=HolidayCountry.choices,
                                        required=False)
    skip_holidays = forms.BooleanField(label=_("No sessions on public holidays"), required=False)

    @classmethod
    def initial_for(cls, consultant) -> dict:
        window = consultant.booking_window
        return {"min_notice_hours": int(consultant.min_notice.total_seconds() // 3600),
                "booking_window_days": window.days if window else None,
                "monthly_cap": consultant.monthly_cap, "weekly_cap": consultant.weekly_cap,
                "daily_cap": consultant.daily_cap, "holiday_country": consultant.holiday_country,
                "skip_holidays": consultant.skip_holidays}

    def limits(self) -> dict:
        """The cleaned data as consultant_update_limits takes it."""
        d = self.cleaned_data
        days = d.get("booking_window_days")
        return {"min_notice": timedelta(hours=d["min_notice_hours"]),
                "booking_window": timedelta(days=days) if days else None,
                "monthly_cap": d.get("monthly_cap"), "weekly_cap": d.get("weekly_cap"),
                "daily_cap": d.get("daily_cap"), "holiday_country": d.get("holiday_country") or "",
                "skip_holidays": d.get("skip_holidays", False)}


class SlotAddForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    start = forms.TimeField(label=_("Start time"), widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}))
    minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=15, max_value=480, initial=60)

    def clean_day(self):
        day = self.cleaned_data["day"]
        if not 2000 <= day.year <= 2100:  # also keeps zone conversion away from datetime's limits
            raise forms.ValidationError(_("Choose a date between 2000 and 2100."))
        return day


class DirectoryFilterForm(forms.Form):
    expertise = forms.ChoiceField(label=_("Expertise"), required=False,
                                  choices=[("", _("Any expertise"))] + list(Expertise.choices))
    language = forms.ChoiceField(label=_("Language"), required=False,
                                 choices=[("", _("Any language"))] + list(Language.choices))
    free_this_month = forms.BooleanField(label=_("Has a free slot this month"), required=False)
