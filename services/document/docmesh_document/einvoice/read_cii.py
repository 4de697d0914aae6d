"""Reads a UN/CEFACT CII D16B invoice (EN 16931 binding, as Factur-X / ZUGFeRD / XRechnung
carry it) into a ``ReadDocument``. TypeCode 381 is a credit note, with positive amounts like
UBL's CreditNote."""

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

CII_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
_R = Reader(
    {
        "rsm": CII_NS,
        "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
        "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
        "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    }
)
_ONE = Decimal(1)


def _date(element: etree._Element | None, path: str, term: str) -> dt.date | None:
    found = _R.first(element, path)
    if found is None:
        return None
    text = _R.text(found, ".")
    fmt = found.get("format", "102")
    if fmt != "102":
        raise EInvoiceError(f"{term} is in date format {fmt[:10]!r}; EN 16931 uses 102 (YYYYMMDD)")
    return to_date(text, term, compact=True)


def _indicator(element: etree._Element) -> bool:
    return _R.text(element, "ram:ChargeIndicator/udt:Indicator").lower() == "true"


def _party(party: etree._Element | None) -> ReadParty:
    if party is None:
        return ReadParty()
    address = _R.first(party, "ram:PostalTradeAddress")
    lines = [_R.text(address, f"ram:Line{n}") for n in ("One", "Two", "Three")]
    out = ReadParty(
        name=_R.text(party, "ram:Name"),
        address_lines=[line for line in lines if line],
        postal_code=_R.text(address, "ram:PostcodeCode"),
        city=_R.text(address, "ram:CityName"),
        country_code=_R.text(address, "ram:CountryID"),
        company_id=_R.text(party, "ram:SpecifiedLegalOrganization/ram:ID"),
        endpoint_id=_R.text(party, "ram:URIUniversalCommunication/ram:URIID"),
        endpoint_scheme=_R.attr(party, "ram:URIUniversalCommunication/ram:URIID", "schemeID"),
        email=_R.text(party, "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID"),
        phone=_R.text(
            party, "ram:DefinedTradeContact/ram:TelephoneUniversalCommunication/ram:CompleteNumber"
        ),
    )
    for registration in _R.all(party, "ram:SpecifiedTaxRegistration/ram:ID"):
        value = _R.text(registration, ".")
        if (registration.get("schemeID") or "").upper() == "VA":
            out.vat_id = out.vat_id or value
        else:
            out.tax_id = out.tax_id or value
    return out


def _line(element: etree._Element, index: int) -> ReadLine:
    where = f"invoice line {index}"
    net = _R.first(element, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice")
    price = _R.decimal(net, "ram:ChargeAmount", f"{where}: price (BT-146)")
    if price is None:
        raise EInvoiceError(f"{where} has no net price (BT-146)")
    base = _R.decimal(net, "ram:BasisQuantity", f"{where}: base quantity (BT-149)")
    if base is not None and base != _ONE:
        if base <= 0:
            raise EInvoiceError(f"{where} has a base quantity (BT-149) that is not positive")
        price = price / base
    quantity_path = "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"
    quantity = _R.decimal(element, quantity_path, f"{where}: quantity (BT-129)")
    settlement = _R.first(element, "ram:SpecifiedLineTradeSettlement")
    tax = _R.first(settlement, "ram:ApplicableTradeTax")
    line = ReadLine(
        description=_R.text(element, "ram:SpecifiedTradeProduct/ram:Name"),
        quantity=quantity if quantity is not None else _ONE,
        unit_code=_R.attr(element, quantity_path, "unitCode"),
        unit_price=price,
        category=_R.text(tax, "ram:CategoryCode"),
        rate=_R.decimal(tax, "ram:RateApplicablePercent", f"{where}: VAT rate (BT-152)"),
        sku=_R.text(element, "ram:SpecifiedTradeProduct/ram:SellerAssignedID"),
        net=_R.decimal(
            settlement,
            "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
            f"{where}: net amount (BT-131)",
        ),
    )
    for allowance in (
        _R.all(settlement, "ram:SpecifiedTradeAllowanceCharge") if settlement is not None else []
    ):
        amount = _R.decimal(allowance, "ram:ActualAmount", f"{where}: allowance or charge amount") or Decimal(
            0
        )
        if _indicator(allowance):
            line.charges.append(amount)
        else:
            line.allowances.append((amount, _R.text(allowance, "ram:Reason")))
    return line


def _allowance_charge(element: etree._Element) -> ReadAllowanceCharge:
    charge = _indicator(element)
    term = "BT-99 charge amount" if charge else "BT-92 allowance amount"
    tax = _R.first(element, "ram:CategoryTradeTax")
    return ReadAllowanceCharge(
        charge=charge,
        amount=_R.decimal(element, "ram:ActualAmount", term) or Decimal(0),
        reason=_R.text(element, "ram:Reason"),
        reason_code=_R.text(element, "ram:ReasonCode"),
        category=_R.text(tax, "ram:CategoryCode"),
        rate=_R.decimal(tax, "ram:RateApplicablePercent", f"{term}: VAT rate"),
    )


def _payment(settlement: etree._Element | None) -> ReadPayment | None:
    means = _R.first(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
    if means is None:
        return None
    account = _R.first(means, "ram:PayeePartyCreditorFinancialAccount")
    return ReadPayment(
        code=_R.text(means, "ram:TypeCode"),
        account_id=_R.text(account, "ram:IBANID") or _R.text(account, "ram:ProprietaryID"),
        account_name=_R.text(account, "ram:AccountName"),
        bic=_R.text(means, "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
        card_number=_R.text(means, "ram:ApplicableTradeSettlementFinancialCard/ram:ID"),
        card_holder=_R.text(means, "ram:ApplicableTradeSettlementFinancialCard/ram:CardholderName"),
    )


def _tax_total(totals: etree._Element | None, currency: str) -> Decimal | None:
    """BT-110: the TaxTotalAmount in the document currency (BT-111 may repeat it in another)."""
    amounts = _R.all(totals, "ram:TaxTotalAmount") if totals is not None else []
    for amount in amounts:
        if (amount.get("currencyID") or "").upper() in ("", currency):
            return to_decimal(_R.text(amount, "."), "BT-110 VAT total")
    return None


def read_cii(root: etree._Element) -> ReadDocument:
    """The business terms of a parsed CII CrossIndustryInvoice root."""
    header = _R.first(root, "rsm:ExchangedDocument")
    transaction = _R.first(root, "rsm:SupplyChainTradeTransaction")
    agreement = _R.first(transaction, "ram:ApplicableHeaderTradeAgreement")
    delivery = _R.first(transaction, "ram:ApplicableHeaderTradeDelivery")
    settlement = _R.first(transaction, "ram:ApplicableHeaderTradeSettlement")
    totals = _R.first(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    terms = _R.first(settlement, "ram:SpecifiedTradePaymentTerms")
    preceding = _R.first(settlement, "ram:InvoiceReferencedDocument")
    currency = _R.text(settlement, "ram:InvoiceCurrencyCode").upper()
    notes = (
        [_R.text(note, "ram:Content") for note in _R.all(header, "ram:IncludedNote")]
        if header is not None
        else []
    )
    read = ReadDocument(
        syntax="cii",
        type_code=_R.text(header, "ram:TypeCode") or "380",
        number=_R.text(header, "ram:ID"),
        issue_date=_date(header, "ram:IssueDateTime/udt:DateTimeString", "BT-2 issue date"),
        due_date=_date(terms, "ram:DueDateDateTime/udt:DateTimeString", "BT-9 due date"),
        currency_code=currency,
        notes=[note for note in notes if note],
        buyer_reference=_R.text(agreement, "ram:BuyerReference"),
        order_reference=_R.text(agreement, "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
        period_start=_date(
            settlement, "ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString", "BT-73"
        ),
        period_end=_date(
            settlement, "ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString", "BT-74"
        ),
        delivery_date=_date(
            delivery,
            "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString",
            "BT-72 delivery date",
        ),
        preceding_number=_R.text(preceding, "ram:IssuerAssignedID"),
        preceding_date=_date(
            preceding, "ram:FormattedIssueDateTime/qdt:DateTimeString", "BT-26 preceding invoice date"
        ),
        seller=_party(_R.first(agreement, "ram:SellerTradeParty")),
        buyer=_party(_R.first(agreement, "ram:BuyerTradeParty")),
        payment=_payment(settlement),
        payment_terms=_R.text(terms, "ram:Description"),
        lines=[
            _line(element, i)
            for i, element in enumerate(
                _R.all(transaction, "ram:IncludedSupplyChainTradeLineItem")
                if transaction is not None
                else [],
                start=1,
            )
        ],
        allowances_charges=[
            _allowance_charge(element)
            for element in (
                _R.all(settlement, "ram:SpecifiedTradeAllowanceCharge") if settlement is not None else []
            )
        ],
        prepaid=to_decimal(_R.text(totals, "ram:TotalPrepaidAmount"), "BT-113 paid amount"),
        tax_exclusive=to_decimal(_R.text(totals, "ram:TaxBasisTotalAmount"), "BT-109 tax-exclusive amount"),
        tax_total=_tax_total(totals, currency),
        tax_inclusive=to_decimal(_R.text(totals, "ram:GrandTotalAmount"), "BT-112 tax-inclusive amount"),
        payable=to_decimal(_R.text(totals, "ram:DuePayableAmount"), "BT-115 amount due"),
    )
    for tax in _R.all(settlement, "ram:ApplicableTradeTax") if settlement is not None else []:
        reason = (_R.text(tax, "ram:ExemptionReason"), _R.text(tax, "ram:ExemptionReasonCode"))
        if any(reason):
            read.exemption_reasons.setdefault(_R.text(tax, "ram:CategoryCode").upper(), reason)
    return read
