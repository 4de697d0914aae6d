"""CII D16B exports pass the Factur-X EN 16931 XSD and schematron (the official artefacts)."""

from __future__ import annotations

import pytest

from docmesh_common.model.invoice import Invoice
from docmesh_document.einvoice.cii import to_cii
from tests.document.einvoice_cases import CASES
from tests.document.einvoice_validators import CII_SCHEMATRON, CII_XSD, schematron_report, xsd_errors


@pytest.mark.parametrize("invoice", CASES, ids=lambda inv: f"{inv.number}-{inv.currency_code}")
def test_the_cii_export_is_schema_valid(invoice: Invoice) -> None:
    assert xsd_errors(to_cii(invoice), CII_XSD) == []


@pytest.mark.parametrize("invoice", CASES, ids=lambda inv: f"{inv.number}-{inv.currency_code}")
def test_the_cii_export_passes_the_en16931_schematron(invoice: Invoice) -> None:
    fired, fatal = schematron_report(to_cii(invoice), CII_SCHEMATRON)
    assert fired > 0, "the validator did not run"
    assert fatal == []
