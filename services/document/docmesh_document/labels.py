"""The words a document prints, in each language docmesh writes documents in.

One table per language, keyed by what the word is for; a renderer asks `labels(language)`
and reads attributes. Every table must name every document kind (a test holds them to it),
so no language prints a blank title on a customer's invoice.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass

from babel import Locale

from docmesh_common.model.invoice import DEFAULT_LANGUAGE, DocumentKind, Invoice, Party

# CLDR locales for numbers and dates in each language's documents.
LOCALES = {"en": "en_US", "es": "es_ES", "de": "de_DE", "fr": "fr_FR"}


@dataclass(frozen=True)
class Labels:
    """Every printed word of a document in one language."""

    titles: dict[DocumentKind, str]
    number: dict[DocumentKind, str]
    issue_date: dict[DocumentKind, str]
    due_date: dict[DocumentKind, str]
    valid_until: str
    delivery_date: str
    service_period: str
    reference: str
    # A credit note's line naming the invoice it corrects (BG-3), before "INV-… (date)".
    corrects: str
    party_blocks: dict[DocumentKind, tuple[tuple[str, str], tuple[str, str]]]
    draft: str
    description: str
    quantity: str
    unit: str
    unit_price: str
    discount: str
    tax: str
    amount: str
    exempt: str
    subtotal: str
    shipping: str
    total: str
    amount_paid: str
    balance_due: str
    payment_terms: str
    payment_method: str
    bank_details: str
    iban: str
    bic: str
    scan_to_pay: str
    notes: str
    tax_id: str
    company_id: str
    page: str  # "Page {page} of {pages}"
    tax_on: str  # "{name} {rate}% on {base}"
    currency: str
    total_discount: str
    total_tax: str
    # The VAT breakdown (EN 16931 BG-23) under the totals: its heading and the base's column.
    vat_breakdown: str
    taxable_amount: str


def _blocks(seller: str, buyer: str, quote_buyer: str, receipt_buyer: str, po: tuple[str, str]) -> dict:
    return {
        DocumentKind.INVOICE: ((seller, "seller"), (buyer, "buyer")),
        DocumentKind.QUOTE: ((seller, "seller"), (quote_buyer, "buyer")),
        DocumentKind.RECEIPT: ((seller, "seller"), (receipt_buyer, "buyer")),
        DocumentKind.PURCHASE_ORDER: ((po[0], "buyer"), (po[1], "seller")),
        DocumentKind.CREDIT_NOTE: ((seller, "seller"), (buyer, "buyer")),
    }


_TABLES: dict[str, Labels] = {
    "en": Labels(
        titles={
            DocumentKind.INVOICE: "Invoice",
            DocumentKind.QUOTE: "Quote",
            DocumentKind.RECEIPT: "Receipt",
            DocumentKind.PURCHASE_ORDER: "Purchase Order",
            DocumentKind.CREDIT_NOTE: "Credit Note",
        },
        number={
            DocumentKind.INVOICE: "Invoice no.",
            DocumentKind.QUOTE: "Quote no.",
            DocumentKind.RECEIPT: "Receipt no.",
            DocumentKind.PURCHASE_ORDER: "PO number",
            DocumentKind.CREDIT_NOTE: "Credit note no.",
        },
        issue_date={
            DocumentKind.INVOICE: "Issue date",
            DocumentKind.QUOTE: "Date",
            DocumentKind.RECEIPT: "Date paid",
            DocumentKind.PURCHASE_ORDER: "Order date",
            DocumentKind.CREDIT_NOTE: "Issue date",
        },
        due_date={
            DocumentKind.INVOICE: "Due date",
            DocumentKind.QUOTE: "Due date",
            DocumentKind.RECEIPT: "Due date",
            DocumentKind.PURCHASE_ORDER: "Deliver by",
            DocumentKind.CREDIT_NOTE: "Due date",
        },
        valid_until="Valid until",
        delivery_date="Delivery date",
        service_period="Service period",
        reference="Reference",
        corrects="Credit note for invoice",
        party_blocks=_blocks("From", "Bill to", "Prepared for", "Received from", ("Buyer", "Vendor")),
        draft="DRAFT",
        description="Description",
        quantity="Qty",
        unit="Unit",
        unit_price="Unit price",
        discount="Discount",
        tax="Tax",
        amount="Amount",
        exempt="exempt",
        subtotal="Subtotal",
        shipping="Shipping",
        total="Total",
        amount_paid="Amount paid",
        balance_due="Balance due",
        payment_terms="Payment terms",
        payment_method="Payment method",
        bank_details="Bank details",
        iban="IBAN",
        bic="BIC",
        scan_to_pay="Scan to pay",
        notes="Notes",
        tax_id="Tax ID",
        company_id="Company no.",
        page="Page {page} of {pages}",
        tax_on="{name} {rate}% on {base}",
        currency="Currency",
        total_discount="Total discount",
        total_tax="Total tax",
        vat_breakdown="VAT breakdown",
        taxable_amount="Taxable amount",
    ),
    "es": Labels(
        titles={
            DocumentKind.INVOICE: "Factura",
            DocumentKind.QUOTE: "Presupuesto",
            DocumentKind.RECEIPT: "Recibo",
            DocumentKind.PURCHASE_ORDER: "Orden de compra",
            DocumentKind.CREDIT_NOTE: "Factura rectificativa",
        },
        number={
            DocumentKind.INVOICE: "N.º de factura",
            DocumentKind.QUOTE: "N.º de presupuesto",
            DocumentKind.RECEIPT: "N.º de recibo",
            DocumentKind.PURCHASE_ORDER: "N.º de pedido",
            DocumentKind.CREDIT_NOTE: "N.º de factura rectificativa",
        },
        issue_date={
            DocumentKind.INVOICE: "Fecha de factura",
            DocumentKind.QUOTE: "Fecha",
            DocumentKind.RECEIPT: "Fecha de pago",
            DocumentKind.PURCHASE_ORDER: "Fecha del pedido",
            DocumentKind.CREDIT_NOTE: "Fecha de emisión",
        },
        due_date={
            DocumentKind.INVOICE: "Vencimiento",
            DocumentKind.QUOTE: "Vencimiento",
            DocumentKind.RECEIPT: "Vencimiento",
            DocumentKind.PURCHASE_ORDER: "Entrega antes de",
            DocumentKind.CREDIT_NOTE: "Fecha de vencimiento",
        },
        valid_until="Válido hasta",
        delivery_date="Fecha de entrega",
        service_period="Periodo de servicio",
        reference="Referencia",
        corrects="Rectifica la factura",
        party_blocks=_blocks("De", "Facturar a", "Preparado para", "Recibido de", ("Comprador", "Proveedor")),
        draft="BORRADOR",
        description="Descripción",
        quantity="Cant.",
        unit="Unidad",
        unit_price="Precio unitario",
        discount="Descuento",
        tax="Impuesto",
        amount="Importe",
        exempt="exento",
        subtotal="Subtotal",
        shipping="Envío",
        total="Total",
        amount_paid="Importe pagado",
        balance_due="Saldo pendiente",
        payment_terms="Condiciones de pago",
        payment_method="Forma de pago",
        bank_details="Datos bancarios",
        iban="IBAN",
        bic="BIC",
        scan_to_pay="Escanear para pagar",
        notes="Notas",
        tax_id="NIF/IVA",
        company_id="Registro mercantil",
        page="Página {page} de {pages}",
        tax_on="{name} {rate}% sobre {base}",
        currency="Moneda",
        total_discount="Descuento total",
        total_tax="Total impuestos",
        vat_breakdown="Desglose del IVA",
        taxable_amount="Base imponible",
    ),
    "de": Labels(
        titles={
            DocumentKind.INVOICE: "Rechnung",
            DocumentKind.QUOTE: "Angebot",
            DocumentKind.RECEIPT: "Quittung",
            DocumentKind.PURCHASE_ORDER: "Bestellung",
            DocumentKind.CREDIT_NOTE: "Gutschrift",
        },
        number={
            DocumentKind.INVOICE: "Rechnungsnr.",
            DocumentKind.QUOTE: "Angebotsnr.",
            DocumentKind.RECEIPT: "Quittungsnr.",
            DocumentKind.PURCHASE_ORDER: "Bestellnr.",
            DocumentKind.CREDIT_NOTE: "Gutschriftnr.",
        },
        issue_date={
            DocumentKind.INVOICE: "Rechnungsdatum",
            DocumentKind.QUOTE: "Datum",
            DocumentKind.RECEIPT: "Bezahlt am",
            DocumentKind.PURCHASE_ORDER: "Bestelldatum",
            DocumentKind.CREDIT_NOTE: "Datum",
        },
        due_date={
            DocumentKind.INVOICE: "Fällig am",
            DocumentKind.QUOTE: "Fällig am",
            DocumentKind.RECEIPT: "Fällig am",
            DocumentKind.PURCHASE_ORDER: "Liefern bis",
            DocumentKind.CREDIT_NOTE: "Fällig am",
        },
        valid_until="Gültig bis",
        delivery_date="Lieferdatum",
        service_period="Leistungszeitraum",
        reference="Referenz",
        corrects="Gutschrift zu Rechnung",
        party_blocks=_blocks("Von", "Rechnung an", "Erstellt für", "Erhalten von", ("Käufer", "Lieferant")),
        draft="ENTWURF",
        description="Beschreibung",
        quantity="Menge",
        unit="Einheit",
        unit_price="Einzelpreis",
        discount="Rabatt",
        tax="Steuer",
        amount="Betrag",
        exempt="steuerfrei",
        subtotal="Zwischensumme",
        shipping="Versand",
        total="Gesamt",
        amount_paid="Bezahlt",
        balance_due="Offener Betrag",
        payment_terms="Zahlungsbedingungen",
        payment_method="Zahlungsart",
        bank_details="Bankverbindung",
        iban="IBAN",
        bic="BIC",
        scan_to_pay="Zum Bezahlen scannen",
        notes="Hinweise",
        tax_id="USt-IdNr.",
        company_id="Handelsregister",
        page="Seite {page} von {pages}",
        tax_on="{name} {rate} % auf {base}",
        currency="Währung",
        total_discount="Rabatt gesamt",
        total_tax="Steuern gesamt",
        vat_breakdown="Aufschlüsselung der Umsatzsteuer",
        taxable_amount="Bemessungsgrundlage",
    ),
    "fr": Labels(
        titles={
            DocumentKind.INVOICE: "Facture",
            DocumentKind.QUOTE: "Devis",
            DocumentKind.RECEIPT: "Reçu",
            DocumentKind.PURCHASE_ORDER: "Bon de commande",
            DocumentKind.CREDIT_NOTE: "Avoir",
        },
        number={
            DocumentKind.INVOICE: "Facture n°",
            DocumentKind.QUOTE: "Devis n°",
            DocumentKind.RECEIPT: "Reçu n°",
            DocumentKind.PURCHASE_ORDER: "Commande n°",
            DocumentKind.CREDIT_NOTE: "Avoir n°",
        },
        issue_date={
            DocumentKind.INVOICE: "Date de facture",
            DocumentKind.QUOTE: "Date",
            DocumentKind.RECEIPT: "Payé le",
            DocumentKind.PURCHASE_ORDER: "Date de commande",
            DocumentKind.CREDIT_NOTE: "Date d'émission",
        },
        due_date={
            DocumentKind.INVOICE: "Échéance",
            DocumentKind.QUOTE: "Échéance",
            DocumentKind.RECEIPT: "Échéance",
            DocumentKind.PURCHASE_ORDER: "Livrer avant le",
            DocumentKind.CREDIT_NOTE: "Échéance",
        },
        valid_until="Valable jusqu'au",
        delivery_date="Date de livraison",
        service_period="Période de prestation",
        reference="Référence",
        corrects="Avoir sur la facture",
        party_blocks=_blocks("De", "Facturer à", "Préparé pour", "Reçu de", ("Acheteur", "Fournisseur")),
        draft="BROUILLON",
        description="Désignation",
        quantity="Qté",
        unit="Unité",
        unit_price="Prix unitaire",
        discount="Remise",
        tax="Taxe",
        amount="Montant",
        exempt="exonéré",
        subtotal="Sous-total",
        shipping="Livraison",
        total="Total",
        amount_paid="Montant payé",
        balance_due="Reste à payer",
        payment_terms="Conditions de paiement",
        payment_method="Moyen de paiement",
        bank_details="Coordonnées bancaires",
        iban="IBAN",
        bic="BIC",
        scan_to_pay="Scanner pour payer",
        notes="Notes",
        tax_id="N° TVA",
        company_id="SIRET/RCS",
        page="Page {page} sur {pages}",
        tax_on="{name} {rate} % sur {base}",
        currency="Devise",
        total_discount="Remise totale",
        total_tax="Total taxes",
        vat_breakdown="Ventilation de la TVA",
        taxable_amount="Base HT",
    ),
}


def all_tables() -> dict[str, Labels]:
    return dict(_TABLES)


def labels(language: str) -> Labels:
    """The table of a language ("de", "de-AT" and "DE" all give German); English by default."""
    return _TABLES.get(language[:2].lower(), _TABLES[DEFAULT_LANGUAGE])


def locale(language: str) -> str:
    return LOCALES.get(language[:2].lower(), LOCALES[DEFAULT_LANGUAGE])


@functools.cache
def country_name(code: str, language: str) -> str:
    """The country's name in the language ("DE" → "Germany", "Allemagne"); the code if unknown."""
    return str(Locale.parse(locale(language)).territories.get(code, code))


