"""Shapes of a line the item reader (read_item) tries before the general one: a rate written
before its quantity ("$80/hour for 12.5 hours of QA", "consulting 150/h x 10"), an amount for a
count ("$75 for 500 business cards"), a share ("50% deposit on 4000"), a bare count and price
("3 x 250"); and what the line's words leave to the document: the buyer after "for" ("... @ 12.50
for Globex"), the question whether a price is for all the units or each."""

from __future__ import annotations

import re

from docmesh_agent.builtin.counts import leading_quantity, parse_quantity, unit_from_total
from docmesh_agent.builtin.drafts import DraftItem, Reading
from docmesh_agent.builtin.labels import clean_description, plain_number, singular, unit_label
from docmesh_agent.builtin.money import NUM, find_money, one_amount, parse_number, strip_amount
from docmesh_agent.builtin.not_amounts import is_not_amount
from docmesh_agent.builtin.read_parties import take_party
from docmesh_agent.builtin.words import UNIT_RE, UNITS

# "consulting 150/h x 10": the rate first, then the quantity.
_RATE_TIMES_QTY = re.compile(
    rf"^(?P<desc>[A-Za-z].*?)\s*(?:at|@|:|-)?\s+(?P<price>[^\s\d]{{0,3}}\d[\d,.']*(?:\s?[A-Z]{{3}})?)\s*(?:/\s?(?P<per>[a-z]+)|per\s+(?P<per2>[a-z]+))?"
    rf"\s*(?:x|×|\*)\s*(?P<q>\d+(?:[.,]\d+)?)\s*(?P<unit>{UNIT_RE})?\.?$",
    re.IGNORECASE,
)
# "$80/hour for 12.5 hours of QA", "consulting at 150 per hour for 10 hours".
_RATE_FOR_QTY = re.compile(
    rf"^(?P<desc>.*?)\s*(?P<price>[^\s\d]{{0,3}}\d[\d,.']*(?:\s?[A-Z]{{3}})?)\s*(?P<per>/\s?[a-z]+|per\s+[a-z]+|an?\s+[a-z]+)?"
    rf"\s+for\s+(?P<q>\d+(?:[.,]\d+)?)\s*(?P<unit>{UNIT_RE})\b\.?(?:\s+of\s+(?P<desc2>.+))?$",
    re.IGNORECASE,
)
_AMOUNT_FOR_COUNT = re.compile(
    r"^(?P<amt>\S*\d\S*)\s+for\s+(?P<what>\d[\d,.]*\s+[^\W\d_][^\d]*)$", re.IGNORECASE
)


def amount_for_count(r: Reading, text: str) -> DraftItem | None:
    """ "$75 for 500 business cards": an amount for a count of things is the line's total (it was
    one '$75' priced 500, a wrong total); the unit price is the total over the count."""
    match = _AMOUNT_FOR_COUNT.match(text)
    moneys = find_money(match.group("amt")) if match else []
    if not match or len(moneys) != 1 or moneys[0].end != len(match.group("amt")):
        return None
    qty, unit, desc_start, _ = leading_quantity(match.group("what"))
    desc = match.group("what")[desc_start:]
    if desc_start == 0 or qty <= 1 or not desc.strip():
        return None
    r.draft.note_currency(moneys[0])
    item = DraftItem(clean_description(desc), qty, unit_label(unit, qty) if unit else "")
    item.unit_price = unit_from_total(item, moneys[0].amount)
    return item


_SHARE_RE = re.compile(
    rf"^(?:(?P<pct>{NUM})\s*%\s+(?P<desc>[A-Za-z][A-Za-z -]*?)|(?P<desc2>[A-Za-z][A-Za-z -]*?)\s+of\s+(?P<pct2>{NUM})\s*%)"
    r"\s+(?:on|of)\s+(?:the\s+)?(?:total\s+(?:of\s+)?)?(?P<amt>\S*\d\S*(?:\s?[A-Z]{3})?)$",
    re.IGNORECASE,
)


