"""The agent asks for what an e-invoice still lacks, whatever the provider.

When the person asks for an e-invoice ("send it as an e-invoice", "export UBL", "XRechnung",
"e-Rechnung", "facture électronique", "factura electrónica"), the document service's own rule
decides what is missing: the turn asks it for the UBL export, and its FAILED_PRECONDITION lists
every missing EN 16931 business term (BT/BG number and name). The rule is not copied here; this
module only turns that list into ONE precise question ("What is Acme Corp's VAT number?"), or,
for the seller's data, says which fields of the business profile to fill.

Answers that give the buyer's data ("Acme's VAT number is DE123456789", "their VAT id is
FR…", "address: 12 Elm Rd, 10115 Berlin, Germany") fill the buyer of the current draft; the
next missing term is asked right away, so the conversation walks through them one by one.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from babel import Locale

from docmesh_agent.builtin.translate import detected_language, reply_in
from docmesh_agent.domain import Document, SessionView
from docmesh_agent.ports import CustomerBook, DocumentEngine
from docmesh_agent.rules import base_name
from docmesh_common.errors import FailedPrecondition, Precondition
from docmesh_common.model.country import is_country
from docmesh_common.model.invoice import DocumentKind, Invoice, Party
from docmesh_common.model.vat import is_vat_id, normalize_vat_id

_ASKS = re.compile(
    r"\be ?invoice\b|\be ?invoicing\b|\bubl\b|\bxrechnung\b|\be ?rechnung\b|\bfactur ?x\b|\bzugferd\b"
    r"|\bfactures? electroniques?\b|\bfacturas? electronicas?\b|\belektronische rechnung\b|\bpeppol\b"
)
_E_INVOICE_KINDS = (DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE)
# "finalize it anyway" in the four languages: finalize without the e-invoice's missing data.
_INSISTS = re.compile(r"\b(?:anyway|regardless|de todos modos|igualmente|trotzdem|quand meme|tout de meme)\b")
# Terms a draft lacks until it is finalized: finalizing gives the number and the issue date.
_GIVEN_BY_FINALIZING = frozenset({"BT-1", "BT-2"})
# The business profile's field for each seller term (PATCH /api/v1/profile).
_SELLER_FIELDS = {
    "BT-27": "seller.name",
    "BT-31": "seller.vat_id",
    "BT-32": "seller.tax_id",
    "BT-34": "seller.endpoint_id and seller.endpoint_scheme",
    "BT-35": "seller.address_lines",
    "BT-37": "seller.city",
    "BT-38": "seller.postal_code",
    "BT-40": "seller.country_code",
    "BT-42": "seller.phone",
    "BT-43": "seller.email",
    "BG-16": "bank.iban",
}
_BUYER_ADDRESS = frozenset({"BG-8", "BT-50", "BT-51", "BT-52", "BT-53", "BT-54", "BT-55"})

# "Acme's VAT number is DE123456789", "their VAT id is FR…", "the buyer's VAT ID: …", and the
# same in es/de/fr; the whole message is the answer.
_VAT_ANSWER = re.compile(
    r"^(?:(?:the\s+)?(?:buyer|customer|client)(?:'s)?|their|his|her|its|[\w .&'-]+?'s?|su|ihre|seine|leur|son)?\s*"
    r"(?:vat|tax|iva|nif|cif|ust|tva|mwst)[\w.-]*\s*(?:id|identifier|number|no\.?|nr\.?|numero|nummer|idnr\.?)?"
    r"\s*(?:is|:|=|es|ist|est)?\s*:?\s*(?P<vat>[A-Z]{2}[\s.-]?[A-Z0-9][A-Z0-9\s.-]{1,16})\s*\.?$",
    re.IGNORECASE,
)
# "address: 12 Elm Rd, 10115 Berlin, Germany", "their address is …", "dirección: …", "Adresse: …".
_ADDRESS_ANSWER = re.compile(
    r"^(?:(?:the\s+)?(?:buyer|customer|client)(?:'s)?|their|[\w .&'-]+?'s?|su|ihre|leur)?\s*"
    r"(?:postal\s+|billing\s+)?(?:address|direcci[oó]n|adresse|anschrift)\s*(?:is|:|es|ist|est)?\s*:?\s*(?P<address>.+?)\s*\.?$",
    re.IGNORECASE,
)

# "their Peppol ID is 0088:4012345000009", "electronic address: 9930:DE123456789",
# "electronic address: ap@acme.test" (an e-mail address is scheme EM).
_ENDPOINT_ANSWER = re.compile(
    r"^(?:(?:the\s+)?(?:buyer|customer|client)(?:'s)?|their|[\w .&'-]+?'s?)?\s*"
    r"(?:electronic\s+address|peppol\s+(?:id|participant\s+id)|endpoint(?:\s+id)?)\s*(?:is|:|=)?\s*:?\s*"
    r"(?:(?P<scheme>\d{4}|EM)\s*:\s*)?(?P<endpoint>[^\s:]+?)\s*\.?$",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
# "buyer reference: 04011000-12345-67", "the Leitweg-ID is …" (XRechnung's BT-10).
_REFERENCE_ANSWER = re.compile(
    r"^(?:the\s+|their\s+|die\s+)?(?:buyer\s+reference|leitweg-?id)\s*(?:is|:|ist|=)?\s*:?\s*(?P<reference>\S.{0,99}?)\s*\.?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class EInvoiceOutcome:
    """The reply, and the edited draft when the message filled the buyer."""

    reply: str
    document: Document | None = None
    summary: str = ""


def asks_for_einvoice(message: str) -> bool:
    return _ASKS.search(_fold(message)) is not None


def einvoice_profile(message: str) -> str:
    """The rules the request names: "xrechnung", "peppol", or "" for plain EN 16931."""
    folded = _fold(message)
    if "xrechnung" in folded:
        return "xrechnung"
    return "peppol" if "peppol" in folded else ""


def read_buyer_reference(message: str) -> str:
    """The buyer reference (Leitweg-ID) a message gives, or ""."""
    found = _REFERENCE_ANSWER.match(" ".join(message.split()))
    return found.group("reference") if found else ""


def read_buyer_answer(message: str) -> dict[str, object] | None:
    """The buyer fields a message gives ({"vat_id": …} or the address fields), or None."""
    text = " ".join(message.split())
    vat = _VAT_ANSWER.match(text)
    if vat:
        number = normalize_vat_id(vat.group("vat"))
        if is_vat_id(number):
            return {"vat_id": number}
    endpoint = _ENDPOINT_ANSWER.match(text)
    if endpoint:
        scheme = (endpoint.group("scheme") or "").upper()
        if not scheme and _EMAIL.match(endpoint.group("endpoint")):
            scheme = "EM"
        # Without its scheme an identifier cannot be routed: not an answer (the question asks again).
        return {"endpoint_id": endpoint.group("endpoint"), "endpoint_scheme": scheme} if scheme else None
    address = _ADDRESS_ANSWER.match(text)
    if address:
        return read_address(address.group("address"))
    return None


def read_address(text: str) -> dict[str, object] | None:
    """ "12 Elm Rd, 10115 Berlin, Germany" → street lines, postal code, city, country code;
    None unless it ends in a known country and has a postal code with its city."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) < 3:
        return None
    country = country_code(parts[-1])
    if not country:
        return None
    place = parts[-2].split()
    coded = [any(c.isdigit() for c in word) for word in place]
    # "10115 Berlin" or "London SW1A 1AA": the postal code is the words with digits at one end.
    if coded and coded[0]:
        cut = coded.index(False) if False in coded else len(place)
        postal_code, city = " ".join(place[:cut]), " ".join(place[cut:])
    elif coded and coded[-1]:
        cut = len(place) - coded[::-1].index(False)
        postal_code, city = " ".join(place[cut:]), " ".join(place[:cut])
    else:
        return None
    if not city:
        return None
    return {"address_lines": parts[:-2], "postal_code": postal_code, "city": city, "country_code": country}


