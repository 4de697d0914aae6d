"""UN/CEFACT CII D16B (EN 16931 profile, as Factur-X embeds it), built with lxml.

The same business terms as ``ubl``: every amount from ``vat_breakdown``, identifiers from
``terms``; element order follows the D16B schema's sequences. A credit note has TypeCode 381
and names the invoice it corrects (BG-3) as the settlement's ``InvoiceReferencedDocument``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lxml import etree

from docmesh_common.model.invoice import Invoice, Party, PaymentMeansCode
from docmesh_common.model.totals import VatBreakdown, vat_breakdown
from docmesh_common.model.vat import VatCategory
from docmesh_document.einvoice.terms import (
    CUSTOMIZATION_IDS,
    PROFILE_IDS,
    Profile,
    check_kind,
    tax_registration_id,
    type_code,
    unit_code,
    vat_id,
)

_RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
_RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
_UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
_QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
_NSMAP = {"rsm": _RSM, "ram": _RAM, "udt": _UDT, "qdt": _QDT}


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{_NSMAP[prefix]}}}{name}", attrs)
    if text is not None:
        element.text = text
    return element


def _date(parent: etree._Element, tag: str, value: dt.date) -> None:
    _el(_el(parent, tag), "udt:DateTimeString", value.strftime("%Y%m%d"), format="102")


def _num(value: Decimal) -> str:
    return format(value, "f")


class _Writer:
    def __init__(self, invoice: Invoice, breakdown: VatBreakdown, profile: Profile) -> None:
        self.invoice = invoice
        self.b = breakdown
        self.profile = profile
        self.outside = any(c is VatCategory.OUTSIDE_SCOPE for c, _ in breakdown.line_categories)

    def party(self, parent: etree._Element, tag: str, p: Party) -> None:
        party = _el(parent, tag)
        _el(party, "ram:Name", p.name)
        if p.company_id:
            _el(_el(party, "ram:SpecifiedLegalOrganization"), "ram:ID", p.company_id)
        if p.email or p.phone:
            contact = _el(party, "ram:DefinedTradeContact")
            if self.profile is Profile.XRECHNUNG and tag == "ram:SellerTradeParty":
                _el(contact, "ram:PersonName", p.name)  # BR-DE-5: XRechnung wants a contact point (BT-41)
            if p.phone:
                _el(_el(contact, "ram:TelephoneUniversalCommunication"), "ram:CompleteNumber", p.phone)
            if p.email:
                _el(_el(contact, "ram:EmailURIUniversalCommunication"), "ram:URIID", p.email)
        address = _el(party, "ram:PostalTradeAddress")
        if p.postal_code:
            _el(address, "ram:PostcodeCode", p.postal_code)
        for tag_name, line in zip(("ram:LineOne", "ram:LineTwo"), p.address_lines, strict=False):
            _el(address, tag_name, line)
        if len(p.address_lines) > 2:
            _el(address, "ram:LineThree", ", ".join(p.address_lines[2:]))
        if p.city:
            _el(address, "ram:CityName", p.city)
        _el(address, "ram:CountryID", p.country_code)
        if p.endpoint_id:
            _el(
                _el(party, "ram:URIUniversalCommunication"),
                "ram:URIID",
                p.endpoint_id,
                schemeID=p.endpoint_scheme,
            )
        # BR-O-02: an invoice outside the scope of VAT names no VAT identifiers.
        if vat_id(p) and not self.outside:
            _el(_el(party, "ram:SpecifiedTaxRegistration"), "ram:ID", vat_id(p), schemeID="VA")
        if tax_registration_id(p) and tag == "ram:SellerTradeParty":
            _el(_el(party, "ram:SpecifiedTaxRegistration"), "ram:ID", tax_registration_id(p), schemeID="FC")

    def category(self, parent: etree._Element, category: VatCategory, rate: Decimal) -> None:
        _el(parent, "ram:CategoryCode", category.value)
        if category is not VatCategory.OUTSIDE_SCOPE:  # BR-O-05
            _el(parent, "ram:RateApplicablePercent", _num(rate))

    def document(self) -> etree._Element:
        inv = self.invoice
        root = etree.Element(f"{{{_RSM}}}CrossIndustryInvoice", nsmap=_NSMAP)
        context = _el(root, "rsm:ExchangedDocumentContext")
        if self.profile in PROFILE_IDS:
            process = _el(context, "ram:BusinessProcessSpecifiedDocumentContextParameter")
            _el(process, "ram:ID", PROFILE_IDS[self.profile])
        guideline = _el(context, "ram:GuidelineSpecifiedDocumentContextParameter")
        _el(guideline, "ram:ID", CUSTOMIZATION_IDS[self.profile])
        header = _el(root, "rsm:ExchangedDocument")
        _el(header, "ram:ID", inv.number)
        _el(header, "ram:TypeCode", type_code(inv))
        if inv.issue_date:
            _date(header, "ram:IssueDateTime", inv.issue_date)
        if inv.notes:
            _el(_el(header, "ram:IncludedNote"), "ram:Content", inv.notes)
        transaction = _el(root, "rsm:SupplyChainTradeTransaction")
        self.lines(transaction)
        agreement = _el(transaction, "ram:ApplicableHeaderTradeAgreement")
        if inv.buyer_reference:
            _el(agreement, "ram:BuyerReference", inv.buyer_reference)
        self.party(agreement, "ram:SellerTradeParty", inv.seller)
        self.party(agreement, "ram:BuyerTradeParty", inv.buyer)
        if inv.reference:
            _el(_el(agreement, "ram:BuyerOrderReferencedDocument"), "ram:IssuerAssignedID", inv.reference)
        self.delivery(_el(transaction, "ram:ApplicableHeaderTradeDelivery"))
        self.settlement(_el(transaction, "ram:ApplicableHeaderTradeSettlement"))
        return root

    def delivery(self, delivery: etree._Element) -> None:
        inv = self.invoice
        if (
            any(c is VatCategory.INTRA_COMMUNITY for c, _ in self.b.line_categories)
            and inv.buyer.country_code
        ):
            # BR-IC-12: the deliver-to country; docmesh delivers to the buyer's address.
            ship_to = _el(delivery, "ram:ShipToTradeParty")
            _el(_el(ship_to, "ram:PostalTradeAddress"), "ram:CountryID", inv.buyer.country_code)
        if inv.delivery_date:
            _date(
                _el(delivery, "ram:ActualDeliverySupplyChainEvent"),
                "ram:OccurrenceDateTime",
                inv.delivery_date,
            )

    def settlement(self, settlement: etree._Element) -> None:
        inv, b, cur = self.invoice, self.b, self.invoice.currency_code
        _el(settlement, "ram:InvoiceCurrencyCode", cur)
        means = inv.payment_means
        if means is not None:
            element = _el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
            _el(element, "ram:TypeCode", means.code.value)
            if means.code is PaymentMeansCode.CARD and means.card_last_digits:
                card = _el(element, "ram:ApplicableTradeSettlementFinancialCard")
                _el(card, "ram:ID", means.card_last_digits)
                if means.card_holder:
                    _el(card, "ram:CardholderName", means.card_holder)
            if means.iban:
                account = _el(element, "ram:PayeePartyCreditorFinancialAccount")
                _el(account, "ram:IBANID", means.iban)
                if means.account_name:
                    _el(account, "ram:AccountName", means.account_name)
            if means.bic:
                _el(_el(element, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID", means.bic)
        for g in b.groups:
            tax = _el(settlement, "ram:ApplicableTradeTax")
            _el(tax, "ram:CalculatedAmount", _num(g.amount))
            _el(tax, "ram:TypeCode", "VAT")
            if g.exemption_reason:
                _el(tax, "ram:ExemptionReason", g.exemption_reason)
            _el(tax, "ram:BasisAmount", _num(g.taxable))
            _el(tax, "ram:CategoryCode", g.category.value)
            if g.exemption_reason_code:
                _el(tax, "ram:ExemptionReasonCode", g.exemption_reason_code)
            if g.category is not VatCategory.OUTSIDE_SCOPE:
                _el(tax, "ram:RateApplicablePercent", _num(g.rate_percent))
        if inv.service_period_start and inv.service_period_end:
            period = _el(settlement, "ram:BillingSpecifiedPeriod")
            _date(period, "ram:StartDateTime", inv.service_period_start)
            _date(period, "ram:EndDateTime", inv.service_period_end)
        for g in b.groups:
            for charge, value, text in ((False, g.allowance, "Discount"), (True, g.charge, "Shipping")):
                if not value:
                    continue
                element = _el(settlement, "ram:SpecifiedTradeAllowanceCharge")
                _el(_el(element, "ram:ChargeIndicator"), "udt:Indicator", "true" if charge else "false")
                _el(element, "ram:ActualAmount", _num(value))
                _el(element, "ram:Reason", text)
                tax = _el(element, "ram:CategoryTradeTax")
                _el(tax, "ram:TypeCode", "VAT")
                self.category(tax, g.category, g.rate_percent)
        if inv.payment_terms or inv.due_date:
            terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")
            if inv.payment_terms:
                _el(terms, "ram:Description", inv.payment_terms)
            if inv.due_date:
                _date(terms, "ram:DueDateDateTime", inv.due_date)
        totals = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
        _el(totals, "ram:LineTotalAmount", _num(b.line_total))
        _el(totals, "ram:ChargeTotalAmount", _num(b.charge_total))
        _el(totals, "ram:AllowanceTotalAmount", _num(b.allowance_total))
        _el(totals, "ram:TaxBasisTotalAmount", _num(b.tax_exclusive))
        _el(totals, "ram:TaxTotalAmount", _num(b.tax_total), currencyID=cur)
        _el(totals, "ram:GrandTotalAmount", _num(b.tax_inclusive))
        _el(totals, "ram:TotalPrepaidAmount", _num(b.prepaid))
        _el(totals, "ram:DuePayableAmount", _num(b.payable))
        if inv.preceding_invoice is not None:
            reference = _el(settlement, "ram:InvoiceReferencedDocument")
            _el(reference, "ram:IssuerAssignedID", inv.preceding_invoice.number)
            if inv.preceding_invoice.issue_date:
                issued = _el(reference, "ram:FormattedIssueDateTime")
                _el(
                    issued,
                    "qdt:DateTimeString",
                    inv.preceding_invoice.issue_date.strftime("%Y%m%d"),
                    format="102",
                )

    def lines(self, transaction: etree._Element) -> None:
        inv, b = self.invoice, self.b
        for index, (item, line, (category, rate)) in enumerate(
            zip(inv.line_items, b.lines, b.line_categories, strict=True), start=1
        ):
            element = _el(transaction, "ram:IncludedSupplyChainTradeLineItem")
            _el(_el(element, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(index))
            product = _el(element, "ram:SpecifiedTradeProduct")
            if item.sku:
                _el(product, "ram:SellerAssignedID", item.sku)
            _el(product, "ram:Name", item.description)
            agreement = _el(element, "ram:SpecifiedLineTradeAgreement")
            _el(
                _el(agreement, "ram:NetPriceProductTradePrice"),
                "ram:ChargeAmount",
                _num(item.unit_price.normalize()),
            )
            _el(
                _el(element, "ram:SpecifiedLineTradeDelivery"),
                "ram:BilledQuantity",
                _num(item.quantity),
                unitCode=unit_code(item.unit),
            )
            settlement = _el(element, "ram:SpecifiedLineTradeSettlement")
            tax = _el(settlement, "ram:ApplicableTradeTax")
            _el(tax, "ram:TypeCode", "VAT")
            self.category(tax, category, rate)
            if line.discount:
                allowance = _el(settlement, "ram:SpecifiedTradeAllowanceCharge")
                _el(_el(allowance, "ram:ChargeIndicator"), "udt:Indicator", "false")
                _el(allowance, "ram:ActualAmount", _num(line.discount))
                # BR-42: a line allowance has a reason.
                _el(allowance, "ram:Reason", (item.discount and item.discount.description) or "Discount")
            _el(
                _el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation"),
                "ram:LineTotalAmount",
                _num(line.amount),
            )


def to_cii(invoice: Invoice, profile: Profile = Profile.EN16931) -> bytes:
    """The invoice (or credit note) as a CII D16B document under ``profile`` (UTF-8 bytes with an
    XML declaration). Raises NotAnEInvoice for another kind of document; it does not check that
    the data is complete (``terms.missing_terms`` does)."""
    check_kind(invoice)
    root = _Writer(invoice, vat_breakdown(invoice), profile).document()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
