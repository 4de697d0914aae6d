"""Reading received e-invoices: UBL 2.1, CII D16B and Factur-X PDFs into the one invoice model,
hostile input refused, and a document that does not add up refused rather than changed."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from docmesh_common.model.invoice import DocumentKind, Invoice, PaymentMeansCode, PrecedingInvoice, Tax
from docmesh_common.model.vat import VatCategory
from docmesh_document.einvoice.cii import to_cii
from docmesh_document.einvoice.read_einvoice import read_einvoice
from docmesh_document.einvoice.read_xml import MAX_EINVOICE_BYTES, EInvoiceError
from docmesh_document.einvoice.terms import Profile
from docmesh_document.einvoice.ubl import to_ubl
from tests.document.einvoice_cases import CASES
from tests.document.einvoice_inputs import HOSTILE, XXE, business_content, facturx_pdf, plain_pdf

D = Decimal
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS = {"cac": CAC, "cbc": CBC}
STANDARD = CASES[0]  # EUR, S at 19 % and 7 %
EXEMPT_WITH_EXTRAS = CASES[2 * 6 + 1]  # E, EUR, discount and shipping


def _id(invoice: Invoice) -> str:
    return f"{invoice.number}-{invoice.currency_code}"


def _credit_note(invoice: Invoice) -> Invoice:
    return invoice.model_copy(
        update={
            "kind": DocumentKind.CREDIT_NOTE,
            "number": invoice.number.replace("INV", "CN"),
            "preceding_invoice": PrecedingInvoice(number=invoice.number, issue_date=dt.date(2026, 2, 1)),
        }
    )


def _edited_ubl(invoice: Invoice, edit) -> bytes:  # type: ignore[no-untyped-def]
    root = etree.fromstring(to_ubl(invoice))
    edit(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _refusal(content: bytes, content_type: str = "") -> str:
    with pytest.raises(EInvoiceError) as caught:
        read_einvoice(content, content_type)
    return str(caught.value)


# --- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("invoice", CASES, ids=_id)
def test_a_ubl_export_imported_exports_the_same_business_content(invoice: Invoice) -> None:
    imported, syntax = read_einvoice(to_ubl(invoice), "application/xml")
    assert syntax == "ubl"
    assert business_content(to_ubl(imported)) == business_content(to_ubl(invoice))


@pytest.mark.parametrize("invoice", CASES, ids=_id)
def test_a_cii_export_imported_exports_the_same_business_content(invoice: Invoice) -> None:
    imported, syntax = read_einvoice(to_cii(invoice), "application/xml")
    assert syntax == "cii"
    assert business_content(to_cii(imported)) == business_content(to_cii(invoice))


@pytest.mark.parametrize("profile", list(Profile), ids=str)
@pytest.mark.parametrize("write", [to_ubl, to_cii], ids=["ubl", "cii"])
def test_an_export_under_each_profile_round_trips_under_it(write: Any, profile: Profile) -> None:
    invoice = CASES[0]  # buyer reference, seller endpoint and e-mail: what Peppol and XRechnung add
    imported, _ = read_einvoice(write(invoice, profile))
    assert business_content(write(imported, profile)) == business_content(write(invoice, profile))


@pytest.mark.parametrize("invoice", CASES[::6], ids=_id)
def test_a_ubl_credit_note_round_trips_with_its_preceding_invoice(invoice: Invoice) -> None:
    credit = _credit_note(invoice)
    imported, _ = read_einvoice(to_ubl(credit))
    assert imported.kind is DocumentKind.CREDIT_NOTE
    assert imported.preceding_invoice == credit.preceding_invoice
    assert business_content(to_ubl(imported)) == business_content(to_ubl(credit))


@pytest.mark.parametrize("invoice", CASES[::6], ids=_id)
def test_a_cii_credit_note_type_381_round_trips(invoice: Invoice) -> None:
    credit = _credit_note(invoice)
    imported, _ = read_einvoice(to_cii(credit))
    assert imported.kind is DocumentKind.CREDIT_NOTE
    assert business_content(to_cii(imported)) == business_content(to_cii(credit))


# --- what is read --------------------------------------------------------------------------


def test_the_parties_are_read_with_address_ids_and_electronic_address() -> None:
    imported, _ = read_einvoice(to_ubl(STANDARD))
    seller = imported.seller
    assert (seller.name, seller.address_lines, seller.postal_code, seller.city, seller.country_code) == (
        "Acme GmbH",
        ["Hauptstr. 1", "Hinterhaus"],
        "10115",
        "Berlin",
        "DE",
    )
    assert (seller.vat_id, seller.company_id, seller.endpoint_id, seller.endpoint_scheme) == (
        "DE123456789",
        "HRB 12345",
        "DE123456789",
        "9930",
    )
    assert seller.email == "billing@acme.example"
    assert (imported.buyer.name, imported.buyer.vat_id) == ("Client SARL", "FR12345678901")


def test_a_rate_with_trailing_zeros_is_a_plain_number() -> None:
    twenty = STANDARD.model_copy(
        update={
            "line_items": STANDARD.line_items[:1],
            "taxes": [Tax(name="VAT", rate_percent=D("20.00"))],
        }
    )
    imported, _ = read_einvoice(to_cii(twenty))
    assert str(imported.taxes[0].rate_percent) == "20"


def test_trailing_zeros_of_a_price_are_not_precision() -> None:
    def zeros(root: etree._Element) -> None:
        root.find("cac:InvoiceLine/cac:Price/cbc:PriceAmount", NS).text = "95.5500000"  # type: ignore[union-attr]

    imported, _ = read_einvoice(_edited_ubl(STANDARD, zeros))
    assert str(imported.line_items[0].unit_price) == "95.55"


def test_a_price_finer_than_the_model_holds_is_refused_naming_the_line() -> None:
    def fine(root: etree._Element) -> None:
        root.find("cac:InvoiceLine/cac:Price/cbc:PriceAmount", NS).text = "95.550001"  # type: ignore[union-attr]

    message = _refusal(_edited_ubl(STANDARD, fine))
    assert "invoice line 1 unit_price" in message and "4 decimal places" in message


def test_a_tax_number_sent_as_the_vat_identifier_is_the_tax_registration() -> None:
    def tax_number(root: etree._Element) -> None:
        path = "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID"
        root.find(path, NS).text = "37/302/30168"  # type: ignore[union-attr]

    imported, _ = read_einvoice(_edited_ubl(STANDARD, tax_number))
    assert (imported.seller.vat_id, imported.seller.tax_id) == ("", "37/302/30168")


def test_each_standard_rate_is_a_vat_tax_the_lines_name() -> None:
    imported, _ = read_einvoice(to_cii(STANDARD))
    assert [(t.name, t.rate_percent) for t in imported.taxes] == [("VAT 7%", D(7)), ("VAT 19%", D(19))]
    assert [line.tax_names for line in imported.line_items] == [["VAT 19%"], ["VAT 7%"]]


def test_one_standard_rate_is_a_tax_named_vat() -> None:
    one_rate = STANDARD.model_copy(update={"line_items": STANDARD.line_items[:1]})
    imported, _ = read_einvoice(to_ubl(one_rate))
    assert [(t.name, t.rate_percent) for t in imported.taxes] == [("VAT", D(19))]


def test_an_exempt_line_keeps_its_category_and_exemption_reason() -> None:
    imported, _ = read_einvoice(to_ubl(EXEMPT_WITH_EXTRAS))
    line = imported.line_items[0]
    assert line.vat_category is VatCategory.EXEMPT
    assert line.vat_exemption_reason == "Exempt from VAT"
    assert imported.taxes == []


def test_a_line_allowance_is_the_lines_discount_with_its_reason() -> None:
    imported, _ = read_einvoice(to_ubl(EXEMPT_WITH_EXTRAS))
    discount = imported.line_items[0].discount
    assert discount is not None
    assert (discount.amount, discount.description) == (D("246.91"), "Trade-in")


def test_a_document_allowance_is_a_discount_and_untaxed_shipping_is_shipping() -> None:
    imported, _ = read_einvoice(to_cii(EXEMPT_WITH_EXTRAS))
    assert [(d.amount, d.description) for d in imported.discounts] == [(D("77.78"), "Discount")]
    assert imported.shipping == D("12.34")


def test_dates_references_terms_and_notes_are_read() -> None:
    invoice = CASES[0]  # number 1: a buyer reference and notes
    imported, _ = read_einvoice(to_ubl(invoice))
    assert (imported.number, imported.issue_date, imported.due_date, imported.delivery_date) == (
        "INV-2026-0001",
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
        dt.date(2026, 2, 27),
    )
    assert (imported.payment_terms, imported.buyer_reference, imported.notes) == (
        "Net 30",
        "04011000-12345-34",
        "Thank you.",
    )


def test_a_credit_transfer_keeps_its_iban_and_bic() -> None:
    invoice = CASES[2]  # number 3: credit transfer
    imported, _ = read_einvoice(to_cii(invoice))
    assert imported.payment_means is not None
    assert imported.payment_means.code is PaymentMeansCode.CREDIT_TRANSFER
    assert (imported.payment_means.iban, imported.payment_means.bic) == (
        "DE89370400440532013000",
        "COBADEFFXXX",
    )


def test_a_card_payment_keeps_only_the_last_digits() -> None:
    invoice = CASES[0]  # number 1: card
    imported, _ = read_einvoice(to_ubl(invoice))
    assert imported.payment_means is not None
    assert (imported.payment_means.code, imported.payment_means.card_last_digits) == (
        PaymentMeansCode.CARD,
        "4242",
    )


def test_a_payment_means_code_without_a_model_form_is_kept_as_text_with_its_account() -> None:
    def undefined_means(root: etree._Element) -> None:
        root.find("cac:PaymentMeans/cbc:PaymentMeansCode", NS).text = "1"  # type: ignore[union-attr]

    imported, _ = read_einvoice(_edited_ubl(CASES[2], undefined_means))  # number 3: credit transfer
    assert imported.payment_means is None
    assert imported.payment_method == "Payment means code 1 (UNTDID 4461), account DE89370400440532013000"


def test_an_account_that_is_not_a_valid_iban_is_kept_as_text_not_refused() -> None:
    def proprietary_account(root: etree._Element) -> None:
        root.find("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", NS).text = "DK1212341234123412"  # type: ignore[union-attr]

    imported, _ = read_einvoice(_edited_ubl(CASES[2], proprietary_account))
    assert imported.payment_means is None
    assert imported.payment_method == "Credit transfer to account DK1212341234123412, BIC COBADEFFXXX"


def test_unit_codes_become_the_units_the_exporter_maps_back() -> None:
    imported, _ = read_einvoice(to_ubl(STANDARD))
    assert [line.unit for line in imported.line_items] == ["hours", ""]


def test_a_taxed_charge_becomes_a_line_of_its_own() -> None:
    def add_packing(root: etree._Element) -> None:
        charge = etree.Element(f"{{{CAC}}}AllowanceCharge")
        for tag, text in (
            ("ChargeIndicator", "true"),
            ("AllowanceChargeReason", "Packing"),
            ("Amount", "10.00"),
        ):
            etree.SubElement(charge, f"{{{CBC}}}{tag}").text = text
        charge.find("cbc:Amount", NS).set("currencyID", "EUR")  # type: ignore[union-attr]
        category = etree.SubElement(charge, f"{{{CAC}}}TaxCategory")
        etree.SubElement(category, f"{{{CBC}}}ID").text = "S"
        etree.SubElement(category, f"{{{CBC}}}Percent").text = "19"
        etree.SubElement(etree.SubElement(category, f"{{{CAC}}}TaxScheme"), f"{{{CBC}}}ID").text = "VAT"
        root.find("cac:TaxTotal", NS).addprevious(charge)  # type: ignore[union-attr]
        totals = root.find("cac:LegalMonetaryTotal", NS)
        tax = root.find("cac:TaxTotal/cbc:TaxAmount", NS)
        for element, more in (
            (tax, D("1.90")),
            (totals.find("cbc:TaxExclusiveAmount", NS), D(10)),  # type: ignore[union-attr]
            (totals.find("cbc:TaxInclusiveAmount", NS), D("11.90")),  # type: ignore[union-attr]
            (totals.find("cbc:PayableAmount", NS), D("11.90")),  # type: ignore[union-attr]
        ):
            element.text = format(D(element.text) + more, "f")  # type: ignore[union-attr]

    imported, _ = read_einvoice(_edited_ubl(STANDARD, add_packing))
    last = imported.line_items[-1]
    assert (last.description, last.unit_price, last.tax_names) == ("Packing", D(10), ["VAT 19%"])
    assert imported.shipping is None


# --- refusals ------------------------------------------------------------------------------


def test_totals_that_do_not_add_up_are_refused_saying_what_they_came_to() -> None:
    def overcharge(root: etree._Element) -> None:
        root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS).text = "9999.99"  # type: ignore[union-attr]

    message = _refusal(_edited_ubl(STANDARD, overcharge))
    assert "totals do not add up" in message
    assert "9999.99" in message and "docmesh computes" in message


def test_a_line_whose_net_amount_contradicts_its_price_is_refused_naming_it() -> None:
    def contradiction(root: etree._Element) -> None:
        root.find("cac:InvoiceLine/cbc:LineExtensionAmount", NS).text = "177.41"  # type: ignore[union-attr]

    assert "invoice line 1: 3 × 95.55 comes to 286.65, but the file says 177.41" in _refusal(
        _edited_ubl(STANDARD, contradiction)
    )


def test_a_line_charge_is_refused() -> None:
    def line_charge(root: etree._Element) -> None:
        allowance = root.find("cac:InvoiceLine/cac:AllowanceCharge/cbc:ChargeIndicator", NS)
        if allowance is None:
            raise AssertionError("the case has no line allowance")
        allowance.text = "true"

    assert "line charge" in _refusal(_edited_ubl(EXEMPT_WITH_EXTRAS, line_charge))


def test_amounts_too_large_to_compute_are_refused() -> None:
    def huge(root: etree._Element) -> None:
        root.find("cac:InvoiceLine/cbc:InvoicedQuantity", NS).text = "99999999999999"  # type: ignore[union-attr]
        root.find("cac:InvoiceLine/cac:Price/cbc:PriceAmount", NS).text = "99999999999999"  # type: ignore[union-attr]

    assert "too large" in _refusal(_edited_ubl(STANDARD, huge))


NASTY = [
    "",
    "-1",
    "1e30",
    "99999999999999",
    "NaN",
    "Infinity",
    "abc",
    "9" * 40,
    "2026-13-45",
    "0",
    "0.00001",
    "XX",
    "381",
    "true",
]


@settings(max_examples=300, deadline=None)
@given(case=st.sampled_from(CASES), ubl=st.booleans(), seed=st.integers(0, 2**32))
def test_a_mutated_export_is_read_or_refused_never_anything_else(case: Invoice, ubl: bool, seed: int) -> None:
    rnd = random.Random(seed)
    root = etree.fromstring((to_ubl if ubl else to_cii)(case))
    for _ in range(rnd.randint(1, 4)):
        element = rnd.choice(list(root.iter())[1:])
        parent = element.getparent()
        if rnd.random() < 0.3 and parent is not None:
            parent.remove(element)
        elif element.attrib and rnd.random() < 0.3:
            element.set(rnd.choice(list(element.attrib)), rnd.choice(NASTY))
        else:
            element.text = rnd.choice(NASTY)
    try:
        read_einvoice(etree.tostring(root))
    except EInvoiceError as error:
        assert str(error)


def test_a_line_without_a_vat_category_is_refused_naming_the_line() -> None:
    def no_category(root: etree._Element) -> None:
        category = root.find("cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory", NS)
        category.getparent().remove(category)  # type: ignore[union-attr]

    assert "invoice line 1 has no VAT category" in _refusal(_edited_ubl(STANDARD, no_category))


def _deduction(amount: str) -> Callable[[etree._Element], None]:
    """A second line of quantity -1 at ``amount`` ("Abzug"), with the totals it makes."""

    def edit(root: etree._Element) -> None:
        lines = root.findall("cac:InvoiceLine", NS)
        deduction = etree.fromstring(etree.tostring(lines[0]))
        deduction.find("cbc:ID", NS).text = "99"  # type: ignore[union-attr]
        deduction.find("cbc:InvoicedQuantity", NS).text = "-1"  # type: ignore[union-attr]
        deduction.find("cbc:LineExtensionAmount", NS).text = f"-{amount}"  # type: ignore[union-attr]
        deduction.find("cac:Item/cbc:Name", NS).text = "Abzug"  # type: ignore[union-attr]
        deduction.find("cac:Price/cbc:PriceAmount", NS).text = amount  # type: ignore[union-attr]
        for allowance in deduction.findall("cac:AllowanceCharge", NS):
            deduction.remove(allowance)
        lines[-1].addnext(deduction)
        totals = root.find("cac:LegalMonetaryTotal", NS)
        for tag in ("LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount", "PayableAmount"):
            element = totals.find(f"cbc:{tag}", NS)  # type: ignore[union-attr]
            element.text = format(D(element.text) - D(amount), "f")  # type: ignore[union-attr, arg-type]

    return edit


def test_a_negative_line_is_a_whole_document_discount_named_after_it() -> None:
    # One exempt line: the deduction changes no VAT, so the file's totals hold.
    imported, _ = read_einvoice(_edited_ubl(CASES[2 * 6], _deduction("100.00")))
    assert [(d.amount, d.description) for d in imported.discounts] == [(D("100.00"), "Abzug")]
    assert len(imported.line_items) == 1


def test_a_negative_line_that_would_move_vat_between_rates_is_refused_saying_why() -> None:
    message = _refusal(_edited_ubl(STANDARD, _deduction("10.00")))
    assert "totals do not add up" in message and "negative lines" in message


def test_a_negative_quantity_at_a_positive_price_with_an_allowance_is_refused() -> None:
    def negative(root: etree._Element) -> None:
        root.find("cac:InvoiceLine/cbc:InvoicedQuantity", NS).text = "-2"  # type: ignore[union-attr]

    assert "positive quantities" in _refusal(_edited_ubl(EXEMPT_WITH_EXTRAS, negative))


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_or_malformed_input_is_refused(name: str) -> None:
    content, content_type = HOSTILE[name]
    assert _refusal(content, content_type)


def test_an_external_entity_is_never_resolved() -> None:
    message = _refusal(XXE)
    assert "DOCTYPE" in message
    assert "root:" not in message


def test_a_file_over_10_mb_is_refused_before_parsing() -> None:
    content = b"<x>" + b" " * MAX_EINVOICE_BYTES + b"</x>"
    assert "limit" in _refusal(content)


def test_a_factur_x_pdf_is_read_from_its_embedded_cii() -> None:
    imported, syntax = read_einvoice(facturx_pdf(to_cii(STANDARD)), "application/pdf")
    assert syntax == "factur-x"
    assert business_content(to_cii(imported)) == business_content(to_cii(STANDARD))


def test_a_pdf_without_an_embedded_invoice_is_refused() -> None:
    assert "no embedded e-invoice" in _refusal(plain_pdf(), "application/pdf")


def test_a_pdf_content_type_on_xml_is_refused() -> None:
    assert "not a PDF" in _refusal(to_ubl(STANDARD), "application/pdf")
