"""The builtin interpreter on the request and edit corpora (tests/agent/corpus/*.yaml).

One test per corpus entry, named after it. Expectations are written as a person reads the
message; a field the entry does not mention must keep its default (requests) or its value in
the base document (edits), so an extra or wrong reading fails too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from docmesh_agent.builtin import Interpretation, interpret
from docmesh_common.model.invoice import (
    Discount,
    DocumentKind,
    Invoice,
    LineItem,
    Party,
    Tax,
    from_proto,
    to_proto,
)

CORPUS = Path(__file__).parent / "corpus"


def _load(name: str) -> dict[str, Any]:
    with (CORPUS / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


REQUESTS = _load("requests.yaml")
EDITS = _load("edits.yaml")


def _dec(value: Any) -> Decimal:
    # YAML reads 12.50 as a float; going through str keeps the digits as written.
    return Decimal(str(value))


def _discount(spec: Any) -> Discount:
    if isinstance(spec, dict):
        return Discount(
            description=spec.get("description", ""),
            percent=_dec(spec["percent"]) if "percent" in spec else None,
            amount=_dec(spec["amount"]) if "amount" in spec else None,
        )
    text = str(spec)
    if text.endswith("%"):
        return Discount(percent=_dec(text[:-1]))
    return Discount(amount=_dec(text))


def _item(spec: list[Any]) -> LineItem:
    # The optional fifth element is a line discount ("10%") or {discount, tax_names, tax_exempt}.
    description, quantity, unit, price, *rest = spec
    extra = rest[0] if rest else {}
    if not isinstance(extra, dict):
        extra = {"discount": extra}
    return LineItem(
        description=description,
        quantity=_dec(quantity),
        unit=unit,
        unit_price=_dec(price),
        discount=_discount(extra["discount"]) if "discount" in extra else None,
        tax_names=extra.get("tax_names", []),
        tax_exempt=extra.get("tax_exempt", False),
    )


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def expected_invoice(spec: dict[str, Any], today: dt.date) -> Invoice:
    """The invoice a spec describes; every field it leaves out has its default."""
    return Invoice(
        kind=DocumentKind(spec.get("kind", "invoice")),
        number=str(spec.get("number", "")),
        currency_code=spec.get("currency", "USD"),
        issue_date=(
            _date(spec["issue_date"])
            if spec.get("issue_date")
            else today + dt.timedelta(days=spec.get("issue_in_days", 0))
        ),
        due_date=(
            _date(spec["due_date"])
            if spec.get("due_date")
            else today + dt.timedelta(days=spec["due_in_days"])
            if spec.get("due_in_days") is not None
            else None
        ),
        payment_terms=spec.get("payment_terms", ""),
        seller=Party(
            name=spec.get("seller", ""),
            address_lines=spec.get("seller_address", []),
            email=spec.get("seller_email", ""),
        ),
        buyer=Party(
            name=spec.get("buyer", ""),
            address_lines=spec.get("buyer_address", []),
            email=spec.get("buyer_email", ""),
            phone=spec.get("buyer_phone", ""),
            tax_id=spec.get("buyer_tax_id", ""),
        ),
        line_items=[_item(i) for i in spec.get("items", [])],
        taxes=[Tax(name=n, rate_percent=_dec(r)) for n, r in (spec.get("taxes") or {}).items()],
        discounts=[_discount(d) for d in spec.get("discounts", [])],
        shipping=_dec(spec["shipping"]) if spec.get("shipping") is not None else None,
        notes=spec.get("notes", ""),
        reference=str(spec.get("reference", "")),
        valid_until=(
            _date(spec["valid_until"])
            if spec.get("valid_until")
            else today + dt.timedelta(days=spec["valid_in_days"])
            if spec.get("valid_in_days") is not None
            else None
        ),
        amount_paid=_dec(spec["amount_paid"]) if spec.get("amount_paid") is not None else None,
        payment_method=spec.get("payment_method", ""),
    )


def _comparable(inv: Invoice) -> dict[str, Any]:
    # Decimal("12.50") == Decimal("12.5"), but the dumps would show both; compare values.
    return inv.model_dump()


def _check_question(result: Interpretation, expect: dict[str, Any]) -> None:
    assert result.action == "question", result.reply
    assert result.invoice is None
    if "missing" in expect:
        assert result.missing == tuple(expect["missing"])
    if "reply" in expect:
        assert result.reply == expect["reply"]
    if "reply_contains" in expect:
        assert expect["reply_contains"] in result.reply


@pytest.mark.parametrize("case", REQUESTS["cases"], ids=[c["name"] for c in REQUESTS["cases"]])
def test_builtin_request(case: dict[str, Any]) -> None:
    today = _date(REQUESTS["today"])
    expect = case["expect"]
    result = interpret(case["message"], None, today=today, history=case.get("history", []))
    action = expect.get("action", "generate")
    if action == "question":
        _check_question(result, expect)
        return
    assert result.action == action, result.reply
    assert result.invoice is not None
    assert _comparable(result.invoice) == _comparable(expected_invoice(expect, today)), result.reply
    assert from_proto(to_proto(result.invoice)) == result.invoice, "the invoice survives the wire"


def _edit_expectation(base: dict[str, Any], expect: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in expect.items():
        if key in ("action", "reply_contains", "missing", "reply"):
            continue
        if key == "due_date":
            merged.pop("due_in_days", None)
        if key == "due_in_days":
            merged.pop("due_date", None)
        merged[key] = value
    return merged


@pytest.mark.parametrize("case", EDITS["cases"], ids=[c["name"] for c in EDITS["cases"]])
def test_builtin_edit(case: dict[str, Any]) -> None:
    today = _date(EDITS["today"])
    base_spec = EDITS["bases"][case["base"]]
    current = expected_invoice(base_spec, today)
    expect = case["expect"]
    result = interpret(case["message"], current, today=today, history=case.get("history", []))
    action = expect.get("action", "edit")
    if action == "question":
        _check_question(result, expect)
        return
    if action == "undo":
        assert result.action == "undo", result.reply
        assert result.invoice is None
        return
    assert result.action == action, result.reply
    assert result.invoice is not None
    if action == "generate":
        wanted = expected_invoice(expect, today)
    else:
        wanted = expected_invoice(_edit_expectation(base_spec, expect), today)
        assert result.changes, "an edit says what changed"
    assert _comparable(result.invoice) == _comparable(wanted), result.reply


def test_corpus_sizes_meet_the_issue() -> None:
    assert len(REQUESTS["cases"]) >= 60
    assert len(EDITS["cases"]) >= 40
    names = [c["name"] for c in REQUESTS["cases"] + EDITS["cases"]]
    assert len(names) == len(set(names)), "corpus case names are unique"
