"""UBL 2.1 Invoice or CreditNote (EN 16931, or its Peppol BIS 3.0 / XRechnung 3.0 CIUS), with lxml.

Every amount comes from ``vat_breakdown``, the EN 16931 view of the one arithmetic; element
order follows the UBL 2.1 schema, which is a sequence. A credit note is a ``CreditNote`` with
the same amounts (positive: the document itself says it is a credit), ``CreditNoteLine`` /
``CreditedQuantity`` for its lines and the invoice it corrects (BG-3) as a ``BillingReference``.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from docmesh_common.model.invoice import DocumentKind, Invoice, Party, PaymentMeansCode
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

_INV = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
_CN = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


def _cac(parent: etree._Element, tag: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{_CAC}}}{tag}")


def _cbc(parent: etree._Element, tag: str, text: str, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{_CBC}}}{tag}", attrs)
    element.text = text
    return element


class _Writer:
    def __init__(self, invoice: Invoice, breakdown: VatBreakdown, profile: Profile) -> None:
        self.invoice = invoice
        self.b = breakdown
        self.profile = profile
        self.credit = invoice.kind is DocumentKind.CREDIT_NOTE
        self.outside = any(c is VatCategory.OUTSIDE_SCOPE for c, _ in breakdown.line_categories)

    def amount(self, parent: etree._Element, tag: str, value: Decimal) -> None:
        _cbc(parent, tag, format(value, "f"), currencyID=self.invoice.currency_code)

    def tax_category(
        self, parent: etree._Element, tag: str, category: VatCategory, rate: Decimal, reason: tuple[str, str]
    ) -> None:
        element = _cac(parent, tag)
        _cbc(element, "ID", category.value)
        if category is not VatCategory.OUTSIDE_SCOPE:  # BR-O-05: no rate outside the scope of VAT
            _cbc(element, "Percent", format(rate, "f"))
        text, code = reason
        if code:
            _cbc(element, "TaxExemptionReasonCode", code)
        if text:
            _cbc(element, "TaxExemptionReason", text)
        _cbc(_cac(element, "TaxScheme"), "ID", "VAT")

    def party(self, parent: etree._Element, tag: str, p: Party) -> None:
        party = _cac(_cac(parent, tag), "Party")
        if p.endpoint_id:
            _cbc(party, "EndpointID", p.endpoint_id, schemeID=p.endpoint_scheme)
        if p.name:
            _cbc(_cac(party, "PartyName"), "Name", p.name)
        address = _cac(party, "PostalAddress")
        lines = p.address_lines
        if lines:
            _cbc(address, "StreetName", lines[0])
        if len(lines) > 1:
            _cbc(address, "AdditionalStreetName", lines[1])
        if p.city:
            _cbc(address, "CityName", p.city)
        if p.postal_code:
            _cbc(address, "PostalZone", p.postal_code)
        if len(lines) > 2:
            _cbc(_cac(address, "AddressLine"), "Line", ", ".join(lines[2:]))
        _cbc(_cac(address, "Country"), "IdentificationCode", p.country_code)
        # BR-O-02: an invoice outside the scope of VAT names no VAT identifiers.
        if vat_id(p) and not self.outside:
            scheme = _cac(party, "PartyTaxScheme")
            _cbc(scheme, "CompanyID", vat_id(p))
            _cbc(_cac(scheme, "TaxScheme"), "ID", "VAT")
        if tax_registration_id(p) and tag == "AccountingSupplierParty":
            scheme = _cac(party, "PartyTaxScheme")
            _cbc(scheme, "CompanyID", tax_registration_id(p))
            _cbc(_cac(scheme, "TaxScheme"), "ID", "FC")
        legal = _cac(party, "PartyLegalEntity")
        _cbc(legal, "RegistrationName", p.name)
        if p.company_id:
            _cbc(legal, "CompanyID", p.company_id)
        if p.email or p.phone:
            contact = _cac(party, "Contact")
            if self.profile is Profile.XRECHNUNG and tag == "AccountingSupplierParty":
                _cbc(contact, "Name", p.name)  # BR-DE-5: XRechnung wants a contact point (BT-41)
            if p.phone:
                _cbc(contact, "Telephone", p.phone)
            if p.email:
                _cbc(contact, "ElectronicMail", p.email)

    def document(self) -> etree._Element:
        inv, b = self.invoice, self.b
        namespace, root_tag = (_CN, "CreditNote") if self.credit else (_INV, "Invoice")
        root = etree.Element(f"{{{namespace}}}{root_tag}", nsmap={None: namespace, "cac": _CAC, "cbc": _CBC})
        _cbc(root, "CustomizationID", CUSTOMIZATION_IDS[self.profile])
        if self.profile in PROFILE_IDS:
            _cbc(root, "ProfileID", PROFILE_IDS[self.profile])
        _cbc(root, "ID", inv.number)
        if inv.issue_date:
            _cbc(root, "IssueDate", inv.issue_date.isoformat())
        if inv.due_date and not self.credit:  # a CreditNote has no DueDate (see payment)
            _cbc(root, "DueDate", inv.due_date.isoformat())
        _cbc(root, "CreditNoteTypeCode" if self.credit else "InvoiceTypeCode", type_code(inv))
        if inv.notes:
            _cbc(root, "Note", inv.notes)
        _cbc(root, "DocumentCurrencyCode", inv.currency_code)
        if inv.buyer_reference:
            _cbc(root, "BuyerReference", inv.buyer_reference)
        if inv.service_period_start and inv.service_period_end:
            period = _cac(root, "InvoicePeriod")
            _cbc(period, "StartDate", inv.service_period_start.isoformat())
            _cbc(period, "EndDate", inv.service_period_end.isoformat())
        if inv.reference:
            _cbc(_cac(root, "OrderReference"), "ID", inv.reference)
        if inv.preceding_invoice is not None:
            reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
            _cbc(reference, "ID", inv.preceding_invoice.number)
            if inv.preceding_invoice.issue_date:
                _cbc(reference, "IssueDate", inv.preceding_invoice.issue_date.isoformat())
        self.party(root, "AccountingSupplierParty", inv.seller)
        self.party(root, "AccountingCustomerParty", inv.buyer)
        self.delivery(root)
        self.payment(root)
        self.allowances_and_charges(root)
        tax_total = _cac(root, "TaxTotal")
        self.amount(tax_total, "TaxAmount", b.tax_total)
        for g in b.groups:
            sub = _cac(tax_total, "TaxSubtotal")
            self.amount(sub, "TaxableAmount", g.taxable)
            self.amount(sub, "TaxAmount", g.amount)
            reason = (g.exemption_reason, g.exemption_reason_code)
            self.tax_category(sub, "TaxCategory", g.category, g.rate_percent, reason)
        totals = _cac(root, "LegalMonetaryTotal")
        self.amount(totals, "LineExtensionAmount", b.line_total)
        self.amount(totals, "TaxExclusiveAmount", b.tax_exclusive)
        self.amount(totals, "TaxInclusiveAmount", b.tax_inclusive)
        if b.allowance_total:
            self.amount(totals, "AllowanceTotalAmount", b.allowance_total)
        if b.charge_total:
            self.amount(totals, "ChargeTotalAmount", b.charge_total)
        if b.prepaid:
            self.amount(totals, "PrepaidAmount", b.prepaid)
        self.amount(totals, "PayableAmount", b.payable)
        self.lines(root)
        return root

    def delivery(self, root: etree._Element) -> None:
        inv = self.invoice
        intra = any(c is VatCategory.INTRA_COMMUNITY for c, _ in self.b.line_categories)
        if not (inv.delivery_date or intra):
            return
        delivery = _cac(root, "Delivery")
        if inv.delivery_date:
            _cbc(delivery, "ActualDeliveryDate", inv.delivery_date.isoformat())
        if intra and inv.buyer.country_code:
            # BR-IC-12: the deliver-to country; docmesh delivers to the buyer's address.
            address = _cac(_cac(delivery, "DeliveryLocation"), "Address")
            _cbc(_cac(address, "Country"), "IdentificationCode", inv.buyer.country_code)

    def payment(self, root: etree._Element) -> None:
        inv, means = self.invoice, self.invoice.payment_means
        if means is not None:
            element = _cac(root, "PaymentMeans")
            _cbc(element, "PaymentMeansCode", means.code.value)
            if self.credit and inv.due_date:
                _cbc(element, "PaymentDueDate", inv.due_date.isoformat())  # BT-9 of a CreditNote
            if means.code is PaymentMeansCode.CARD and means.card_last_digits:
                card = _cac(element, "CardAccount")
                _cbc(card, "PrimaryAccountNumberID", means.card_last_digits)
                _cbc(card, "NetworkID", "card")
                if means.card_holder:
                    _cbc(card, "HolderName", means.card_holder)
            if means.iban:
                account = _cac(element, "PayeeFinancialAccount")
                _cbc(account, "ID", means.iban)
                if means.account_name:
                    _cbc(account, "Name", means.account_name)
                if means.bic:
                    _cbc(_cac(account, "FinancialInstitutionBranch"), "ID", means.bic)
        if inv.payment_terms:
            _cbc(_cac(root, "PaymentTerms"), "Note", inv.payment_terms)

    def allowances_and_charges(self, root: etree._Element) -> None:
        for g in self.b.groups:
            reason = (g.exemption_reason, g.exemption_reason_code)
            for charge, value, text in ((False, g.allowance, "Discount"), (True, g.charge, "Shipping")):
                if not value:
                    continue
                element = _cac(root, "AllowanceCharge")
                _cbc(element, "ChargeIndicator", "true" if charge else "false")
                _cbc(element, "AllowanceChargeReason", text)
                self.amount(element, "Amount", value)
                self.tax_category(element, "TaxCategory", g.category, g.rate_percent, reason)

    def lines(self, root: etree._Element) -> None:
        inv, b = self.invoice, self.b
        for index, (item, line, (category, rate)) in enumerate(
            zip(inv.line_items, b.lines, b.line_categories, strict=True), start=1
        ):
            element = _cac(root, "CreditNoteLine" if self.credit else "InvoiceLine")
            _cbc(element, "ID", str(index))
            quantity = "CreditedQuantity" if self.credit else "InvoicedQuantity"
            _cbc(element, quantity, format(item.quantity, "f"), unitCode=unit_code(item.unit))
            self.amount(element, "LineExtensionAmount", line.amount)
            if line.discount:
                allowance = _cac(element, "AllowanceCharge")
                _cbc(allowance, "ChargeIndicator", "false")
                # BR-42: a line allowance has a reason.
                _cbc(
                    allowance,
                    "AllowanceChargeReason",
                    (item.discount and item.discount.description) or "Discount",
                )
                self.amount(allowance, "Amount", line.discount)
            product = _cac(element, "Item")
            _cbc(product, "Name", item.description)
            if item.sku:
                _cbc(_cac(product, "SellersItemIdentification"), "ID", item.sku)
            self.tax_category(product, "ClassifiedTaxCategory", category, rate, ("", ""))
            price = _cac(element, "Price")
            self.amount(price, "PriceAmount", item.unit_price.normalize())
            _cbc(price, "BaseQuantity", "1", unitCode=unit_code(item.unit))


def to_ubl(invoice: Invoice, profile: Profile = Profile.EN16931) -> bytes:
    """The invoice (or credit note) as a UBL 2.1 document under ``profile`` (UTF-8 bytes with an
    XML declaration). Raises NotAnEInvoice for another kind of document; it does not check that
    the data is complete (``terms.missing_terms`` does)."""
    check_kind(invoice)
    root = _Writer(invoice, vat_breakdown(invoice), profile).document()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
