"""Reading the clauses that are not line items: taxes, discounts, shipping, number and reference,
currency, payment ("paid by Visa"), and the address lines that follow a party's name."""

from __future__ import annotations

import re
from decimal import Decimal

from docmesh_agent.builtin.drafts import LineDiscount, Reading
from docmesh_agent.builtin.labels import capitalised, tax_label
from docmesh_agent.builtin.money import (
    AMT,
    NAME_RE,
    NUM,
    SYMBOL_RE,
    currency_from_word,
    one_amount,
    parse_number,
)
from docmesh_agent.builtin.read_item import INCLUDED_TAX
from docmesh_agent.builtin.read_parties import read_party_detail
from docmesh_agent.builtin.read_terms import read_terms
from docmesh_agent.builtin.words import KIND_WORDS, TAX_WORDS, UNIT_RE
from docmesh_common.model.invoice import Discount, DocumentKind

_TAX_NAME_RE = rf"(?:[a-z]+\s+){{0,2}}?(?:{TAX_WORDS})"

_TAX_PCT_FIRST = re.compile(
    rf"^(?:(?:incl\.?|including|add|apply|charge)\s+)?(?:an?\s+)?(?P<rate>{NUM})\s*(?:%|percent|per\s?cent)\s*"
    # "21 % de IVA", "20 % de TVA", "5% of GST": the tax's name is after the "of".
    rf"(?:(?:de|of|d')\s*(?=(?:iva|igic|tva|vat|gst|hst|pst|tax)\b))?"
    rf"(?P<name>{_TAX_NAME_RE})(?:\s+rate)?(?:\s+(?:on\s+(?:everything|all|it|the\s+total)))?$",
    re.IGNORECASE,
)
# "plus VAT", "+ tax", "zzgl. MwSt" without a rate: the rate is asked for ("incl. VAT" stays one
# clause with its price, see clauses._ABBREV).
_TAX_NO_RATE = re.compile(
    rf"^(?:(?:plus|\+|add|apply|charge|with)\s*)?(?:the\s+)?(?P<name>{_TAX_NAME_RE})(?:\s+tax)?\.?$",
    re.IGNORECASE,
)
_TAX_INCLUDED = re.compile(
    rf"^(?:incl\.?|including|inclusive\s+of|inc\.)\s+(?:\d+(?:\.\d+)?\s*%\s*)?(?:{TAX_WORDS}|taxes)\b.*$",
    re.IGNORECASE,
)
_TAX_NAME_FIRST = re.compile(
    rf"^(?:(?:add|apply|charge|incl\.?|including)\s+)?(?P<name>{_TAX_NAME_RE})(?:\s+rate)?\s*(?:of|at|is|=|:|@)?\s*"
    rf"(?P<rate>{NUM})\s*(?:%|percent|per\s?cent)$",
    re.IGNORECASE,
)
_DISCOUNT_FIRST_VALUE = re.compile(
    rf"^(?:(?:apply|give(?:\s+(?:them|him|her))?|add|take|knock|shave|with)\s+)?(?:an?\s+)?(?:(?:another|additional|extra|second)\s+)?(?:(?P<pct>{NUM})\s*(?:%|percent|per\s?cent)|(?P<amt>{AMT}))\s*"
    r"(?P<desc>[a-z][a-z -]*?)?\s*(?P<word>discount|off|rebate|reduction)"
    r"(?:\s+(?:(?P<conn>on|off|for|to)\s+)?(?P<target>.+))?$",
    re.IGNORECASE,
)
_DISCOUNT_WORD_FIRST = re.compile(
    rf"^(?:(?:apply|give|add)\s+)?(?:an?\s+)?(?:(?:another|additional|extra|second)\s+)?(?P<desc>[a-z][a-z -]*?\s)?(?:discount|rebate|reduction)\s*(?:of|:|=|at)?\s*"
    rf"(?:(?P<pct>{NUM})\s*(?:%|percent|per\s?cent)|(?P<amt>{AMT}))"
    r"(?:\s+(?P<conn>on|off|for|to)\s+(?P<target>.+))?$",
    re.IGNORECASE,
)
# "discount the widget by 100", "discount line 2 by 10%": the verb names the line it discounts.
_DISCOUNT_BY = re.compile(
    rf"^discount\s+(?P<target>.+?)\s+(?P<conn>by)\s+(?:(?P<pct>{NUM})\s*(?:%|percent|per\s?cent)|(?P<amt>{AMT}))$",
    re.IGNORECASE,
)
_DISCOUNT_LESS = re.compile(
    rf"^(?:less|minus)\s+(?:(?P<pct>{NUM})\s*%|(?P<amt>{AMT}))(?:\s+(?P<desc>[a-z][a-z -]*))?$",
    re.IGNORECASE,
)
_SHIP_WORDS = r"shipping(?:\s+(?:and|&)\s+handling)?|delivery|postage(?:\s+(?:and|&)\s+packing)?|freight|s&h|p&p|courier"
_SHIPPING_AMOUNT_FIRST = re.compile(
    rf"^(?:(?:add|charge)\s+)?(?P<amt>{AMT})\s+(?:for\s+|in\s+)?(?:{_SHIP_WORDS})(?:\s+(?:fee|charge|costs?))?$",
    re.IGNORECASE,
)
_SHIPPING_WORD_FIRST = re.compile(
    rf"^(?:(?:add|charge)\s+)?(?:the\s+)?(?:{_SHIP_WORDS})(?:\s+(?:fee|charge|costs?|cost))?\s*(?:of|is|:|=|at|for)?\s*(?P<amt>{AMT})$",
    re.IGNORECASE,
)
_FREE_SHIPPING = re.compile(r"^(?:free|no\s+charge\s+for)\s+(?:shipping|delivery)$", re.IGNORECASE)

