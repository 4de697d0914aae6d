"""Invoices of many shapes, shared by the render, export and service tests.

Each shape is a plain dict validated into :class:`Invoice`, so a test reads what it covers.
``random_invoice(seed)`` builds reproducible invoices with the awkward decimals that trip
float arithmetic (exact halves such as 1.005, sub-cent unit prices, 4-decimal quantities).
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from docmesh_common.model.invoice import Invoice

HOSTILE_TEXTS = [
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    '=HYPERLINK("http://evil","x")',
    "Colons: a:b:c and \\c and \\n literal",
    "Line one\nLine two: with colon\nLine three \\ backslash",
    "<script>alert('x')</script> & <b>bold</b>",
    "Ünïcödé — 日本語テキスト — emoji 🎉 — ١٢٣",
]


def invoice(**overrides: Any) -> Invoice:
    """A small, complete USD invoice; ``overrides`` replace top-level fields."""
    data: dict[str, Any] = {
        "kind": "invoice",
        "number": "INV-2026-0042",
        "currency_code": "USD",
        "issue_date": "2026-03-15",
        "due_date": "2026-04-14",
        "payment_terms": "Net 30",
        "seller": {
            "name": "Docmesh Consulting",
            "address_lines": ["1 Main St", "Springfield"],
            "tax_id": "GB123",
        },
        "buyer": {"name": "Acme Corp", "email": "ap@acme.example"},
        "line_items": [{"description": "Consulting", "quantity": "10", "unit": "hours", "unit_price": "150"}],
        "taxes": [{"name": "Sales tax", "rate_percent": "8"}],
    }
    data.update(overrides)
    return Invoice.model_validate(data)


def _line(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "description": f"Item {i}",
        "quantity": str(1 + i % 7),
        "unit_price": f"{(i * 37) % 500}.{i % 100:02d}",
        **extra,
    }


def named_shapes() -> dict[str, Invoice]:
    """Hand-picked shapes: each covers one feature or one rounding trap."""
    gst_pst = [{"name": "GST", "rate_percent": "5"}, {"name": "PST", "rate_percent": "7"}]
    shapes: dict[str, Invoice] = {
        "one-line-no-tax": invoice(taxes=[], line_items=[{"description": "Widget", "unit_price": "9.99"}]),
        "one-line-tax": invoice(),
        "no-lines": invoice(line_items=[]),
        "gst-pst": invoice(
            currency_code="CAD",
            taxes=gst_pst,
            line_items=[
                {"description": "Taxed by both", "quantity": "3", "unit_price": "19.99"},
                {"description": "GST only", "quantity": "1", "unit_price": "250", "tax_names": ["GST"]},
                {"description": "PST only", "quantity": "2", "unit_price": "0.75", "tax_names": ["pst"]},
                {"description": "Exempt", "quantity": "1", "unit_price": "40", "tax_exempt": True},
            ],
        ),
        "line-discounts": invoice(
            line_items=[
                {
                    "description": "Percent off",
                    "quantity": "3",
                    "unit_price": "33.33",
                    "discount": {"percent": "15"},
                },
                {
                    "description": "Amount off",
                    "quantity": "1",
                    "unit_price": "80",
                    "discount": {"amount": "12.5"},
                },
                {
                    "description": "Amount above gross",
                    "quantity": "1",
                    "unit_price": "5",
                    "discount": {"amount": "9"},
                },
                {
                    "description": "Full",
                    "quantity": "2",
                    "unit_price": "7.77",
                    "discount": {"percent": "100"},
                },
                {"description": "None", "quantity": "1", "unit_price": "1"},
            ]
        ),
        "whole-percent-discount": invoice(discounts=[{"description": "Loyalty", "percent": "10"}]),
        "whole-amount-discount": invoice(discounts=[{"amount": "49.99"}]),
        "whole-discount-above-subtotal": invoice(
            discounts=[{"amount": "5000"}], line_items=[{"description": "Small", "unit_price": "12"}]
        ),
        "several-whole-discounts-pro-rata": invoice(
            taxes=gst_pst,
            discounts=[
                {"description": "Early", "percent": "2.5"},
                {"description": "Voucher", "amount": "10.01"},
            ],
            line_items=[
                {"description": "A", "quantity": "7", "unit_price": "13.13", "tax_names": ["GST"]},
                {"description": "B", "quantity": "1", "unit_price": "99.99"},
                {"description": "C", "quantity": "2.5", "unit_price": "3.3333", "tax_exempt": True},
            ],
        ),
        "jpy": invoice(
            currency_code="JPY",
            taxes=[{"name": "Consumption tax", "rate_percent": "10"}],
            discounts=[{"percent": "3"}],
            line_items=[
                {"description": "Tea", "quantity": "3", "unit_price": "1250"},
                {"description": "Cups", "quantity": "7", "unit_price": "333.5"},
            ],
            shipping="800",
        ),
        "kwd": invoice(
            currency_code="KWD",
            taxes=[{"name": "VAT", "rate_percent": "5"}],
            line_items=[
                {"description": "Service", "quantity": "1.5", "unit_price": "12.345"},
                {"description": "Parts", "quantity": "3", "unit_price": "0.1235"},
            ],
            discounts=[{"amount": "0.5"}],
            shipping="1.250",
        ),
        "clf-four-digits": invoice(
            currency_code="CLF",
            line_items=[{"description": "Indexed", "quantity": "1.3333", "unit_price": "2.7183"}],
        ),
        "half-up-ties": invoice(
            taxes=[{"name": "Tax", "rate_percent": "10"}],
            line_items=[
                {"description": "1.005", "quantity": "1", "unit_price": "1.005"},
                {"description": "3 x 0.335", "quantity": "3", "unit_price": "0.335"},
                {"description": "0.125", "quantity": "1", "unit_price": "0.125"},
                {"description": "1.015", "quantity": "1", "unit_price": "1.015"},
                {"description": "tax tie", "quantity": "1", "unit_price": "0.25"},
            ],
        ),
        "half-even-ties": invoice(
            rounding_mode="half_even",
            taxes=[{"name": "Tax", "rate_percent": "10"}],
            discounts=[{"amount": "0.03"}],
            line_items=[
                {"description": "0.125 -> 0.12", "quantity": "1", "unit_price": "0.125"},
                {"description": "0.135 -> 0.14", "quantity": "1", "unit_price": "0.135"},
                {"description": "1.005", "quantity": "1", "unit_price": "1.005"},
                {
                    "description": "2.5% of 0.5",
                    "quantity": "1",
                    "unit_price": "0.5",
                    "discount": {"percent": "5"},
                },
                {"description": "exempt", "quantity": "1", "unit_price": "0.4", "tax_exempt": True},
            ],
        ),
        "jpy-half-even-ties": invoice(
            currency_code="JPY",
            rounding_mode="half_even",
            taxes=[{"name": "Consumption tax", "rate_percent": "10"}],
            line_items=[
                {"description": "2.5 -> 2", "quantity": "1", "unit_price": "2.5", "tax_exempt": True},
                {"description": "3.5 -> 4", "quantity": "1", "unit_price": "3.5", "tax_exempt": True},
                {
                    "description": "tax on 25 -> 2",
                    "quantity": "5",
                    "unit_price": "5",
                    "tax_names": ["consumption tax"],
                },
            ],
        ),
        "kwd-half-even-ties": invoice(
            currency_code="KWD",
            rounding_mode="half_even",
            taxes=[{"name": "VAT", "rate_percent": "5"}],
            discounts=[{"percent": "2.5"}],
            line_items=[
                {"description": "0.0125 -> 0.012", "quantity": "1", "unit_price": "0.0125"},
                {"description": "0.0135 -> 0.014", "quantity": "1", "unit_price": "0.0135"},
                {"description": "0.5 x 1.0025", "quantity": "0.5", "unit_price": "1.0025"},
            ],
        ),
        "pro-rata-exact-tie": invoice(
            # taxable 100.00 of subtotal 200.00 less 0.03: base 99.985 exactly (a tie).
            taxes=[{"name": "Tax", "rate_percent": "10"}],
            discounts=[{"amount": "0.03"}],
            line_items=[
                {"description": "Taxed", "quantity": "1", "unit_price": "100"},
                {"description": "Exempt", "quantity": "1", "unit_price": "100", "tax_exempt": True},
            ],
        ),
        "pro-rata-exact-tie-half-even": invoice(
            rounding_mode="half_even",
            taxes=[{"name": "Tax", "rate_percent": "10"}],
            discounts=[{"amount": "0.03"}],
            line_items=[
                {"description": "Taxed", "quantity": "1", "unit_price": "100"},
                {"description": "Exempt", "quantity": "1", "unit_price": "100", "tax_exempt": True},
            ],
        ),
        "large-amounts": invoice(
            line_items=[
                {"description": "Plant", "quantity": "3", "unit_price": "2999999.995"},
                {"description": "Fees", "quantity": "1234.5678", "unit_price": "987.6543"},
            ],
            discounts=[{"amount": "12345.67"}],
            taxes=[{"name": "VAT", "rate_percent": "19"}],
        ),
        "pro-rata-beyond-2-53": invoice(
            # taxable × discount in minor units passes 2^53: the helpers split it.
            taxes=[{"name": "VAT", "rate_percent": "20"}],
            discounts=[{"amount": "2000000.01"}],
            line_items=[
                {"description": "Plant", "quantity": "1", "unit_price": "5000000.03"},
                {"description": "Exempt", "quantity": "1", "unit_price": "999999.99", "tax_exempt": True},
            ],
        ),
        "clf-pro-rata": invoice(
            currency_code="CLF",
            taxes=[{"name": "GST", "rate_percent": "5"}],
            discounts=[{"percent": "67"}],
            line_items=[
                {"description": "x", "quantity": "250.6", "unit_price": "296", "discount": {"percent": "1"}}
            ],
        ),
        "hostile-text": invoice(
            number="=1+1",
            payment_terms="@now: pay",
            reference="-ref:1",
            notes="\n".join(HOSTILE_TEXTS),
            seller={"name": HOSTILE_TEXTS[0], "address_lines": HOSTILE_TEXTS[5:8]},
            buyer={"name": "+buyer: name", "email": "-x@y"},
            taxes=[{"name": "=TAX", "rate_percent": "5"}],
            discounts=[{"description": "@discount", "percent": "1"}],
            line_items=[
                {"description": text, "unit": "-u", "sku": "=SKU:1", "unit_price": "1.5"}
                for text in HOSTILE_TEXTS
            ],
        ),
        "long-unicode-text": invoice(
            title="Facture pro forma: édition spéciale",
            notes=("Zahlbar innerhalb von 30 Tagen: danke! " * 40).strip(),
            line_items=[{"description": ("Beschreibung: ÄÖÜ ß – " * 9).strip(), "unit_price": "10"}],
        ),
        "quote": invoice(kind="quote", number="Q-7", valid_until="2026-05-01", due_date=None),
        "receipt-paid-in-full": invoice(
            kind="receipt", amount_paid="1620", payment_method="Visa ending 4242", due_date=None
        ),
        "receipt-partial": invoice(kind="receipt", amount_paid="100.456", payment_method="Cash"),
        "receipt-without-amount-paid": invoice(kind="receipt"),
        "purchase-order": invoice(
            kind="purchase_order", number="PO-9", reference="REQ-1", shipping="25", payment_terms="Net 45"
        ),
        "invoice-with-deposit": invoice(amount_paid="500"),
        "two-hundred-lines": invoice(
            taxes=gst_pst,
            discounts=[{"percent": "4"}, {"amount": "100"}],
            shipping="49.95",
            line_items=[
                _line(
                    i,
                    **({"tax_names": ["GST"]} if i % 5 == 0 else {}),
                    **({"tax_exempt": True} if i % 11 == 0 else {}),
                    **({"discount": {"percent": "12.5"}} if i % 7 == 0 else {}),
                    **({"discount": {"amount": "3.21"}} if i % 13 == 0 and i % 7 else {}),
                    **({"unit": "pcs", "sku": f"SKU-{i}"} if i % 3 == 0 else {}),
                )
                for i in range(200)
            ],
        ),
    }
    return shapes


def _decimal(rng: random.Random, whole_max: int, places: int) -> str:
    return str(Decimal(rng.randint(0, whole_max * 10**places)).scaleb(-places))


def random_invoice(seed: int) -> Invoice:
    """A reproducible invoice with random decimals, taxes, discounts and currency."""
    rng = random.Random(seed)
    currency = rng.choice(["USD", "EUR", "JPY", "KWD", "GBP"])
    taxes = [
        {"name": name, "rate_percent": rng.choice(["5", "7", "8.25", "19", "0", "12.5", "9.975"])}
        for name in rng.sample(["GST", "PST", "VAT", "City"], rng.randint(0, 3))
    ]
    lines = []
    for i in range(rng.randint(1, 12)):
        line: dict[str, Any] = {
            "description": f"Line {i}: {rng.choice(HOSTILE_TEXTS)}",
            "quantity": _decimal(rng, 50, rng.choice([0, 0, 1, 2, 4])) if rng.random() < 0.8 else "1",
            "unit_price": _decimal(rng, 2000, rng.choice([0, 2, 2, 3, 4])),
        }
        if line["quantity"] in ("0", "0.0", "0.00", "0.0000") or Decimal(line["quantity"]) == 0:
            line["quantity"] = "1"
        if taxes and rng.random() < 0.3:
            line["tax_names"] = [t["name"] for t in rng.sample(taxes, rng.randint(1, len(taxes)))]
        if rng.random() < 0.1:
            line["tax_exempt"] = True
        if rng.random() < 0.25:
            line["discount"] = (
                {"percent": _decimal(rng, 60, rng.choice([0, 1, 2]))}
                if rng.random() < 0.6
                else {"amount": _decimal(rng, 40, 2)}
            )
        lines.append(line)
    discounts = []
    for _ in range(rng.choice([0, 0, 1, 2])):
        discounts.append(
            {"percent": _decimal(rng, 20, rng.choice([0, 2]))}
            if rng.random() < 0.5
            else {"amount": _decimal(rng, 300, 2)}
        )
    data: dict[str, Any] = {
        "kind": rng.choice(["invoice", "quote", "receipt", "purchase_order"]),
        "currency_code": currency,
        "rounding_mode": rng.choice(["half_up", "half_even"]),
        "line_items": lines,
        "taxes": taxes,
        "discounts": discounts,
        "buyer": {"name": "Buyer"},
    }
    if rng.random() < 0.5:
        data["shipping"] = _decimal(rng, 60, 2)
    if rng.random() < 0.3:
        data["amount_paid"] = _decimal(rng, 500, 2)
    return Invoice.model_validate(data)
