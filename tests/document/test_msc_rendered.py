"""Invoices from the renderer pass the MSC validator, including the invoice arithmetic checks.

The invoice checks find the item table by its header labels; this keeps them in step with the
layout that :mod:`docmesh_document.render` produces.
"""

from __future__ import annotations

import pytest

from docmesh_document import render
from docmesh_document.invoice_checks import validate_invoice
from docmesh_document.msc import serialize
from tests.document import invoice_shapes as shapes

NAMED = shapes.named_shapes()


@pytest.mark.parametrize("name", sorted(NAMED))
def test_rendered_invoice_has_no_errors_and_consistent_arithmetic(name: str) -> None:
    findings = validate_invoice(render.render_invoice(NAMED[name]).text())
    problems = [f for f in findings if f.severity == "error" or f.code.startswith("invoice-")]
    assert problems == []


@pytest.mark.parametrize("seed", range(25))
def test_random_rendered_invoice_has_consistent_arithmetic(seed: int) -> None:
    findings = validate_invoice(render.render_invoice(shapes.random_invoice(seed)).text())
    assert [f for f in findings if f.code.startswith("invoice-")] == []


def test_a_tampered_rendered_total_is_found() -> None:
    rendered = render.render_invoice(shapes.invoice())
    sheet = rendered.document.sheet
    sheet.cells[rendered.cells.total].formula = rendered.cells.subtotal  # drops the tax
    findings = validate_invoice(serialize(rendered.document))
    assert [f.cell for f in findings if f.code == "invoice-total"] == [rendered.cells.total]