_NUMBER = re.compile(
    rf"^(?:(?:{KIND_WORDS}|document)\s*)?(?:number|no\.?|num|\#)\s*(?:is|:)?\s*\#?(?P<num>[A-Za-z0-9][\w\-/.]*)$"
    r"|^\#(?P<num2>[A-Za-z0-9][\w\-/.]*)$",
    re.IGNORECASE,
)
_REFERENCE = re.compile(
    r"^(?:ref(?:erence)?|your\s+ref(?:erence)?|po\s*(?:number|no\.?|\#)|po(?=\s*\d)|p\.o\.\s*(?:number|no\.?|\#)?|order\s+(?:number|no\.?|\#))"
    r"\s*[:\#]?\s*(?P<ref>[A-Za-z0-9][\w\-/.]*)$",
    re.IGNORECASE,
)
_CURRENCY_ONLY = re.compile(
    rf"^(?:(?:in|currency|use|using|bill\s+in|billed\s+in|priced\s+in|all\s+amounts\s+in|everything\s+in|paid\s+in)"
    rf"\s*:?\s*)?(?P<cur>{NAME_RE}|[A-Za-z]{{3}}|{SYMBOL_RE})$",
    re.IGNORECASE,
)
_METHODS = (
    r"cash|(?:credit\s+|debit\s+|ec[- ]?)?card|ec-karte|girocard|cheque|check|visa|mastercard|amex|paypal|"
    r"bank\s+transfer|wire|venmo|zelle|bizum|twint|interac|e-transfer|apple\s+pay|google\s+pay"
)
# Who paid may be said first, also in the request's language when the rest was translated ("he
# paid on venmo", "il a payé 100 € en espèces" -> "il paid 100 € in cash"): it was the buyer.
_PAYER = r"it\s+was|they|she|he|il|elle|ils|elles|él|ella|ellos|er|sie|the\s+(?:client|customer)"
_PAID = re.compile(
    # "pd w/ card": the short forms of "paid" and "with"; "she put down $500 via Zelle": a deposit.
    rf"^(?:(?:{_PAYER})\s+(?:has\s+|have\s+|already\s+)?)?(?:paid|pd\.?|put\s+down|left\s+a\s+deposit\s+of)\s*(?P<full>in\s+full)?\s*(?:an?\s+)?(?P<amt>{AMT})?"
    # "he paid a $50 deposit by card": what the amount was, then how it was paid.
    r"(?:\s+(?:deposit|advance|down\s*payment|up\s*front|upfront|already))?"
    rf"(?:\s*(?:by|with|w/|via|using|in|on|through)\s*(?P<method>.+)|\s*(?P<method2>{_METHODS}))?$"
    # "per EC-Karte bezahlt" -> "per EC-Karte paid": the method, then "paid".
    rf"|^(?:(?:by|per|with|via|using)\s+)?(?P<method3>{_METHODS})\s+paid$",
    re.IGNORECASE,
)
# "card payment", "cash payment": the method as a noun phrase.
_METHOD_PAYMENT = re.compile(rf"^(?:paid\s+by\s+)?(?P<method>{_METHODS})\s+payment$", re.IGNORECASE)
# "..., hand-tied bouquet 35, cash": on a receipt, a method alone says how it was paid.
_METHOD_ALONE = re.compile(rf"^(?P<method2>{_METHODS})$", re.IGNORECASE)
# ("method book 22" is a line: a bare "method" needs its colon, and a way to pay has no number)
_PAYMENT_METHOD = re.compile(
    r"^(?:payment\s+method\s*:?|paid\s+by\s*:?|method\s*:)\s*(?P<method>[^\d]+)$", re.IGNORECASE
)


