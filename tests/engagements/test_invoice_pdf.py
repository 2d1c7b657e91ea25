"""Invoices a Swedish or Danish bookkeeper accepts: every required field in the PDF (read back from its text),
the same fields on the HTML page, payment references with correct check digits, reverse charge, the PDF in
the mail."""

import re

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Company
from engagements import references
from engagements.invoice_pdf import invoice_pdf
from engagements.models import Invoice, SellerSettings
from engagements.services import engagement_accept
from tests.factories import EngagementFactory, HeldBookingFactory, MembershipFactory

pytestmark = pytest.mark.django_db

TODAY = "2026-12-04 10:00:00+01:00"


def pdf_text(data: bytes) -> str:
    """The text of an uncompressed fpdf2 PDF: every string shown with Tj, one per line, unescaped."""
    assert data.startswith(b"%PDF-")
    shown = re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", data)
    assert shown, "no text found: was the content stream compressed?"
    lines = [re.sub(rb"\\(.)", rb"\1", s).decode("latin-1") for s in shown]
    return "\n".join(line.replace("\xa0", " ") for line in lines)


# --- Check digits against published examples -------------------------------------------------------
@pytest.mark.parametrize("digits, check", [
    ("7992739871", 3),   # the Luhn example of Wikipedia ("Luhn algorithm")
    ("640823323", 4),    # Skatteverket's example personnummer 640823-3234 (OCR uses the same 10-modul)
    ("556036079", 3),    # Volvo's organisationsnummer 556036-0793
])
def test_the_luhn_check_digit_matches_published_examples(digits, check):
    assert references.luhn_check_digit(digits) == check
    assert references.luhn_is_valid(digits + str(check))
    assert not references.luhn_is_valid(digits + str((check + 1) % 10))


def test_an_ocr_reference_ends_in_length_and_check_digit():
    # Bankgirot's layout "5 + 2": five digits, a length digit 7 (the reference has 7 digits), then Luhn.
    assert references.ocr_reference("12345") == "1234574"
    assert references.ocr_is_valid("1234574")
    assert not references.ocr_is_valid("1234564")  # wrong length digit, even with a recomputed check digit
    assert not references.ocr_is_valid("1234573")
    # Ten or more digits: the length digit drops the tens ("12" → 2).
    assert references.ocr_reference("2026000012") == "202600001228"
    assert references.ocr_reference("12345", length_digit=False) == "123455"


@pytest.mark.parametrize("payment_id", ["026840149965328", "000006535361999"])
def test_the_fik_payment_id_matches_published_examples(payment_id):
    # The valid kortart 71 numbers in the test suite of CPAN's Business::DK::FI.
    assert references.fik_payment_id(payment_id[:-1].lstrip("0")) == payment_id
    assert references.luhn_is_valid(payment_id)
    assert references.fik_code_line(payment_id, "81234567") == f"+71<{payment_id}+81234567<"


def test_a_fik_payment_id_has_at_most_fourteen_digits_before_its_check_digit():
    with pytest.raises(ValueError):
        references.fik_payment_id("1" * 15)


@pytest.mark.parametrize("seller, buyer_vat, expected", [
    ("SE", "DK12345678", True), ("SE", "DE123456789", True), ("DK", "SE556677889901", True),
    ("SE", "SE556677889901", False), ("DK", "DK12345678", False), ("SE", "", False), ("SE", "NO123456789MVA", False),
    ("SE", "GB123456789", False),
])
def test_reverse_charge_only_for_eu_businesses_in_another_country(seller, buyer_vat, expected):
    assert references.reverse_charge_applies(seller_country=seller, buyer_vat_number=buyer_vat) is expected


# --- Invoices end to end ---------------------------------------------------------------------------
def _seller(country="SE", **extra):
    fields = dict(
        legal_name="Probono Nordic AB", address="Storgatan 1\n111 22 Stockholm", country=country,
        org_number="556036-0793", vat_number="SE556036079301", f_tax=True, email="faktura@probono.test",
        bankgiro="5050-1055", plusgiro="", iban="SE4550000000058398257466", bic="ESSESESS",
        fi_creditor_number="81234567", ocr_length_digit=True)
    fields.update(extra)
    SellerSettings.objects.update_or_create(pk=1, defaults=fields)


def _accept(*, company_kwargs, currency="SEK", amount_minor=1_000_200, language="en"):
    booking = HeldBookingFactory()
    Company.objects.filter(pk=booking.company_id).update(**company_kwargs)
    booking.company.refresh_from_db()
    booking.booked_by.language = language
    booking.booked_by.save(update_fields=["language"])
    engagement = EngagementFactory(booking=booking, amount_minor=amount_minor, currency=currency,
                                   title="Customer journey workshop")
    engagement_accept(engagement=engagement, by=booking.booked_by)
    return Invoice.objects.get(payment__engagement=engagement), booking.booked_by


