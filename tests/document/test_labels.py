"""The printed words of documents, in every language docmesh writes."""

from __future__ import annotations

import pytest

from docmesh_common.model.invoice import LANGUAGES, DocumentKind
from docmesh_document.labels import all_tables, labels, locale

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
