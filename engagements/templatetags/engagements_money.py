"""`{{ amount_minor|money:currency }}` → "12 500,00 SEK" in the viewer's locale. Integer in, no floats."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def money(amount_minor, currency: str = "") -> str:
    if amount_minor is None or amount_minor == "":
        return ""
    major = Decimal(int(amount_minor)).scaleb(-2)  # exact: minor units → major, as a Decimal
    text = number_format(major, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{text}\u00a0{currency}".strip()
