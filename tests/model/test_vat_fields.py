"""EN 16931 fields of the shared invoice model: VAT categories, VAT ids, electronic addresses, payment means."""

from __future__ import annotations

from decimal import Decimal

import pydantic
import pytest

from docmesh_common.model.invoice import (
    Invoice,
    LineItem,
    Party,
    PaymentMeans,
    PaymentMeansCode,
    Tax,
    from_proto,
    line_vat_category,
    to_proto,
)
from docmesh_common.model.vat import VatCategory

VAT19 = Tax(name="VAT", rate_percent=Decimal(19))


def _line(**fields: object) -> LineItem:
    return LineItem(description="Work", unit_price=Decimal(10), **fields)  # type: ignore[arg-type]


def test_a_line_under_a_named_tax_above_zero_is_standard_rated_at_that_rate() -> None:
    assert line_vat_category(_line(), [VAT19]) == (VatCategory.STANDARD, Decimal(19))


def test_a_line_under_a_zero_rate_tax_is_zero_rated() -> None:
    assert line_vat_category(_line(), [Tax(name="VAT", rate_percent=Decimal(0))]) == (
        VatCategory.ZERO,
        Decimal(0),
    )


def test_a_tax_exempt_line_is_exempt() -> None:
    assert line_vat_category(_line(tax_exempt=True), [VAT19]) == (VatCategory.EXEMPT, Decimal(0))


def test_a_line_no_tax_applies_to_is_outside_the_scope_of_vat() -> None:
    assert line_vat_category(_line(), []) == (VatCategory.OUTSIDE_SCOPE, Decimal(0))


def test_a_line_under_two_taxes_has_no_en16931_category() -> None:
    with pytest.raises(ValueError, match="2 taxes"):
        line_vat_category(_line(), [VAT19, Tax(name="PST", rate_percent=Decimal(7))])


def test_an_explicit_reverse_charge_line_is_refused_while_a_taxed_rate_applies_to_it() -> None:
    with pytest.raises(pydantic.ValidationError, match="charges no VAT"):
        Invoice(taxes=[VAT19], line_items=[_line(vat_category=VatCategory.REVERSE_CHARGE)])


def test_an_explicit_reverse_charge_line_outside_every_tax_keeps_its_category() -> None:
    line = _line(vat_category=VatCategory.REVERSE_CHARGE, tax_exempt=True)
    Invoice(taxes=[VAT19], line_items=[line])
    assert line_vat_category(line, [VAT19]) == (VatCategory.REVERSE_CHARGE, Decimal(0))


def test_shipping_may_only_be_in_a_category_without_vat() -> None:
    with pytest.raises(pydantic.ValidationError, match="shipping is not taxed"):
        Invoice(shipping_vat_category=VatCategory.STANDARD)


def test_a_vat_id_is_normalized_and_needs_a_country_prefix() -> None:
    assert Party(vat_id="de 123.456.789").vat_id == "DE123456789"
    assert Party(vat_id="EL123456789").vat_id == "EL123456789"
    with pytest.raises(pydantic.ValidationError, match="country prefix"):
        Party(vat_id="123456789")
    with pytest.raises(pydantic.ValidationError, match="country prefix"):
        Party(vat_id="QQ123456789")


def test_an_electronic_address_needs_its_scheme() -> None:
    with pytest.raises(pydantic.ValidationError, match="scheme"):
        Party(endpoint_id="4000001123452")


def test_an_iban_is_checked_and_compacted() -> None:
    means = PaymentMeans(iban="DE89 3704 0044 0532 0130 00", bic="COBADEFFXXX")
    assert means.iban == "DE89370400440532013000"
    with pytest.raises(pydantic.ValidationError):
        PaymentMeans(iban="DE89370400440532013001")


def test_a_card_payment_carries_no_iban() -> None:
    with pytest.raises(pydantic.ValidationError, match="credit transfer"):
        PaymentMeans(code=PaymentMeansCode.CARD, iban="DE89370400440532013000")


def test_every_en16931_field_survives_the_wire() -> None:
    invoice = Invoice(
        seller=Party(name="Acme", vat_id="DE123456789", endpoint_id="DE123456789", endpoint_scheme="9930"),
        taxes=[VAT19],
        line_items=[
            _line(),
            _line(
                tax_exempt=True,
                vat_category=VatCategory.INTRA_COMMUNITY,
                vat_exemption_reason="Intra-community supply",
                vat_exemption_reason_code="VATEX-EU-IC",
            ),
        ],
        payment_means=PaymentMeans(iban="DE89370400440532013000", bic="COBADEFFXXX", account_name="Acme"),
        buyer_reference="04011000-12345-34",
        shipping=Decimal(5),
        shipping_vat_category=VatCategory.EXEMPT,
    )
    assert from_proto(to_proto(invoice)) == invoice