def country_code(name: str) -> str:
    """ISO code of a country written as a code or a name in en/es/de/fr ("Germany", "Alemania",
    "Deutschland", "Allemagne", "DE"); "" when unknown."""
    if len(name) == 2 and is_country(name.upper()):
        return name.upper()
    return _country_names().get(_fold(name), "")


@functools.cache
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in ("en", "es", "de", "fr"):
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha() and is_country(code):
                names.setdefault(_fold(name), code)
    names.update({"usa": "US", "us": "US", "uk": "GB", "united states of america": "US"})
    return names


def question_for(invoice: Invoice, missing: Sequence[Precondition]) -> str:
    """ONE question for the first missing term the person can answer in chat; the seller's
    terms are the business profile's to fill."""
    terms = [p for p in missing if p.subject not in _GIVEN_BY_FINALIZING]
    buyer = invoice.buyer.name or "the buyer"
    seller_terms = [p for p in terms if p.subject in _SELLER_FIELDS]
    for term in terms:
        subject = term.subject
        if subject == "BT-44":
            return "Who is the e-invoice for? Please tell me the buyer's name."
        if subject == "BT-48":
            return f"What is {buyer}'s VAT number?"
        if subject in _BUYER_ADDRESS:
            return f"What is {buyer}'s postal address (street, postal code, city, country)?"
        if subject == "BT-49":
            return (
                f"What is {buyer}'s electronic address? Please give it with its scheme, "
                'e.g. "electronic address: 0088:4012345000009", or an e-mail address.'
            )
        if subject == "BT-10":
            return f"What buyer reference (e.g. the Leitweg-ID) did {buyer} give you?"
        if subject == "BT-9":
            return "When is it due? Please give a due date or payment terms."
        if subject == "BT-72":
            return "When were the goods delivered or the service performed?"
        if subject == "BG-3":
            return "Which invoice does this credit note correct? Please give its number."
    if seller_terms:
        names = ", ".join(f"{p.subject} {p.description}" for p in seller_terms)
        fields = ", ".join(dict.fromkeys(_SELLER_FIELDS[p.subject] for p in seller_terms))
        return (
            f"Your business profile lacks what an e-invoice needs from the seller: {names}. "
            f"Please fill {fields} in the business profile (PATCH /api/v1/profile), then ask again."
        )
    if terms:
        names = "; ".join(f"{p.subject} {p.description}" for p in terms)
        return f"The e-invoice still lacks {names}. Could you tell me?"
    return ""


