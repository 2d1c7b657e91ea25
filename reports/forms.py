from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from reports.selectors import Period, month_period, quarter_period, year_period

MAX_CUSTOM_DAYS = 366 * 5


class PeriodForm(forms.Form):
    """The report's period, from GET parameters. Invalid input is shown as errors, never a crash."""

    PERIODS = [("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year")), ("custom", _("Custom dates"))]

    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, initial="month")
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    month = forms.TypedChoiceField(label=_("Month"), coerce=int, required=False, empty_value=None,
                                   choices=list(MONTHS.items()))
    quarter = forms.TypedChoiceField(label=_("Quarter"), coerce=int, required=False, empty_value=None,
                                     choices=[(i, f"Q{i}") for i in range(1, 5)])
    # <input type=date> takes only ISO dates, whatever the language's own date format.
    start = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    end = forms.DateField(label=_("To (inclusive)"), required=False,
                          widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def __init__(self, data=None, *, zone: str, **kwargs):
        self.zone = zone
        today = timezone.localdate()
        initial = {"period": "month", "year": today.year, "month": today.month, "quarter": (today.month - 1) // 3 + 1}
        if data is not None and not data.get("period"):
            data = None  # first visit: the current month
        super().__init__(data, initial=initial, **kwargs)
        if data is None:
            # Unbound: validate the defaults so `period()` works on the first visit.
            self.data = initial
            self.is_bound = True

    def clean(self):
        d = super().clean()
        kind = d.get("period")
        today = timezone.localdate()
        year = d.get("year") or today.year
        if kind == "month":
            d["range"] = month_period(date(year, d.get("month") or today.month, 1), self.zone)
        elif kind == "quarter":
            d["range"] = quarter_period(year, d.get("quarter") or (today.month - 1) // 3 + 1, self.zone)
        elif kind == "year":
            d["range"] = year_period(year, self.zone)
        elif kind == "custom":
            start, end = d.get("start"), d.get("end")
            if not start or not end:
                raise ValidationError(_("Choose both a start and an end date."), code="custom_incomplete")
            if start > end:
                raise ValidationError(_("The start date must not be after the end date."), code="custom_order")
            if end - start > timedelta(days=MAX_CUSTOM_DAYS):
                raise ValidationError(_("Choose at most five years."), code="custom_too_long")
            d["range"] = Period(start, end, self.zone)
        return d

    def get_period(self) -> Period | None:
        return self.cleaned_data.get("range") if self.is_valid() else None
