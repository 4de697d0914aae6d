"""The shared mapping of the invoice model to EN 16931 business terms, for every syntax.

Both syntaxes read the same facts from here: the VAT identifier of a party, unit codes,
payment means codes, the profile's identifiers (CIUS: Peppol BIS Billing 3.0, XRechnung 3.0),
and which required business terms (BT/BG) an invoice still lacks under a profile.
"""

from __future__ import annotations

from enum import StrEnum

from docmesh_common.model.invoice import DocumentKind, Invoice, Party
from docmesh_common.model.totals import VatBreakdown, vat_breakdown
from docmesh_common.model.vat import VatCategory, is_vat_id, normalize_vat_id

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017"
INVOICE_TYPE_CODE = "380"  # UNTDID 1001: commercial invoice
CREDIT_NOTE_TYPE_CODE = "381"  # UNTDID 1001: credit note

# The kinds that are e-invoices; quotes, receipts and purchase orders are not fiscal documents.
E_INVOICE_KINDS = frozenset({DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE})


class Profile(StrEnum):
    """The rules an e-invoice follows: EN 16931 itself or one of its national/network CIUS."""

    EN16931 = "en16931"
    PEPPOL = "peppol"
    XRECHNUNG = "xrechnung"


# BT-24 (Specification identifier) of each profile.
CUSTOMIZATION_IDS: dict[Profile, str] = {
    Profile.EN16931: CUSTOMIZATION_ID,
    Profile.PEPPOL: "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
    Profile.XRECHNUNG: "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0",
}
# BT-23 (Business process type): Peppol requires it (PEPPOL-EN16931-R001); the others omit it.
PROFILE_IDS: dict[Profile, str] = {Profile.PEPPOL: "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"}


class NotAnEInvoice(ValueError):
    """The document is a kind EN 16931 does not describe (a quote, receipt or purchase order)."""


def type_code(invoice: Invoice) -> str:
    """BT-3: 381 for a credit note, 380 for an invoice."""
    if invoice.kind is DocumentKind.CREDIT_NOTE:
        return CREDIT_NOTE_TYPE_CODE
    return INVOICE_TYPE_CODE


def check_kind(invoice: Invoice) -> None:
    """Raises NotAnEInvoice unless the document is an invoice or a credit note."""
    if invoice.kind not in E_INVOICE_KINDS:
        raise NotAnEInvoice(
            f"{invoice.kind.value.replace('_', ' ')}s are not e-invoices: only an invoice or a credit note "
            "exports as UBL or CII"
        )


# UN/ECE Recommendation 20 codes for the units people write; anything else is "one" (C62).
_UNIT_CODES = {
    "h": "HUR",
    "hr": "HUR",
    "hrs": "HUR",
    "hour": "HUR",
    "hours": "HUR",
    "day": "DAY",
    "days": "DAY",
    "month": "MON",
    "months": "MON",
    "kg": "KGM",
    "m": "MTR",
    "l": "LTR",
}


def unit_code(unit: str) -> str:
    return _UNIT_CODES.get(unit.strip().casefold(), "C62")


def vat_id(party: Party) -> str:
    """BT-31/BT-48: ``vat_id``, or a ``tax_id`` written before ``vat_id`` existed that has the VAT form."""
    if party.vat_id:
        return party.vat_id
    legacy = normalize_vat_id(party.tax_id)
    return legacy if is_vat_id(legacy) else ""


def tax_registration_id(party: Party) -> str:
    """BT-32: a tax number that is not a VAT identifier."""
    return "" if is_vat_id(normalize_vat_id(party.tax_id)) else party.tax_id


