"""The invoice as a PDF, drawn with fpdf2.

Why fpdf2 and not WeasyPrint: fpdf2 is pure Python (no Pango/Cairo from the system, nothing for `.ci/run` to
install, the same output on every machine), small, maintained, and an invoice is a fixed, simple layout that
gains little from HTML/CSS. It uses the PDF core font Helvetica, whose Latin-1 covers Swedish and Danish
(å ä ö æ ø); anything outside Latin-1 is replaced by a close ASCII form rather than failing. Content streams
are written uncompressed: an invoice is a few kilobytes either way, and the text stays findable in the bytes.

Labels follow the recipient's language; the legal notes (F-skatt, reverse charge) are printed in the seller
country's own words as well, because those are the words a Swedish or Danish bookkeeper looks for.
"""

from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from engagements.models import Invoice
from engagements.templatetags.engagements_money import money

REPLACEMENTS = {"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                "\u2026": "...", "\u2192": "->", "\u202f": " ", "\u2212": "-"}

# The wording each country's VAT law asks for on a reverse-charge invoice, with the EU directive's English.
REVERSE_CHARGE_WORDS = {"SE": "Omvänd betalningsskyldighet", "DK": "Omvendt betalingspligt"}


def _latin1(text: str) -> str:
    text = "".join(REPLACEMENTS.get(ch, ch) for ch in str(text))
    return text.encode("latin-1", "replace").decode("latin-1")


def _iso(d: date) -> str:
    return d.isoformat()


def payment_lines(invoice: Invoice) -> list[tuple[str, str]]:
    """(label, value) pairs telling the buyer how to pay: the giro accounts and OCR for SEK, the FI-kort line
    for DKK, IBAN/BIC for every currency (foreign payers need them), and always the invoice number."""
    seller = invoice.seller
    rows: list[tuple[str, str]] = []
    if invoice.currency == "SEK":
        if seller.get("bankgiro"):
            rows.append((_("Bankgiro"), seller["bankgiro"]))
        if seller.get("plusgiro"):
            rows.append((_("Plusgiro"), seller["plusgiro"]))
        if invoice.ocr_reference:
            rows.append((_("OCR reference"), invoice.ocr_reference))
    if invoice.currency == "DKK" and invoice.fik_code_line:
        rows.append((_("FI-kort (FIK)"), invoice.fik_code_line))
    if seller.get("iban"):
        rows.append((_("IBAN"), seller["iban"]))
    if seller.get("bic"):
        rows.append((_("BIC"), seller["bic"]))
    if invoice.currency == "EUR" and invoice.ocr_reference:
        rows.append((_("Payment reference"), invoice.ocr_reference))
    return rows


def reverse_charge_note(invoice: Invoice) -> str:
    if not invoice.reverse_charge:
        return ""
    local = REVERSE_CHARGE_WORDS.get(invoice.seller.get("country", ""), "")
    return " / ".join(filter(None, ["Reverse charge", local]))


class _InvoicePDF(FPDF):
    def footer(self):
        self.set_y(-15)
        self.set_font("Helvetica", size=8)
        self.cell(0, 5, _latin1(_("Page %(page)s") % {"page": self.page_no()}), align="C")


def invoice_pdf(*, invoice: Invoice, language: str) -> bytes:
    """The invoice as PDF bytes, labelled in `language`."""
    with translation.override(language):
        return bytes(_draw(invoice))


def _draw(invoice: Invoice) -> bytearray:
    seller = invoice.seller
    pdf = _InvoicePDF(format="A4")
    pdf.set_compression(False)
    pdf.set_title(_latin1(_("Invoice %(number)s") % {"number": invoice.number}))
    pdf.set_author(_latin1(seller.get("legal_name", "")))
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    width = pdf.epw

    def line(text: str, *, size: int = 10, bold: bool = False, h: float = 5):
        pdf.set_font("Helvetica", style="B" if bold else "", size=size)
        pdf.multi_cell(width, h, _latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def pair(label: str, value: str, *, bold: bool = False):
        pdf.set_font("Helvetica", size=10)
        pdf.cell(55, 6, _latin1(label))
        pdf.set_font("Helvetica", style="B" if bold else "", size=10)
        pdf.multi_cell(width - 55, 6, _latin1(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    line(_("Invoice %(number)s") % {"number": invoice.number}, size=18, bold=True, h=9)
    pdf.ln(2)

    # Seller
    line(seller.get("legal_name", ""), bold=True)
    for address_line in invoice.seller_address_lines:
        line(address_line)
    if seller.get("org_number"):
        line(_("Organisation number: %(number)s") % {"number": seller["org_number"]})
    if seller.get("vat_number"):
        line(_("VAT number: %(number)s") % {"number": seller["vat_number"]})
    if seller.get("country") == "SE" and seller.get("f_tax"):
        line("Godkänd för F-skatt")
    if seller.get("email"):
        line(seller["email"])
    pdf.ln(4)

    # Buyer
    line(_("Bill to"), bold=True)
    line(invoice.company_name)
    for address_line in invoice.company_address_lines:
        line(address_line)
    if invoice.company_org_number:
        line(_("Organisation number: %(number)s") % {"number": invoice.company_org_number})
    if invoice.company_vat_number:
        line(_("VAT number: %(number)s") % {"number": invoice.company_vat_number})
    pdf.ln(4)

    pair(_("Invoice number"), invoice.number, bold=True)
    pair(_("Invoice date"), _iso(invoice.issued_on))
    pair(_("Due date"), _iso(invoice.due_on), bold=True)
    pair(_("Currency"), invoice.currency)
    pdf.ln(4)

    # Lines and VAT per rate
    pdf.set_font("Helvetica", style="B", size=10)
    pdf.cell(width - 45, 7, _latin1(_("Description")), border="B")
    pdf.cell(45, 7, _latin1(_("Amount excl. VAT")), border="B", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=10)
    pdf.cell(width - 45, 7, _latin1(invoice.description))
    pdf.cell(45, 7, _latin1(money(invoice.amount_minor, invoice.currency)), align="R",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(width - 45, 7, _latin1(_("Consultant: %(name)s") % {"name": invoice.seller_name}))
    pdf.ln(9)
    pair(_("Total excl. VAT"), money(invoice.amount_minor, invoice.currency))
    pair(_("VAT %(rate)s %% on %(basis)s") % {"rate": invoice.vat_percent,
                                              "basis": money(invoice.amount_minor, invoice.currency)},
         money(invoice.vat_minor, invoice.currency))
    pair(_("Total to pay"), money(invoice.total_minor, invoice.currency), bold=True)
    note = reverse_charge_note(invoice)
    if note:
        pdf.ln(2)
        line(note, bold=True)
        line(_("VAT is accounted for by the buyer (VAT number %(number)s), art. 196 Directive 2006/112/EC.")
             % {"number": invoice.company_vat_number})
    pdf.ln(4)

    # How to pay
    line(_("Payment"), bold=True)
    for label, value in payment_lines(invoice):
        pair(label, value, bold=True)
    pdf.ln(2)
    line(_("Please pay by %(date)s and quote the reference above (or invoice number %(number)s).")
         % {"date": _iso(invoice.due_on), "number": invoice.number}, size=9)
    return pdf.output()
