"""The printed words of documents, in every language docmesh writes."""

from __future__ import annotations

import pytest

from docmesh_common.model.invoice import LANGUAGES, DocumentKind, Party
from docmesh_document.labels import all_tables, labels, locale, party_lines

PER_KIND = ("titles", "number", "issue_date", "due_date", "party_blocks")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("field", PER_KIND)
def test_every_language_names_every_document_kind(language: str, field: str) -> None:
    assert set(getattr(all_tables()[language], field)) == set(DocumentKind)


def test_a_regional_or_upper_case_language_gets_its_language_s_words() -> None:
    assert labels("de-AT").titles[DocumentKind.INVOICE] == "Rechnung"
    assert labels("FR").titles[DocumentKind.QUOTE] == "Devis"


def test_an_unknown_language_gets_english() -> None:
    assert labels("xx").titles[DocumentKind.RECEIPT] == "Receipt"
    assert locale("xx") == "en_US"


def test_a_german_address_puts_the_postal_code_before_the_city() -> None:
    party = Party(name="Muster GmbH", postal_code="10115", city="Berlin", country_code="DE")
    assert "10115 Berlin" in party_lines(party, "de")


def test_a_us_address_puts_the_postal_code_after_the_city() -> None:
    party = Party(name="Acme", postal_code="62701", city="Springfield", country_code="US")
    assert "Springfield 62701" in party_lines(party, "en")
