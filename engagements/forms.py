import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagements.models import Currency, GapItem


class GapReportForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Two or three sentences on where the company stands."))
    recommendations = forms.CharField(label=_("Recommendations"), required=False, widget=forms.Textarea)
    next_steps = forms.CharField(label=_("Next steps"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class GapItemForm(forms.Form):
    title = forms.CharField(label=_("Gap"), max_length=200, required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=GapItem.Priority.choices,
                                 initial=GapItem.Priority.MEDIUM)
    detail = forms.CharField(label=_("Detail"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        # A row without a name is dropped ("leave a gap empty to drop it"), so a detail typed under no name
        # would be lost without a word; ask for the name instead.
        if cleaned.get("detail", "").strip() and not cleaned.get("title", "").strip():
            self.add_error("title", _("Give the gap a short name, or clear its detail to drop it."))
        return cleaned


# absolute_max: a tampered TOTAL_FORMS never makes the server build (and render) 1,030 forms.
GapItemFormSet = forms.formset_factory(GapItemForm, extra=3, max_num=30, validate_max=True, absolute_max=30)


def _to_minor(value: Decimal) -> int:
    return int((value * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


class EngagementForm(forms.Form):
    """Prices are typed in major units ("12 500" or "12500.50") and stored as integer minor units."""

    title = forms.CharField(label=_("Title"), max_length=200)
    scope = forms.CharField(label=_("Scope"), widget=forms.Textarea,
                            help_text=_("What you will deliver, how, and by when."))
    amount = forms.DecimalField(label=_("Price excl. VAT"), min_value=Decimal("0.01"), max_digits=12,
                                decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    vat_percent = forms.DecimalField(label=_("VAT rate (%)"), initial=Decimal("25"), max_digits=5, decimal_places=2,
                                     validators=[MinValueValidator(0), MaxValueValidator(100)])
    valid_until = forms.DateField(label=_("Valid until"),
                                  widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def clean_valid_until(self):
        value = self.cleaned_data["valid_until"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The valid-until date must not be in the past."))
        return value

    def clean(self):
        data = super().clean()
        try:
            if data.get("amount") is not None:
                data["amount_minor"] = _to_minor(data["amount"])
            if data.get("vat_percent") is not None:
                data["vat_rate_bp"] = _to_minor(data["vat_percent"])
        except InvalidOperation:
            raise forms.ValidationError(_("Enter a valid number.")) from None
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {"title": d["title"], "scope": d["scope"], "amount_minor": d["amount_minor"],
                "currency": d["currency"], "vat_rate_bp": d["vat_rate_bp"], "valid_until": d["valid_until"]}

    @classmethod
    def initial_from(cls, engagement) -> dict:
        return {"title": engagement.title, "scope": engagement.scope,
                "amount": Decimal(engagement.amount_minor) / 100, "currency": engagement.currency,
                "vat_percent": Decimal(engagement.vat_rate_bp) / 100, "valid_until": engagement.valid_until}


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why not? (optional)"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("The consultant reads this; it helps them make a better offer next time."))


class MonthFilterForm(forms.Form):
    month = forms.CharField(label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"}))

    def clean_month(self):
        value = self.cleaned_data["month"]
        if not value:
            return None
        try:
            year, month = (int(x) for x in value.split("-"))
            return datetime.date(year, month, 1)
        except (ValueError, TypeError, OverflowError):  # "0-3000000000" overflows date()
            raise forms.ValidationError(_("Choose a month.")) from None
