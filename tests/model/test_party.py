"""A party's address, country and registration fields on the shared invoice model."""

from __future__ import annotations

import pydantic
import pytest

from docmesh_common.model.invoice import Invoice, Party, from_proto, to_proto


def test_a_country_code_is_stored_in_upper_case() -> None:
    assert Party(country_code="de").country_code == "DE"


@pytest.mark.parametrize("code", ["XX", "DEU", "1A"])
def test_a_code_that_is_not_an_iso_3166_country_is_refused(code: str) -> None:
    with pytest.raises(pydantic.ValidationError, match="country_code"):
        Party(country_code=code)


def test_every_party_field_survives_the_wire() -> None:
    seller = Party(
        name="Acme GmbH",
        address_lines=["Hauptstr. 1"],
        email="billing@acme.example",
        phone="+49 30 1234",
        tax_id="DE123456789",
        postal_code="10115",
        city="Berlin",
        country_code="DE",
        company_id="HRB 12345",
        website="https://acme.example",
    )
    assert from_proto(to_proto(Invoice(seller=seller))).seller == seller


def test_a_party_with_only_a_city_is_not_empty() -> None:
    assert not Party(city="Berlin").is_empty()
    assert Party().is_empty()
