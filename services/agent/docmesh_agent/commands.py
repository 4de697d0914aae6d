"""Chat commands the turn recognises itself, in English, Spanish, German and French, whatever
the provider: finalize the document, save its buyer as a customer, start a new version of a
finalized document, and a message that starts a new document.

Commands are short, so a message is compared whole with each phrasing after folding case,
accents and punctuation; rapidfuzz's ratio lets a typo through ("finalise it", "mark as finl")
while a longer message that only mentions a command word ("send it to Acme's office") stays
an ordinary message.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from rapidfuzz import fuzz, process

# How close a message must be to a phrasing (0-100) to count as that command.
MIN_SCORE = 85


class Command(StrEnum):
    FINALIZE = "finalize"
    SAVE_CUSTOMER = "save_customer"
    NEW_VERSION = "new_version"


_PHRASES: dict[Command, tuple[str, ...]] = {
    Command.FINALIZE: (
        # en
        "finalize",
        "finalize it",
        "finalise it",
        "finalize the document",
        "finalize the invoice",
        "send it",
        "send",
        "mark as final",
        "mark it as final",
        "finalize it anyway",
        "send it anyway",
        # es
        "finalizar",
        "finalizalo",
        "finaliza el documento",
        "envialo",
        "enviar",
        "marcar como final",
        "marcalo como final",
        "finalizalo de todos modos",
        # de
        "abschliessen",
        "finalisieren",
        "schliess es ab",
        "senden",
        "schick es",
        "als final markieren",
        "als endgultig markieren",
        "trotzdem abschliessen",
        # fr
        "finaliser",
        "finalise le",
        "envoie le",
        "envoyer",
        "marquer comme final",
        "marquer comme definitif",
        "finalise le quand meme",
    ),
    Command.SAVE_CUSTOMER: (
        "add this customer",
        "save this customer",
        "save the customer",
        "save customer",
        "save as a customer",
        "anadir este cliente",
        "agregar este cliente",
        "guardar este cliente",
        "guardar cliente",
        "diesen kunden speichern",
        "kunden hinzufugen",
        "kunde speichern",
        "kunden anlegen",
        "ajouter ce client",
        "enregistrer ce client",
        "enregistrer le client",
    ),
    Command.NEW_VERSION: (
        "yes",
        "new version",
        "start a new version",
        "si",
        "nueva version",
        "ja",
        "neue version",
        "oui",
        "nouvelle version",
    ),
}
_POLITE = re.compile(r"\b(?:please|por favor|bitte|s il (?:te|vous) plait|svp)\b")
# "save Acme as a customer" in the four languages: the name is the document's buyer, whatever it says.
_SAVE_NAMED = re.compile(
    r"^(?:save|add) .+ as (?:a |my )?(?:new )?customer"
    r"|^(?:guarda|guardar|anade|anadir|agrega|agregar) (?:a )?.+ como (?:nuevo )?cliente"
    r"|^.+ als (?:neuen )?kunden? (?:speichern|anlegen|hinzufugen)"
    r"|^(?:enregistre|enregistrer|ajoute|ajouter) .+ comme (?:nouveau )?client"
)
# A message that starts a document rather than changing one ("Invoice Globex for ...").
_NEW_DOCUMENT = re.compile(
    r"^(?:new |nueva |nuevo |neue |neues |nouvelle |nouveau )?"
    r"(?:invoice|quote|receipt|purchase order|factura|presupuesto|cotizacion|recibo|orden de compra"
    r"|rechnung|angebot|quittung|bestellung|facture|devis|recu|bon de commande)\b"
)


def normalized(message: str) -> str:
    """Lower case, accents folded, punctuation gone, polite words dropped, one space between words."""
    folded = unicodedata.normalize("NFKD", message.lower()).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", " ", folded)
    return " ".join(_POLITE.sub(" ", words).split())


def read_command(message: str) -> Command | None:
    """The command `message` is, or None for an ordinary message."""
    text = normalized(message)
    if not text:
        return None
    if _SAVE_NAMED.match(text):
        return Command.SAVE_CUSTOMER
    best: tuple[Command, float] | None = None
    for command, phrases in _PHRASES.items():
        found = process.extractOne(text, phrases, scorer=fuzz.ratio, score_cutoff=MIN_SCORE)
        if found is not None and (best is None or found[1] > best[1]):
            best = (command, found[1])
    return best[0] if best else None


def starts_new_document(message: str) -> bool:
    """Whether `message` asks for a new document ("Invoice Globex for 3 widgets")."""
    return _NEW_DOCUMENT.match(normalized(message)) is not None