class EInvoiceChat:
    """E-invoice requests and the answers that fill the buyer, on a session's document."""

    def __init__(self, documents: DocumentEngine, customers: CustomerBook) -> None:
        self.documents = documents
        self.customers = customers

    async def answer(self, view: SessionView, message: str) -> EInvoiceOutcome | None:
        """The outcome of an e-invoice request or a buyer answer, its reply in the message's
        language (else the document's); None for any other message."""
        outcome = await self._answer(view, message)
        if outcome is None:
            return None
        return replace(outcome, reply=reply_in(outcome.reply, _language(message, view)))

    async def _answer(self, view: SessionView, message: str) -> EInvoiceOutcome | None:
        latest = view.latest_revision
        if asks_for_einvoice(message):
            if latest is None:
                return EInvoiceOutcome(reply="There is no document yet: tell me what to invoice first.")
            return EInvoiceOutcome(
                reply=await self.status(latest.invoice, latest.msc, einvoice_profile(message))
            )
        reference = read_buyer_reference(message)
        fields = None if reference else read_buyer_answer(message)
        if (fields is None and not reference) or latest is None or view.session.finalized:
            return None
        invoice = latest.invoice
        name = invoice.buyer.name or "the buyer"
        saved = False
        if reference:
            edited = invoice.model_copy(update={"buyer_reference": reference})
            said = "buyer reference"
        else:
            buyer = Party.model_validate(invoice.buyer.model_dump() | (fields or {}))
            edited = invoice.model_copy(update={"buyer": buyer})
            said = (
                "VAT number"
                if fields and "vat_id" in fields
                else "electronic address"
                if fields and "endpoint_id" in fields
                else "postal address"
            )
            saved = await self._remember(buyer.name, fields or {})
        document = await self.documents.render(edited)
        # The follow-up question keeps to the rules the person asked for last (XRechnung, Peppol).
        asked = (
            m.content for m in reversed(view.messages) if m.role == "user" and asks_for_einvoice(m.content)
        )
        profile = einvoice_profile(next(asked, ""))
        question = await self.missing_question(document.invoice, document.msc, profile)
        following = question or f"The document now has everything {_rules_name(profile)} e-invoice needs."
        if saved:
            following = f"Saved on the customer too. {following}"
        return EInvoiceOutcome(
            reply=f"Done: {name}'s {said} is on the document. {following}",
            document=document,
            summary=f"Buyer's {said}",
        )

    async def before_finalizing(self, invoice: Invoice, msc: str, seller_vat_id: str, message: str) -> str:
        """The question to ask instead of finalizing, or "" to finalize: a business with a VAT id
        e-invoices, so its invoice is not numbered while the e-invoice lacks something the chat
        can still fill, unless the person insists ("finalize it anyway")."""
        if not seller_vat_id or invoice.kind not in _E_INVOICE_KINDS or _INSISTS.search(_fold(message)):
            return ""
        question = await self.missing_question(invoice, msc)
        if not question:
            return ""
        asked = f'{question} (An e-invoice needs it. Or say "finalize it anyway".)'
        return reply_in(asked, detected_language(message) or invoice.language)

    async def _remember(self, name: str, fields: dict[str, object]) -> bool:
        """The saved customer of that exact name gets the same details; True when there is one."""
        customer = await self.customers.match(name) if name else None
        if customer is None or customer.party.name.casefold() != name.casefold():
            # A fuzzy match is good for defaults, not for overwriting someone's details.
            return False
        await self.customers.update_party(
            customer.id, Party.model_validate(customer.party.model_dump() | fields)
        )
        return True

    async def status(self, invoice: Invoice, msc: str, profile: str = "") -> str:
        """The reply to an e-invoice request: one question, or what to download."""
        question = await self.missing_question(invoice, msc, profile)
        if question:
            return question
        query = f"?profile={profile}" if profile else ""
        rules = _rules_name(profile)
        files = f"document.ubl.xml{query} (UBL) or document.cii.xml{query} (CII)"
        if not invoice.number:
            return (
                f"It has everything {rules} e-invoice needs. Finalize it to give it its number, "
                f"then download {files}."
            )
        return f"It is {rules} e-invoice, complete: download {files}."

    async def missing_question(self, invoice: Invoice, msc: str, profile: str = "") -> str:
        """The question for what the document service says the e-invoice lacks; "" when nothing."""
        if invoice.kind not in _E_INVOICE_KINDS:
            kind = invoice.kind.value.replace("_", " ")
            return f"A {kind} is not an e-invoice: only invoices and credit notes are sent as e-invoices."
        try:
            await self.documents.export(msc, "ubl", base_name(invoice), invoice=invoice, profile=profile)
        except FailedPrecondition as refused:
            if not refused.preconditions:
                # Not expressible as an e-invoice at all (e.g. a line under two taxes): the
                # service's own words say why.
                return f"This document cannot be an e-invoice: {refused.message}."
            return question_for(invoice, refused.preconditions)
        return ""


def _language(message: str, view: SessionView) -> str:
    """The reply's language: the message's words, else the session's document's."""
    latest = view.latest_revision
    return detected_language(message) or (latest.invoice.language if latest is not None else "")


def _rules_name(profile: str) -> str:
    """ "an EN 16931", "an XRechnung", "a Peppol BIS": the rules followed, with their article."""
    return {"xrechnung": "an XRechnung", "peppol": "a Peppol BIS"}.get(profile, "an EN 16931")


def _fold(text: str) -> str:
    """Lower case, accents folded, every run of other characters one space."""
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())
