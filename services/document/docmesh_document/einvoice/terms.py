"""The shared mapping of the invoice model to EN 16931 business terms, for every syntax.

Both syntaxes read the same facts from here: the VAT identifier of a party, unit codes,
payment means codes, and which required business terms (BT/BG) an invoice still lacks.
"""

from __future__ import annotations

from docmesh_common.model.invoice import Invoice, Party
from docmesh_common.model.totals import VatBreakdown, vat_breakdown
from docmesh_common.model.vat import VatCategory, is_vat_id, normalize_vat_id

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017"
INVOICE_TYPE_CODE = "380"  # UNTDID 1001: commercial invoice

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


def missing_terms(invoice: Invoice, breakdown: VatBreakdown | None = None) -> list[tuple[str, str]]:
    """Every business term EN 16931 requires of this invoice that it does not have, in BT order.

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

    need(invoice.number, "BT-1", "Invoice number")
    need(invoice.issue_date, "BT-2", "Invoice issue date")
    need(
        breakdown.payable <= 0 or invoice.due_date or invoice.payment_terms,
        "BT-9",
        "Payment due date (or BT-20 Payment terms)",
    )
    need(invoice.seller.name, "BT-27", "Seller name")
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
    need(invoice.seller.country_code, "BT-40", "Seller country code")
    need(invoice.buyer.name, "BT-44", "Buyer name")
    if categories & {VatCategory.REVERSE_CHARGE, VatCategory.INTRA_COMMUNITY}:
        need(vat_id(invoice.buyer), "BT-48", "Buyer VAT identifier")
    need(invoice.buyer.country_code, "BT-55", "Buyer country code")
    if VatCategory.INTRA_COMMUNITY in categories:
        need(
            invoice.delivery_date or invoice.service_period_start,
            "BT-72",
            "Actual delivery date (or BG-14 Invoicing period)",
        )
    need(invoice.line_items, "BG-25", "Invoice line")
    return missing
