"""Payment references a Nordic bank reads: the Swedish OCR number and the Danish FI-kort (FIK) code line.

Both use the modulus-10 check digit of Luhn (weights 2, 1, 2, … from the right, digit sums of the products):
Bankgirot calls it "10-modul", and the FI-kort's payment id (kortart 71) uses the same weights. The number
behind both is the invoice's place in its unbroken series, so a payment matches exactly one invoice.
"""

from accounts.validators import luhn_check_digit, luhn_is_valid

# Member states by the prefix of their VAT numbers (Greece writes EL). A buyer with one of these, in another
# country than the seller, is a reverse-charge sale (EU VAT directive art. 196; ML 1 kap. 2 §, momsloven § 46).
EU_VAT_PREFIXES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT", "LU",
    "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})

FIK_PAYMENT_ID_LENGTH = 15  # kortart 71: 14 digits and a check digit


def ocr_reference(base: int | str, *, length_digit: bool = True) -> str:
    """A Swedish OCR reference: `base`, then (optionally) a length digit, then the Luhn check digit.

    The length digit is the length of the whole reference, check digits included, modulo 10 (Bankgirot's
    "längdsiffra"), so a payer who drops or adds a digit is caught even when the check digit happens to fit.
    """
    digits = str(base)
    if length_digit:
        digits += str((len(digits) + 2) % 10)
    return digits + str(luhn_check_digit(digits))


def ocr_is_valid(reference: str, *, length_digit: bool = True) -> bool:
    if not luhn_is_valid(reference):
        return False
    return not length_digit or int(reference[-2]) == len(reference) % 10


def fik_payment_id(base: int | str) -> str:
    """The 15-digit payment id of a Danish FI-kort, kortart 71: `base` zero-padded to 14 digits + check digit."""
    digits = str(base).zfill(FIK_PAYMENT_ID_LENGTH - 1)
    if len(digits) != FIK_PAYMENT_ID_LENGTH - 1:
        raise ValueError("a kortart 71 payment id has at most 14 digits before its check digit")
    return digits + str(luhn_check_digit(digits))


def fik_code_line(payment_id: str, creditor_number: str) -> str:
    """The line a Danish payer types into the net bank: +71<payment id+creditor number<"""
    return f"+71<{payment_id}+{creditor_number}<"


def invoice_reference_base(*, year: int, sequence: int) -> str:
    """The digits both references are built from: the year and the invoice's place in the series."""
    return f"{year}{sequence:05d}"


def reverse_charge_applies(*, seller_country: str, buyer_vat_number: str) -> bool:
    """True for an EU business buyer (it has an EU VAT number) registered in another country than the seller."""
    prefix = buyer_vat_number[:2].upper()
    seller_prefix = "EL" if seller_country == "GR" else seller_country
    return prefix in EU_VAT_PREFIXES and prefix != seller_prefix
