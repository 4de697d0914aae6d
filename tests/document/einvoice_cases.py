"""At least 30 EN 16931-complete invoices: every VAT category, discounts and shipping, EUR/JPY/KWD."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from docmesh_common.model.invoice import (
    Discount,
    Invoice,
    LineItem,
    Party,
    PaymentMeans,
    PaymentMeansCode,
    Tax,
)
from docmesh_common.model.vat import VatCategory

D = Decimal
SELLER = Party(
    name="Acme GmbH",
    address_lines=["Hauptstr. 1", "Hinterhaus"],
    city="Berlin",
    postal_code="10115",
    country_code="DE",
    vat_id="DE123456789",
    company_id="HRB 12345",
    endpoint_id="DE123456789",
    endpoint_scheme="9930",
    email="billing@acme.example",
)
BUYER = Party(
    name="Client SARL", city="Paris", postal_code="75001", country_code="FR", vat_id="FR12345678901"
)
TAXES = [Tax(name="VAT", rate_percent=D(19)), Tax(name="Reduced", rate_percent=D(7))]


def _lines(category: VatCategory) -> list[LineItem]:
    if category is VatCategory.STANDARD:
        return [
            LineItem(
                description="Consulting",
                quantity=D(3),
                unit="hours",
                unit_price=D("95.55"),
                tax_names=["VAT"],
            ),
            LineItem(description="Books", quantity=D("2.5"), unit_price=D("19.99"), tax_names=["Reduced"]),
        ]
    if category is VatCategory.ZERO:
        return [LineItem(description="Newspaper", unit_price=D("3.10"), tax_names=["Zero"])]
    return [
        LineItem(
            description="Machine",
            quantity=D(2),
            unit_price=D("1234.56"),
            tax_exempt=True,
            vat_category=category,
            discount=Discount(description="Trade-in", percent=D(10)),
        )
    ]


def _invoice(number: int, categories: tuple[VatCategory, ...], currency: str, extras: bool) -> Invoice:
    lines = [line for c in categories for line in _lines(c)]
    outside = VatCategory.OUTSIDE_SCOPE in categories
    return Invoice(
        number=f"INV-2026-{number:04d}",
        currency_code=currency,
        issue_date=dt.date(2026, 3, 1),
        due_date=dt.date(2026, 3, 31),
        payment_terms="Net 30",
        seller=SELLER.model_copy(update={"vat_id": ""} if outside else {}),
        buyer=BUYER.model_copy(update={"vat_id": ""} if outside else {}),
        taxes=[*TAXES, Tax(name="Zero", rate_percent=D(0))],
        line_items=lines,
        discounts=[Discount(description="Loyalty", percent=D("3.5"))] if extras else [],
        shipping=D("12.34") if extras else None,
        delivery_date=dt.date(2026, 2, 27),
        payment_means=[
            PaymentMeans(iban="DE89370400440532013000", bic="COBADEFFXXX"),
            PaymentMeans(code=PaymentMeansCode.CARD, card_last_digits="4242", card_holder="J. Doe"),
            PaymentMeans(code=PaymentMeansCode.CASH),
        ][number % 3],
        buyer_reference="04011000-12345-34" if number % 2 else "",
        notes="Thank you." if number % 2 else "",
    )


# EN 16931 forbids mixing O with any other category (BR-O-11..14); every other set mixes freely.
_CATEGORY_SETS: list[tuple[VatCategory, ...]] = [
    (VatCategory.STANDARD,),
    (VatCategory.ZERO,),
    (VatCategory.EXEMPT,),
    (VatCategory.REVERSE_CHARGE,),
    (VatCategory.INTRA_COMMUNITY,),
    (VatCategory.EXPORT,),
    (VatCategory.OUTSIDE_SCOPE,),
    (VatCategory.STANDARD, VatCategory.EXEMPT),
    (VatCategory.STANDARD, VatCategory.ZERO, VatCategory.EXPORT),
]

CASES: list[Invoice] = [
    _invoice(number, categories, currency, extras)
    for number, (categories, currency, extras) in enumerate(
        itertools.product(_CATEGORY_SETS, ["EUR", "JPY", "KWD"], [False, True]), start=1
    )
]
