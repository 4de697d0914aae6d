"""Reads a UBL 2.1 Invoice or CreditNote (EN 16931 binding) into a ``ReadDocument``.

Paths follow the EN 16931 UBL syntax binding (CEN/TS 16931-3-2); the exporter (``ubl.py``)
writes the same elements, so every term it writes is read back here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lxml import etree

from docmesh_document.einvoice.read_model import (
    ReadAllowanceCharge,
    ReadDocument,
    ReadLine,
    ReadParty,
    ReadPayment,
)
from docmesh_document.einvoice.read_xml import EInvoiceError, Reader, to_date, to_decimal

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

_R = Reader({"cac": _CAC, "cbc": _CBC})
_ONE = Decimal(1)


def _date(element: etree._Element | None, path: str, term: str) -> dt.date | None:
    return to_date(_R.text(element, path), term)


def _party(element: etree._Element | None) -> ReadParty:
    party = _R.first(element, "cac:Party")
    if party is None:
        return ReadParty()
    address = _R.first(party, "cac:PostalAddress")
    lines = [
        _R.text(address, "cbc:StreetName"),
        _R.text(address, "cbc:AdditionalStreetName"),
        *(
            _R.text(line, ".")
            for line in (_R.all(address, "cac:AddressLine/cbc:Line") if address is not None else [])
        ),
    ]
    out = ReadParty(
        name=_R.text(party, "cac:PartyName/cbc:Name")
        or _R.text(party, "cac:PartyLegalEntity/cbc:RegistrationName"),
        address_lines=[line for line in lines if line],
        postal_code=_R.text(address, "cbc:PostalZone"),
        city=_R.text(address, "cbc:CityName"),
        country_code=_R.text(address, "cac:Country/cbc:IdentificationCode"),
        company_id=_R.text(party, "cac:PartyLegalEntity/cbc:CompanyID"),
        endpoint_id=_R.text(party, "cbc:EndpointID"),
        endpoint_scheme=_R.attr(party, "cbc:EndpointID", "schemeID"),
        email=_R.text(party, "cac:Contact/cbc:ElectronicMail"),
        phone=_R.text(party, "cac:Contact/cbc:Telephone"),
    )
    for scheme in _R.all(party, "cac:PartyTaxScheme"):
        company_id = _R.text(scheme, "cbc:CompanyID")
        if _R.text(scheme, "cac:TaxScheme/cbc:ID").upper() == "VAT":
            out.vat_id = out.vat_id or company_id
        else:
            out.tax_id = out.tax_id or company_id
    return out


def _line(element: etree._Element, index: int, quantity_tag: str) -> ReadLine:
    where = f"invoice line {index}"
    quantity = _R.decimal(element, f"cbc:{quantity_tag}", f"{where}: quantity (BT-129)")
    price = _R.decimal(element, "cac:Price/cbc:PriceAmount", f"{where}: price (BT-146)")
    base = _R.decimal(element, "cac:Price/cbc:BaseQuantity", f"{where}: base quantity (BT-149)")
    if price is None:
        raise EInvoiceError(f"{where} has no price (BT-146)")
    if base is not None and base != _ONE:
        if base <= 0:
            raise EInvoiceError(f"{where} has a base quantity (BT-149) that is not positive")
        price = price / base
    category = _R.first(element, "cac:Item/cac:ClassifiedTaxCategory")
    line = ReadLine(
        description=_R.text(element, "cac:Item/cbc:Name") or _R.text(element, "cac:Item/cbc:Description"),
        quantity=quantity if quantity is not None else _ONE,
        unit_code=_R.attr(element, f"cbc:{quantity_tag}", "unitCode"),
        unit_price=price,
        category=_R.text(category, "cbc:ID"),
        rate=_R.decimal(category, "cbc:Percent", f"{where}: VAT rate (BT-152)"),
        sku=_R.text(element, "cac:Item/cac:SellersItemIdentification/cbc:ID"),
        net=_R.decimal(element, "cbc:LineExtensionAmount", f"{where}: net amount (BT-131)"),
    )
    for allowance in _R.all(element, "cac:AllowanceCharge"):
        amount = _R.decimal(allowance, "cbc:Amount", f"{where}: allowance or charge amount") or Decimal(0)
        if _R.text(allowance, "cbc:ChargeIndicator").lower() == "true":
            line.charges.append(amount)
        else:
            line.allowances.append((amount, _R.text(allowance, "cbc:AllowanceChargeReason")))
    return line


def _allowance_charge(element: etree._Element) -> ReadAllowanceCharge:
    charge = _R.text(element, "cbc:ChargeIndicator").lower() == "true"
    term = "BT-99 charge amount" if charge else "BT-92 allowance amount"
    return ReadAllowanceCharge(
        charge=charge,
        amount=_R.decimal(element, "cbc:Amount", term) or Decimal(0),
        reason=_R.text(element, "cbc:AllowanceChargeReason"),
        reason_code=_R.text(element, "cbc:AllowanceChargeReasonCode"),
        category=_R.text(element, "cac:TaxCategory/cbc:ID"),
        rate=_R.decimal(element, "cac:TaxCategory/cbc:Percent", f"{term}: VAT rate"),
    )


def _payment(root: etree._Element) -> ReadPayment | None:
    means = _R.first(root, "cac:PaymentMeans")
    if means is None:
        return None
    return ReadPayment(
        code=_R.text(means, "cbc:PaymentMeansCode"),
        account_id=_R.text(means, "cac:PayeeFinancialAccount/cbc:ID"),
        account_name=_R.text(means, "cac:PayeeFinancialAccount/cbc:Name"),
        bic=_R.text(means, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"),
        card_number=_R.text(means, "cac:CardAccount/cbc:PrimaryAccountNumberID"),
        card_holder=_R.text(means, "cac:CardAccount/cbc:HolderName"),
    )


def _tax_total(root: etree._Element, currency: str) -> etree._Element | None:
    """The TaxTotal in the document currency (a second one may state VAT in the tax currency)."""
    totals = _R.all(root, "cac:TaxTotal")
    for total in totals:
        if _R.attr(total, "cbc:TaxAmount", "currencyID").upper() in ("", currency):
            return total
    return totals[0] if totals else None


def read_ubl(root: etree._Element) -> ReadDocument:
    """The business terms of a parsed UBL Invoice or CreditNote root."""
    credit_note = etree.QName(root).namespace == CREDIT_NOTE_NS
    type_tag, line_tag, quantity_tag = (
        ("CreditNoteTypeCode", "CreditNoteLine", "CreditedQuantity")
        if credit_note
        else ("InvoiceTypeCode", "InvoiceLine", "InvoicedQuantity")
    )
    currency = _R.text(root, "cbc:DocumentCurrencyCode").upper()
    totals = _R.first(root, "cac:LegalMonetaryTotal")
    tax_total = _tax_total(root, currency)
    read = ReadDocument(
        syntax="ubl",
        type_code=_R.text(root, f"cbc:{type_tag}") or ("381" if credit_note else "380"),
        number=_R.text(root, "cbc:ID"),
        issue_date=_date(root, "cbc:IssueDate", "BT-2 issue date"),
        due_date=_date(root, "cbc:DueDate", "BT-9 due date")
        or _date(root, "cac:PaymentMeans/cbc:PaymentDueDate", "BT-9 due date"),
        currency_code=currency,
        notes=[_R.text(note, ".") for note in _R.all(root, "cbc:Note") if _R.text(note, ".")],
        buyer_reference=_R.text(root, "cbc:BuyerReference"),
        order_reference=_R.text(root, "cac:OrderReference/cbc:ID"),
        period_start=_date(root, "cac:InvoicePeriod/cbc:StartDate", "BT-73 period start"),
        period_end=_date(root, "cac:InvoicePeriod/cbc:EndDate", "BT-74 period end"),
        delivery_date=_date(root, "cac:Delivery/cbc:ActualDeliveryDate", "BT-72 delivery date"),
        preceding_number=_R.text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
        preceding_date=_date(
            root,
            "cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate",
            "BT-26 preceding invoice date",
        ),
        seller=_party(_R.first(root, "cac:AccountingSupplierParty")),
        buyer=_party(_R.first(root, "cac:AccountingCustomerParty")),
        payment=_payment(root),
        payment_terms=_R.text(root, "cac:PaymentTerms/cbc:Note"),
        lines=[
            _line(element, i, quantity_tag)
            for i, element in enumerate(_R.all(root, f"cac:{line_tag}"), start=1)
        ],
        allowances_charges=[_allowance_charge(element) for element in _R.all(root, "cac:AllowanceCharge")],
        prepaid=to_decimal(_R.text(totals, "cbc:PrepaidAmount"), "BT-113 paid amount"),
        tax_exclusive=to_decimal(_R.text(totals, "cbc:TaxExclusiveAmount"), "BT-109 tax-exclusive amount"),
        tax_total=to_decimal(_R.text(tax_total, "cbc:TaxAmount"), "BT-110 VAT total"),
        tax_inclusive=to_decimal(_R.text(totals, "cbc:TaxInclusiveAmount"), "BT-112 tax-inclusive amount"),
        payable=to_decimal(_R.text(totals, "cbc:PayableAmount"), "BT-115 amount due"),
    )
    for category in _R.all(tax_total, "cac:TaxSubtotal/cac:TaxCategory") if tax_total is not None else []:
        reason = (
            _R.text(category, "cbc:TaxExemptionReason"),
            _R.text(category, "cbc:TaxExemptionReasonCode"),
        )
        if any(reason):
            read.exemption_reasons.setdefault(_R.text(category, "cbc:ID").upper(), reason)
    return read