def share_of(r: Reading, text: str) -> DraftItem | None:
    """ "50% deposit on 4000", "a deposit of 30% of 5,000": that share of the amount is the line's
    price (exact Decimal arithmetic; never the whole amount)."""
    match = _SHARE_RE.match(text.strip())
    if not match:
        return None
    money = one_amount(match.group("amt"))
    if money is None or money.end < len(match.group("amt").rstrip()):
        return None
    pct = parse_number(match.group("pct") or match.group("pct2"))
    desc = clean_description(match.group("desc") or match.group("desc2"))
    r.draft.note_currency(money)
    price = strip_amount(money.amount * pct / 100)
    return DraftItem(
        description=f"{desc} ({plain_number(pct)}% of {plain_number(money.amount)})", unit_price=price
    )


def bare_count(r: Reading, text: str) -> DraftItem | None:
    """ "3 x 250", "10 × $100": a count and a price with nothing said about what was sold. The
    line keeps both and no description, so the caller asks what they are (never "10" × 1)."""
    match = re.fullmatch(
        r"(?P<q>\d+(?:[.,]\d+)?)\s*(?:x|×|\*)\s*(?P<price>\S.*)", text.strip(), re.IGNORECASE
    )
    if not match:
        return None
    moneys = find_money(match.group("price"))
    qty = parse_quantity(match.group("q"))
    if len(moneys) != 1 or qty is None or qty <= 0 or moneys[0].start != 0:
        return None
    if match.group("price")[moneys[0].end :].strip():
        return None
    r.draft.note_currency(moneys[0])
    return DraftItem(description="", quantity=qty, unit_price=moneys[0].amount)


def rate_then_quantity(r: Reading, text: str) -> DraftItem | None:
    """ "$80/hour for 12.5 hours of QA", "consulting 150/h x 10": the rate written before the quantity."""
    rate_for = _RATE_FOR_QTY.match(text)
    if rate_for and is_not_amount(text, *rate_for.span("price")):
        rate_for = None
    if rate_for:
        money = one_amount(rate_for.group("price"))
        qty = parse_number(rate_for.group("q"))
        desc = rate_for.group("desc2") or rate_for.group("desc") or ""
        desc = trailing_buyer(r, re.sub(r"\s+(?:at|@|for|:|-)$", "", desc.strip(), flags=re.IGNORECASE))
        if money is not None and qty > 0 and desc:
            r.draft.note_currency(money)
            unit = rate_for.group("unit")
            item = DraftItem(
                description=clean_description(desc),
                quantity=qty,
                unit=unit_label(unit, qty),
                unit_price=money.amount,
            )
            said_rate = rate_for.group("per") or re.search(
                r"(?:\s|^)(?:at|@)$", rate_for.group("desc").strip()
            )
            if not said_rate and qty != 1:
                # "consulting 1500 for 10 hours": 1500 for all of them, or per hour? Asked.
                ask_total_or_rate(r, item)
            return item
    rate_first = _RATE_TIMES_QTY.match(text)
    if rate_first and is_not_amount(text, *rate_first.span("price")):
        rate_first = None
    if rate_first:
        money = one_amount(rate_first.group("price"))
        qty = parse_number(rate_first.group("q"))
        if money is not None and qty > 0:
            r.draft.note_currency(money)
            unit = rate_first.group("unit") or rate_first.group("per") or ""
            unit = unit if unit.lower() in UNITS else ""
            return DraftItem(
                description=clean_description(rate_first.group("desc")),
                quantity=qty,
                unit=unit_label(unit, qty) if unit else "",
                unit_price=money.amount,
            )
    return None


def ask_total_or_rate(r: Reading, item: DraftItem) -> None:
    """The line's price may be for all of its units or for each: asked; the answer decides."""
    item.total_or_rate = True
    assert item.unit_price is not None
    if not item.unit:
        r.draft.unclear.append(
            f"Is {plain_number(item.unit_price)} the total for the {plain_number(item.quantity)} "
            f"{item.description.lower()}, or the price of each?"
        )
        return
    r.draft.unclear.append(
        f"Is {plain_number(item.unit_price)} the total for the {plain_number(item.quantity)} {item.unit} "
        f"of {item.description.lower()}, or the price per {singular(item.unit)}?"
    )


def trailing_buyer(r: Reading, text: str) -> str:
    """ "3 x Widget @ 12.50 for Globex": a capitalised name after "for" at the end is the buyer."""
    for_buyer = re.search(r"(?:^|\s)(?:for|to)\s+(?P<name>[A-Z][\w&.' -]*)$", text)
    if for_buyer and r.draft.buyer is None:
        take_party(r, "buyer", for_buyer.group("name"))
        return text[: for_buyer.start()].strip()
    return text
