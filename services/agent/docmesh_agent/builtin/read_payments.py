"""What was paid, and what takes away from the total: "already paid 500", "deposit of 500
received", "paid cash" glued after a price, "minus the 300 trade-in" (asked), a receipt for
nothing but a payment, and amounts said of the whole ("total 510", "owes 30", "change 20": checked
against the lines, never lines). Read by the request reader (read_request)."""

from __future__ import annotations

import re
from decimal import Decimal

from docmesh_agent.builtin.clauses import split_clauses, strip_connectors
from docmesh_agent.builtin.drafts import Reading
from docmesh_agent.builtin.labels import capitalised, plain_number
from docmesh_agent.builtin.money import AMT, one_amount
from docmesh_agent.builtin.not_amounts import price_moneys
from docmesh_agent.builtin.read_item import read_item
from docmesh_agent.builtin.read_parties import read_lead
from docmesh_common.model.invoice import DocumentKind

# "already paid 500", "deposit paid 500", "deposit of 500 received", "500 paid in advance": paid
# before the document, so the amount paid (the total stays what was sold).
PAID_BEFORE = re.compile(
    r"\b(?:already\s+paid|paid\s+already|(?:deposit|advance|down\s*payment|prepayment)\b.*\b(?:paid|received)|"
    r"received|paid\s+(?:in\s+advance|upfront|up\s+front)|prepaid)\b",
    re.IGNORECASE,
)
# "minus deposit of 500", "trade-in 300", "credit 100", "refund 100", "cap at 1200", "max 1200",
# "round down to 1400", "but charge only 8", "waive 50": an amount that takes away from or limits
# the total. Never a line (a charge); asked how it changes the total.
_TAKES_AWAY = re.compile(
    r"\b(?:minus|less|deduct(?:ed|ion)?|trade[- ]?in|credit(?!\s+card)|refund(?:ed)?|cap(?:ped)?\s+(?:at|to)|"
    r"max(?:imum)?|at\s+most|no\s+more\s+than|round(?:ed)?(?:\s+(?:down|up|off))?\s+to|(?:charge|bill)\s+only|"
    r"only\s+(?:charge|bill)|waive[ds]?|free|\d+\s+for\s+1|two\s+for\s+one|bogo)\b",
    re.IGNORECASE,
)


def not_a_charge(r: Reading, clause: str) -> bool:
    """A clause whose amount is paid already or taken away, never a line (see the patterns)."""
    paid, taken = PAID_BEFORE.search(clause), _TAKES_AWAY.search(clause)
    if not (paid or taken):
        return False  # the common case, without reading amounts
    moneys = price_moneys(clause)
    if taken and moneys and not paid:
        r.draft.unclear.append(
            f"How should “{clause}” change the total? Say it as a discount (for example “50 off” or "
            "“10% off”), or say “no”."
        )
        return True
    if len(moneys) != 1:
        return False
    if paid:
        r.draft.amount_paid = (r.draft.amount_paid or Decimal(0)) + moneys[0].amount
        r.draft.note_currency(moneys[0])
        method = _PAID_WITH.search(clause)
        if method:
            # "deposit $100 paid by Venmo": how it was paid, too.
            r.draft.payment_method = capitalised(method.group("method").strip().rstrip("."))
        return True
    return False


# "oil change 65 paid cash": "paid" and how, without an amount, right after a line's price.
PAID_GLUED = re.compile(
    r"(?<=\d)\s+(?=(?:(?:he|she|they|we)\s+)?(?:paid|pd\.?)\s+(?!.*\d)[A-Za-z][^,;]*$)", re.IGNORECASE
)
_PAID_WITH = re.compile(
    r"\b(?:paid|received)\s+(?:by|with|via|using|in)\s+(?P<method>[^\d,;]+)$", re.IGNORECASE
)


def receipt_for_what_was_paid(r: Reading, text: str) -> None:
    """ "receipt for Grace Lin: wedding catering deposit 1,500 received by cheque": a receipt with
    no line but what was paid is a receipt for that payment (it was asked what it was for)."""
    if r.draft.kind != DocumentKind.RECEIPT or r.draft.items or r.draft.amount_paid is None:
        return
    paid = [c for c in split_clauses(text) if PAID_BEFORE.search(c) and len(price_moneys(c)) == 1]
    if len(paid) != 1:
        return
    clause = strip_connectors(read_lead(Reading(r.today), strip_connectors(paid[0])) or "")
    if len(price_moneys(clause)) != 1:
        return
    money = price_moneys(clause)[0]
    item = read_item(Reading(r.today), clause[: money.end])
    if item is None or not item.description or item.unit_price != r.draft.amount_paid:
        return
    r.draft.items.append(item)
    r.draft.amount_paid, r.draft.paid_in_full = None, True


BALANCE = re.compile(
    rf"^(?:(?:she|he|they|we|the\s+(?:client|customer))\s+)?(?:still\s+)?(?:owes?|owing|balance(?:\s+(?:due|left|remaining))?|"
    rf"remaining|outstanding|left\s+to\s+pay|(?:gave\s+|got\s+)?change(?:\s+(?:given|due))?)\s*(?:of|is|:)?\s*(?P<amt>{AMT})$",
    re.IGNORECASE,
)
STATED_TOTAL = re.compile(
    rf"^(?:the\s+)?(?:grand\s+|sub\s*)?total(?:\s+(?:due|amount|price|cost|is))?\s*(?::|=|of)?\s*(?P<amt>{AMT})$",
    re.IGNORECASE,
)


def check_balance(r: Reading, said: str) -> None:
    """What is still owed or the change given, said after a payment: it must be the total less what
    was paid (or what was paid less the total); otherwise it is asked about (it was a line "Owes" or
    "Change" added on top)."""
    match = BALANCE.match(said)
    money = one_amount(match.group("amt")) if match else None
    subtotal = sum((i.quantity * (i.unit_price or 0) for i in r.draft.items), Decimal(0))
    rate = sum((t.rate_percent for t in r.draft.taxes), Decimal(0))
    totals = {subtotal + (r.draft.shipping or 0), ((subtotal + (r.draft.shipping or 0)) * (100 + rate) / 100)}
    paid = r.draft.amount_paid
    if money is not None and paid is not None and any(abs(t - paid) == money.amount for t in totals):
        r.draft.said_numbers = [n for n in r.draft.said_numbers if n.clause != said]
        return
    r.draft.unclear.append(f"What is “{said}”? The lines come to {plain_number(subtotal)}.")


def check_stated_total(r: Reading, said: str) -> None:
    """A total said after the lines adds nothing; when it is not what the lines come to (before or
    after the taxes said), it is asked about (it was a line "Total" added on top: twice the sum)."""
    stated = STATED_TOTAL.match(said)
    money = one_amount(said[stated.start("amt") :]) if stated else None
    subtotal = sum((i.quantity * (i.unit_price or 0) for i in r.draft.items), Decimal(0))
    rate = sum((t.rate_percent for t in r.draft.taxes), Decimal(0))
    sums = {subtotal, subtotal + (r.draft.shipping or 0)}
    sums |= {(s * (100 + rate) / 100).quantize(Decimal("0.01")) for s in list(sums)}
    if money is None or money.amount not in sums:
        r.draft.unclear.append(
            f"You said “{said}”, but the lines come to {plain_number(subtotal)}: which is right?"
        )