SWEDISH_BUYER = dict(name="Bostadsbolaget i Lidköping AB", country="SE", org_number="556677-8899",
                     billing_address="Box 12\n531 21 Lidköping", vat_number="SE556677889901")
DANISH_BUYER = dict(name="Hygge Møbler ApS", country="DK", org_number="12345674",
                    billing_address="Åboulevarden 1\n8000 Aarhus C", vat_number="DK12345674")


@time_machine.travel(TODAY, tick=False)
def test_a_swedish_invoice_pdf_has_every_field_swedish_practice_requires(no_stripe, client):
    _seller("SE")
    invoice, member = _accept(company_kwargs=SWEDISH_BUYER)
    client.force_login(member)
    response = client.get(reverse("engagements:invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in [
        "Probono Nordic AB", "Storgatan 1", "111 22 Stockholm", "556036-0793", "SE556036079301",
        "Godkänd för F-skatt",                                                    # seller
        "Bostadsbolaget i Lidköping AB", "Box 12", "531 21 Lidköping", "556677-8899", "SE556677889901",  # buyer
        "2026-00001", "2026-12-04", "2027-01-03",                                # number, invoice and due date
        "10,002.00 SEK", "VAT 25 % on 10,002.00 SEK", "2,500.50 SEK", "12,502.50 SEK",  # VAT per rate, currency
        "5050-1055", "SE4550000000058398257466", "ESSESESS",                     # bankgiro, IBAN, BIC
    ]:
        assert expected in text, expected
    # year 2026, number 00001, length digit 1 (11 digits), check digit 0 (worked by hand)
    assert invoice.ocr_reference == "20260000110"
    assert references.ocr_is_valid(invoice.ocr_reference)
    assert f"OCR reference\n{invoice.ocr_reference}" in text
    assert "Reverse charge" not in text and "+71<" not in text


@time_machine.travel(TODAY, tick=False)
def test_a_danish_buyer_of_a_swedish_seller_gets_a_reverse_charge_invoice_with_a_fik_line(no_stripe, client):
    _seller("SE")
    invoice, member = _accept(company_kwargs=DANISH_BUYER, currency="DKK", language="da")
    assert invoice.reverse_charge and invoice.vat_minor == 0 and invoice.vat_rate_bp == 0
    assert invoice.payment.vat_minor == 0 and invoice.total_minor == 1_000_200
    text = pdf_text(invoice_pdf(invoice=invoice, language="da"))
    assert "Reverse charge / Omvänd betalningsskyldighet" in text
    assert "DK12345674" in text and "Åboulevarden 1" in text and "Hygge Møbler ApS" in text
    assert "0,00 DKK" in text and "10.002,00 DKK" in text  # Danish number format, no VAT
    assert invoice.fik_payment_id == references.fik_payment_id("202600001")
    assert references.luhn_is_valid(invoice.fik_payment_id) and len(invoice.fik_payment_id) == 15
    assert f"+71<{invoice.fik_payment_id}+81234567<" in text
    assert "Faktura 2026-00001" in text  # labels in the buyer's language where a translation exists


@time_machine.travel(TODAY, tick=False)
def test_a_danish_seller_writes_the_danish_reverse_charge_words_and_charges_danish_vat_at_home(no_stripe):
    _seller("DK", legal_name="Probono ApS", org_number="12345674", vat_number="DK12345674", f_tax=False)
    swedish, _m = _accept(company_kwargs={**SWEDISH_BUYER, "org_number": "556036-0793"}, currency="SEK")
    danish, _m = _accept(company_kwargs={**DANISH_BUYER, "org_number": "87654321", "vat_number": ""},
                         currency="DKK")
    swedish_text = pdf_text(invoice_pdf(invoice=swedish, language="sv"))
    assert "Reverse charge / Omvendt betalingspligt" in swedish_text
    assert "Godkänd för F-skatt" not in swedish_text
    assert not danish.reverse_charge and danish.vat_minor == 250_050
    danish_text = pdf_text(invoice_pdf(invoice=danish, language="da"))
    assert "2.500,50 DKK" in danish_text and "12.502,50 DKK" in danish_text
    assert "Reverse charge" not in danish_text


@time_machine.travel(TODAY, tick=False)
def test_numbers_and_references_run_in_one_unbroken_series(no_stripe):
    _seller("SE")
    invoices = [_accept(company_kwargs={"vat_number": ""})[0] for _ in range(3)]
    assert [i.number for i in invoices] == ["2026-00001", "2026-00002", "2026-00003"]
    assert len({i.ocr_reference for i in invoices}) == 3
    assert all(references.ocr_is_valid(i.ocr_reference) for i in invoices)


@time_machine.travel(TODAY, tick=False)
def test_a_later_change_of_seller_details_does_not_rewrite_a_sent_invoice(no_stripe):
    _seller("SE")
    invoice, _m = _accept(company_kwargs=SWEDISH_BUYER)
    _seller("SE", bankgiro="9999-9999", legal_name="Renamed AB")
    text = pdf_text(invoice_pdf(invoice=Invoice.objects.get(pk=invoice.pk), language="en"))
    assert "5050-1055" in text and "Probono Nordic AB" in text and "9999-9999" not in text


@time_machine.travel(TODAY, tick=False)
def test_the_html_invoice_shows_the_same_fields(no_stripe, client):
    _seller("SE")
    invoice, member = _accept(company_kwargs=DANISH_BUYER, currency="DKK")
    client.force_login(member)
    page = client.get(reverse("engagements:invoice", args=[invoice.pk])).content.decode()
    for expected in ["Probono Nordic AB", "Storgatan 1", "556036-0793", "SE556036079301", "Godkänd för F-skatt",
                     "Hygge Møbler ApS", "Åboulevarden 1", "DK12345674", "2026-00001", "2026-12-04", "2027-01-03",
                     "Reverse charge / Omvänd betalningsskyldighet", f"+71&lt;{invoice.fik_payment_id}+81234567&lt;",
                     "SE4550000000058398257466", "ESSESESS", reverse("engagements:invoice_pdf", args=[invoice.pk])]:
        assert expected in page, expected


@time_machine.travel(TODAY, tick=False)
def test_the_invoice_mail_carries_the_pdf(no_stripe, django_capture_on_commit_callbacks, mailoutbox):
    _seller("SE")
    with django_capture_on_commit_callbacks(execute=True):
        invoice, member = _accept(company_kwargs=SWEDISH_BUYER)
    mail = next(m for m in mailoutbox if m.to == [member.email] and invoice.number in m.body)
    assert invoice.ocr_reference in mail.body
    [(filename, content, mimetype)] = mail.attachments
    assert filename == f"invoice-{invoice.number}.pdf" and mimetype == "application/pdf"
    text = pdf_text(content)
    assert invoice.number in text and "Bostadsbolaget i Lidköping AB" in text and invoice.ocr_reference in text


def test_the_pdf_is_404_for_outsiders(no_stripe, client):
    invoice, member = _accept(company_kwargs={})
    url = reverse("engagements:invoice_pdf", args=[invoice.pk])
    client.force_login(MembershipFactory().user)
    assert client.get(url).status_code == 404
    client.force_login(member)
    assert client.get(url).status_code == 200


def test_staff_edit_the_seller_in_the_admin_and_bad_numbers_are_refused(staff_user, client):
    client.force_login(staff_user)
    url = reverse("admin:engagements_sellersettings_add")
    data = {"legal_name": "Probono AB", "address": "Storgatan 1", "country": "SE", "org_number": "556036-0793",
            "vat_number": "se 556036079301", "f_tax": "on", "email": "", "bankgiro": "5050-1055", "plusgiro": "",
            "iban": "SE45 5000 0000 0583 9825 7467", "bic": "ESSESESS", "fi_creditor_number": "1234",
            "ocr_length_digit": "on"}
    page = client.post(url, data).content.decode()
    assert "This is not a valid IBAN." in page and "A FI creditor number has 8 digits." in page
    data.update(iban="SE45 5000 0000 0583 9825 7466", fi_creditor_number="81234567")
    assert client.post(url, data).status_code == 302
    seller = SellerSettings.current()
    assert seller.iban == "SE4550000000058398257466" and seller.vat_number == "SE556036079301"
    assert client.get(url).status_code == 403  # one row only


def test_the_owner_gives_the_billing_address_and_vat_number_on_the_company_page(client):
    membership = MembershipFactory(role="owner")
    owner, company = membership.user, membership.company
    client.force_login(owner)
    data = {"company_name": company.name, "country": "DK", "org_number": "", "industry": "retail", "size": "10-49",
            "billing_address": "Åboulevarden 1\r\n8000 Aarhus C", "vat_number": "12345674"}
    page = client.post(reverse("accounts:company"), data).content.decode()
    assert "two-letter country prefix" in page
    data["vat_number"] = "dk 1234 5674"
    assert client.post(reverse("accounts:company"), data).status_code == 302
    company.refresh_from_db()
    assert company.vat_number == "DK12345674" and company.billing_address == "Åboulevarden 1\r\n8000 Aarhus C"
