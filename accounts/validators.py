"""Organisation numbers and time zones.

Swedish organisationsnummer: ten digits (NNNNNN-NNNN), the last a Luhn check digit.
Danish CVR: eight digits, weighted 2,7,6,5,4,3,2,1, the sum divisible by 11.
"""

import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def luhn_check_digit(digits: str) -> int:
    """The modulus-10 (Luhn) check digit for `digits`, which must not yet contain it. Organisation numbers here;
    invoices' OCR and FI-kort references (engagements/references.py) use the same."""
    if not digits.isdigit():
        raise ValueError("only digits have a check digit")
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def luhn_is_valid(number: str) -> bool:
    return len(number) > 1 and number.isdigit() and luhn_check_digit(number[:-1]) == int(number[-1])


def normalize_org_number(country: str, value: str) -> str:
    """Return the canonical form of `value` for `country`, or raise ValidationError."""
    value = (value or "").strip()
    if not value:
        return ""
    digits = re.sub(r"[\s\-]", "", value)
    if country == "SE":
        if len(digits) == 12 and digits[:2] in {"16", "19", "20"}:
            digits = digits[2:]  # a century prefix is sometimes written out
        if not re.fullmatch(r"\d{10}", digits) or not luhn_is_valid(digits):
            raise ValidationError(
                _("A Swedish organisation number has ten digits, like 556677-8899, and a valid check digit."),
                code="invalid_se",
            )
        return f"{digits[:6]}-{digits[6:]}"
    if country == "DK":
        if digits.upper().startswith("DK"):
            digits = digits[2:]
        weights = (2, 7, 6, 5, 4, 3, 2, 1)
        if not re.fullmatch(r"\d{8}", digits) or sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11:
            raise ValidationError(
                _("A Danish CVR number has eight digits, like 10150817, and must pass the CVR check."),
                code="invalid_dk",
            )
        return digits
    if len(value) > 32:
        raise ValidationError(_("An organisation number has at most 32 characters."), code="too_long")
    return value


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value}, code="invalid_tz")