# Countries whose addresses put the postal code after the city ("Springfield 62701", "London
# SW1A 1AA"); most of the world writes "10115 Berlin".
CITY_BEFORE_POSTAL_CODE = frozenset({"US", "CA", "GB", "AU", "NZ", "IE", "ZA", "SG", "IN", "KR", "JP"})


def party_lines(party: Party, language: str) -> list[str]:
    """What a party block prints under the party's name, the same in the PDF and the sheet."""
    words = labels(language)
    lines = list(party.address_lines)
    first, second = (
        (party.city, party.postal_code)
        if party.country_code in CITY_BEFORE_POSTAL_CODE
        else (party.postal_code, party.city)
    )
    place = " ".join(part for part in (first, second) if part)
    if place:
        lines.append(place)
    if party.country_code:
        lines.append(country_name(party.country_code, language))
    lines.extend(value for value in (party.email, party.phone, party.website) if value)
    if party.tax_id:
        lines.append(f"{words.tax_id} {party.tax_id}")
    if party.company_id:
        lines.append(f"{words.company_id} {party.company_id}")
    return [line for line in lines if line]


# A date fact's value: one day, or the first and last day of a period.
DateValue = dt.date | tuple[dt.date, dt.date]


def date_facts(invoice: Invoice, words: Labels) -> list[tuple[str, DateValue]]:
    """The document's dates as every rendering prints them, in this order, with their labels."""
    kind = invoice.kind
    facts: list[tuple[str, DateValue]] = []
    if invoice.issue_date:
        facts.append((words.issue_date[kind], invoice.issue_date))
    if invoice.due_date:
        facts.append((words.due_date[kind], invoice.due_date))
    if invoice.valid_until:
        facts.append((words.valid_until, invoice.valid_until))
    if invoice.delivery_date:
        # A purchase order's delivery date is its "Deliver by".
        label = words.due_date[kind] if kind is DocumentKind.PURCHASE_ORDER else words.delivery_date
        facts.append((label, invoice.delivery_date))
    if invoice.service_period_start and invoice.service_period_end:
        facts.append((words.service_period, (invoice.service_period_start, invoice.service_period_end)))
    return facts


def preceding_invoice_fact(
    invoice: Invoice, words: Labels, date_text: Callable[[dt.date], str]
) -> tuple[str, str] | None:
    """A credit note's "Credit note for invoice | INV-2026-0007 (2026-03-01)", the same in the
    sheet and the PDF (each writes the date its way); None for any other document."""
    preceding = invoice.preceding_invoice
    if invoice.kind is not DocumentKind.CREDIT_NOTE or preceding is None:
        return None
    day = f" ({date_text(preceding.issue_date)})" if preceding.issue_date else ""
    return words.corrects, f"{preceding.number}{day}"