def missing_terms(
    invoice: Invoice, breakdown: VatBreakdown | None = None, profile: Profile = Profile.EN16931
) -> list[tuple[str, str]]:
    """Every business term EN 16931 (and ``profile``) requires of this invoice that it does not
    have, as (term, name), in BT order.

    Raises ValueError for a line EN 16931 cannot express at all (one under two taxes).
    """
    breakdown = breakdown or vat_breakdown(invoice)
    missing: list[tuple[str, str]] = []
    categories = {c for c, _ in breakdown.line_categories}
    if breakdown.shipping_category is not None:
        categories.add(breakdown.shipping_category)

    def need(present: object, term: str, name: str) -> None:
        if not present:
            missing.append((term, name))

    seller, buyer = invoice.seller, invoice.buyer
    xrechnung = profile is Profile.XRECHNUNG
    need(invoice.number, "BT-1", "Invoice number")
    need(invoice.issue_date, "BT-2", "Invoice issue date")
    # A UBL CreditNote has no DueDate of its own: its BT-9 rides on the payment means.
    due = invoice.due_date and (invoice.kind is not DocumentKind.CREDIT_NOTE or invoice.payment_means)
    need(
        breakdown.payable <= 0 or due or invoice.payment_terms,
        "BT-9",
        "Payment due date (or BT-20 Payment terms)",
    )
    if xrechnung:
        need(invoice.buyer_reference, "BT-10", "Buyer reference (Leitweg-ID)")  # BR-DE-15
    elif profile is Profile.PEPPOL:
        # PEPPOL-EN16931-R003: a buyer reference or a purchase order reference.
        need(
            invoice.buyer_reference or invoice.reference,
            "BT-10",
            "Buyer reference (or BT-13 Purchase order reference)",
        )
    if invoice.kind is DocumentKind.CREDIT_NOTE:
        need(invoice.preceding_invoice, "BG-3", "Preceding invoice reference")
    need(seller.name, "BT-27", "Seller name")
    outside = VatCategory.OUTSIDE_SCOPE in categories
    needs_seller_vat = categories & {
        VatCategory.REVERSE_CHARGE,
        VatCategory.INTRA_COMMUNITY,
        VatCategory.EXPORT,
    }
    if needs_seller_vat:
        need(vat_id(invoice.seller), "BT-31", "Seller VAT identifier")
    elif not outside:
        need(
            vat_id(invoice.seller) or tax_registration_id(invoice.seller),
            "BT-31",
            "Seller VAT identifier (or BT-32 Seller tax registration identifier)",
        )
    if profile is not Profile.EN16931:
        # Both CIUS route by the electronic address with its scheme (PEPPOL-EN16931-R010/R020;
        # XRechnung 3.0 makes BT-34 and BT-49 mandatory).
        need(seller.endpoint_id and seller.endpoint_scheme, "BT-34", "Seller electronic address")
    if xrechnung:
        need(seller.city, "BT-37", "Seller city")  # BR-DE-3
        need(seller.postal_code, "BT-38", "Seller post code")  # BR-DE-4
    need(seller.country_code, "BT-40", "Seller country code")
    if xrechnung:
        need(seller.phone, "BT-42", "Seller contact telephone number")  # BR-DE-6
        need(seller.email, "BT-43", "Seller contact email address")  # BR-DE-7
    need(buyer.name, "BT-44", "Buyer name")
    if categories & {VatCategory.REVERSE_CHARGE, VatCategory.INTRA_COMMUNITY}:
        need(vat_id(buyer), "BT-48", "Buyer VAT identifier")
    if profile is not Profile.EN16931:
        need(buyer.endpoint_id and buyer.endpoint_scheme, "BT-49", "Buyer electronic address")
    if xrechnung:
        need(buyer.city, "BT-52", "Buyer city")  # BR-DE-8
        need(buyer.postal_code, "BT-53", "Buyer post code")  # BR-DE-9
    need(buyer.country_code, "BT-55", "Buyer country code")
    if VatCategory.INTRA_COMMUNITY in categories:
        need(
            invoice.delivery_date or invoice.service_period_start,
            "BT-72",
            "Actual delivery date (or BG-14 Invoicing period)",
        )
    if xrechnung:
        need(invoice.payment_means, "BG-16", "Payment instructions")  # BR-DE-1
    need(invoice.line_items, "BG-25", "Invoice line")
    return missing