def read_fields(r: Reading, text: str, party_before: str | None) -> bool:
    """Read a clause that is not a line item; False when it is not one of these."""
    d = r.draft
    for regex in (_TAX_PCT_FIRST, _TAX_NAME_FIRST):
        match = regex.match(text)
        if match:
            r.draft.set_tax(tax_label(match.group("name")), parse_number(match.group("rate")))
            return True
    if _TAX_INCLUDED.match(text):
        # "..., including tax" after the price: said of the price, never a tax to add.
        d.warnings.append(INCLUDED_TAX)
        return True
    unrated = _TAX_NO_RATE.match(text)
    if unrated:
        d.unrated_taxes.append(tax_label(unrated.group("name")))
        return True
    for regex in (_DISCOUNT_BY, _DISCOUNT_FIRST_VALUE, _DISCOUNT_WORD_FIRST, _DISCOUNT_LESS):
        match = regex.match(text)
        if match and _discount(r, match):
            return True
    if _FREE_SHIPPING.match(text):
        d.shipping = Decimal(0)
        return True
    for regex in (_SHIPPING_WORD_FIRST, _SHIPPING_AMOUNT_FIRST):
        match = regex.match(text)
        if match:
            money = one_amount(match.group("amt"))
            if money is not None:
                d.shipping = money.amount
                r.draft.note_currency(money)
                return True
    if read_terms(text, r.draft, r.today):
        return True
    match = _REFERENCE.match(text)
    if match:
        if d.kind == DocumentKind.PURCHASE_ORDER and re.match(r"^p\.?o", text, re.IGNORECASE):
            d.number = match.group("ref")
        else:
            d.reference = match.group("ref")
        return True
    match = _NUMBER.match(text)
    if match:
        d.number = match.group("num") or match.group("num2")
        return True
    match = _CURRENCY_ONLY.match(text)
    if match:
        code = currency_from_word(match.group("cur"))
        raw = match.group("cur")
        if code and (not re.fullmatch(r"[a-z]{3}", raw) or text.lower() != raw.lower() or raw.isupper()):
            d.currency = code
            return True
    match = (
        _PAID.match(text)
        or _METHOD_PAYMENT.match(text)
        or (_METHOD_ALONE.match(text) if d.kind == DocumentKind.RECEIPT else None)
    )
    if match:
        groups = match.groupdict()
        if groups.get("amt"):
            money = one_amount(groups["amt"])
            if money is not None:
                d.amount_paid = money.amount
                r.draft.note_currency(money)
        elif d.kind in (None, DocumentKind.RECEIPT):
            # A receipt says "paid" (by card, cash, ...) without an amount when the whole
            # document was paid: the amount paid is its total, computed when it is built.
            d.paid_in_full = True
        if groups.get("full"):
            d.paid_in_full = True
        if groups.get("method") or groups.get("method2") or groups.get("method3"):
            method = (
                (groups.get("method") or groups.get("method2") or groups.get("method3") or "")
                .strip()
                .rstrip(".")
            )
            d.payment_method = capitalised(method)
        if d.kind is None:
            d.kind = DocumentKind.RECEIPT
        return True
    match = _PAYMENT_METHOD.match(text)
    if match:
        d.payment_method = match.group("method").strip()
        return True
    # Last: an address line is the loosest reading ("Springfield" is any capitalised word).
    return bool(party_before and read_party_detail(r, text, party_before))


# "2% discount if paid within 10 days": a condition of payment (the terms), never deducted now.
_IF_PAID = re.compile(
    r"\b(?:if|when)\s+paid\s+(?:within|by|before|in)\b|\bfor\s+payment\s+(?:within|by|before)\b",
    re.IGNORECASE,
)


def _discount(r: Reading, match: re.Match[str]) -> bool:
    """A matched discount phrase: on the whole document, on a line, or for a reason."""
    if _IF_PAID.search(match.group(0)):
        r.draft.payment_terms = capitalised(match.group(0).strip())
        return True
    desc = (match.groupdict().get("desc") or "").strip()
    word = (match.groupdict().get("word") or "discount").lower()
    if desc.lower() in ("a", "an", "the", "flat", ""):
        desc = ""
    if match.group("amt") and re.search(
        rf"\d\s*(?:{UNIT_RE})\b", f"{match.group('amt')} {desc}".strip(), re.IGNORECASE
    ):
        # "with 1 day off", "2 hours discount": time, not money; what it takes off is asked.
        said = " ".join(p for p in (match.group("amt").strip(), desc, word) if p)
        r.draft.unclear.append(
            f"How much should “{said}” take off: an amount (for example “500 off”) or a percentage "
            "(“10% off”)?"
        )
        return True
    if desc:
        desc = capitalised(desc) + (" discount" if word in ("off", "discount") else f" {word}")
    if match.group("pct"):
        disc = Discount(description=desc, percent=parse_number(match.group("pct")))
    else:
        money = one_amount(match.group("amt"))
        if money is None:
            return False
        r.draft.note_currency(money)
        disc = Discount(description=desc, amount=money.amount)
    target = (match.groupdict().get("target") or "").strip()
    if target and not re.fullmatch(
        r"(?:the\s+)?(?:total|subtotal|everything|all|whole\s+(?:thing|invoice|bill)|invoice|bill|it)",
        target,
        re.IGNORECASE,
    ):
        # "10% off the logo", "discount on line 2", "discount the logo by 10%" name a line;
        # "discount for early payment" may name one or give the reason.
        conn = (match.groupdict().get("conn") or ("off" if word == "off" else "for")).lower()
        r.draft.line_discounts.append(LineDiscount(target, disc, strict=conn in ("on", "off", "by")))
    else:
        r.draft.discounts.append(disc)
    return True
