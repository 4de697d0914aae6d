"""Credit-note and e-invoice replies in the language of the request (credit_notes.py and
einvoice_chat.py through the builtin's reply tables, languages/document_replies.py), over real
gRPC servers (session on PostgreSQL + Redis, document, builtin agent)."""

from __future__ import annotations

import datetime as dt

import pytest

from docmesh_agent.builtin import interpret
from docmesh_agent.builtin.translate import reply_in
from docmesh_agent.credit_notes import read_credit_request
from tests.agent.conftest import Mesh

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.mark.parametrize(
    ("request_text", "reply"),
    [
        (
            "factura rectificativa de FAC-2026-9999",
            "No encontré ninguna factura finalizada con el número FAC-2026-9999",
        ),
        ("Gutschrift zu RE-2026-9999", "keine abgeschlossene Rechnung mit der Nummer RE-2026-9999"),
        ("un avoir pour la facture FA-2026-9999", "aucune facture finalisée portant le numéro FA-2026-9999"),
        ("credit note for INV-2026-9999", "I found no finalized invoice numbered INV-2026-9999"),
    ],
)
async def test_an_unknown_invoice_number_is_asked_about_in_the_requests_language(
    mesh: Mesh, request_text: str, reply: str
) -> None:
    asked = await mesh.builtin_caller().chat(request_text)

    assert reply in asked.reply


async def test_the_credit_note_made_says_so_in_the_requests_language(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    first = await caller.chat("Factura para Acme S.L.: 3 horas de consultoría a 50 €")
    invoice = await caller.chat("finalízalo", first.session_id)

    credit = await caller.chat(f"factura rectificativa de {invoice.invoice.number}")

    assert credit.reply.startswith(
        f"Aquí tiene una factura rectificativa de la factura {invoice.invoice.number}"
    )
    assert "«finalízalo»" in credit.reply


def test_a_credit_request_carries_the_language_of_its_words() -> None:
    languages = [
        (read_credit_request(text) or pytest.fail(text)).language
        for text in ("factura rectificativa de F-1", "Gutschrift zu R-1", "un avoir pour la facture F-1")
    ]
    assert languages == ["es", "de", "fr"]


def test_a_language_without_tables_keeps_the_english_reply() -> None:
    assert reply_in("There is no document yet: tell me what to invoice first.", "") == (
        "There is no document yet: tell me what to invoice first."
    )
    assert reply_in("There is no document yet: tell me what to invoice first.", "de") == (
        "Es gibt noch kein Dokument: sagen Sie mir zuerst, was in Rechnung gestellt werden soll."
    )


@pytest.mark.parametrize(
    ("message", "description"),
    [
        (
            "Rechnung an Bäckerei Nowak, Fehlersuche und Reparatur Backofen 210 €",
            "Fehlersuche und Reparatur Backofen",
        ),
        ("Factura para Marta Gil: baño y corte 35 €", "Baño y corte"),
        ("Rechnung an Metzgerei Frank: die Beleuchtung im Laden 240 €", "Beleuchtung im Laden"),
        ("Factura para Talleres Ruiz: la instalación del termo 320 €", "Instalación del termo"),
    ],
)
def test_a_description_keeps_the_clients_words_without_a_leading_article(
    message: str, description: str
) -> None:
    result = interpret(message, None, today=dt.date(2026, 3, 12))
    assert result.invoice is not None, result.reply
    assert [i.description for i in result.invoice.line_items] == [description]


@pytest.mark.parametrize(
    ("message", "price_word"),
    [
        ("fais une facture pour Boulangerie Martin pour le nettoyage de la vitrine", "prix"),
        ("Schreib mir eine Rechnung an Familie Köhler für die Außenbeleuchtung", "Preis"),
        ("hazme una factura para Clínica Dental Sonrisa por el desatasco", "precio"),
    ],
)
def test_a_request_opened_by_an_asking_verb_is_a_request_and_asks_the_price(
    message: str, price_word: str
) -> None:
    # 'fais une facture ...' got the English help text: the verb hid the kind word.
    result = interpret(message, None, today=dt.date(2026, 3, 12))
    assert result.action == "question"
    assert price_word in result.reply
