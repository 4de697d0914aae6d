"""The chat commands the turn recognises itself (commands.py)."""

from __future__ import annotations

import pytest

from docmesh_agent.commands import Command, read_command, starts_new_document


@pytest.mark.parametrize(
    "text",
    [
        "finalize it",
        "Finalise it please.",
        "send it",
        "mark as final",
        "mark as finl",
        "finalzie it",
        "finalízalo",
        "márcalo como final",
        "schließ es ab",
        "als endgültig markieren",
        "finaliser",
        "marquer comme définitif",
    ],
)
def test_finalize_is_recognised_in_four_languages_and_with_typos(text: str) -> None:
    assert read_command(text) == Command.FINALIZE


@pytest.mark.parametrize(
    "text",
    [
        "save Acme as a customer",
        "add this customer",
        "guardar a Globex como cliente",
        "añadir este cliente",
        "Acme als Kunden speichern",
        "Kunden hinzufügen",
        "enregistrer Globex comme client",
        "ajouter ce client",
    ],
)
def test_saving_the_buyer_as_a_customer_is_recognised_in_four_languages(text: str) -> None:
    assert read_command(text) == Command.SAVE_CUSTOMER


@pytest.mark.parametrize("text", ["yes", "Yes!", "new version", "sí", "neue Version", "oui"])
def test_yes_and_new_version_answer_the_new_version_question(text: str) -> None:
    assert read_command(text) == Command.NEW_VERSION


@pytest.mark.parametrize(
    "text",
    [
        "send it to Acme's office in Berlin",
        "add 2 hours of QA at $80",
        "make it a quote",
        "finalize the due date as next Friday and add shipping",
        "undo",
    ],
)
def test_ordinary_messages_are_no_command(text: str) -> None:
    assert read_command(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Invoice Globex for 3 x Widget @ 12.50",
        "Quote for Acme: 2 chairs",
        "Rechnung an Müller",
        "Devis pour X",
    ],
)
def test_a_message_naming_a_kind_first_starts_a_new_document(text: str) -> None:
    assert starts_new_document(text)


def test_an_edit_does_not_start_a_new_document() -> None:
    assert not starts_new_document("add 2 hours of QA at $80")
