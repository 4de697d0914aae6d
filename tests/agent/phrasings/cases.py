"""The phrasing cases (seen/, former_heldout/, seen_v2/, seen_v3/, seen_v4/, heldout_v2/): loading one, running it through the
built-in interpreter, and listing every way the result differs from what a careful clerk would produce.

The format is described in README.md next to this file. Shared by the pytest module
(tests/agent/test_phrasings.py) and the score script (score.py), so both judge a case the same way.

A case never crashes the run: an exception inside the interpreter, or a field the Invoice model does
not have yet, is one more difference in that case's list.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from docmesh_agent.builtin import Interpretation, interpret
from docmesh_common.model.invoice import Discount, DocumentKind, Invoice, LineItem, Party, Tax
from docmesh_common.model.totals import compute_totals

HERE = Path(__file__).parent
# seen/, former_heldout/, seen_v2/, seen_v3/ (session 4's tuning batches), seen_v4/ (session 5's)
# former_heldout_v2/ and former_heldout_v3/ (the held-out sets of sessions 4 and 5, tuning data since
# they were measured) are read by whoever works on the interpreter; heldout_v4/ is the held-out set:
# only ever counted, loaded by name and never read here or by score.py beyond judging its cases.
VISIBLE_SETS = (
    "seen",
    "former_heldout",
    "seen_v2",
    "seen_v3",
    "seen_v4",
    "former_heldout_v2",
    "former_heldout_v3",
)
HELDOUT_SET = "heldout_v4"
SETS = (*VISIBLE_SETS, HELDOUT_SET)
LANGUAGES = ("en", "es", "de", "fr")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Stands for "the attribute does not exist on the model yet".
_ABSENT = object()


@dataclass(frozen=True)
class Case:
    """One phrasing case as read from its file."""

    set_name: str  # one of SETS
    file: str  # the file's stem: its class ("typos", "spanish", ...)
    id: str
    lang: str  # language of the message(s)
    messages: tuple[str, ...]
    base: dict[str, Any] | None  # the document the first message edits, if any
    expect: dict[str, Any]
    today: dt.date

    @property
    def test_id(self) -> str:
        return f"{self.set_name}/{self.file}/{self.id}"


# --- loading -------------------------------------------------------------------------------


def load_cases(set_name: str) -> list[Case]:
    """Every case of one set, in file then file order (none when the set's directory is absent)."""
    if set_name not in SETS:
        raise ValueError(f"unknown phrasing set {set_name!r}; known: {SETS}")
    cases: list[Case] = []
    for path in sorted((HERE / set_name).glob("*.yaml")):
        cases.extend(_load_file(set_name, path))
    return cases


def _load_file(set_name: str, path: Path) -> Iterator[Case]:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    today = _date(data["today"])
    if WEEKDAYS[today.weekday()] != data["weekday"]:
        raise ValueError(f"{path}: today {today} is a {WEEKDAYS[today.weekday()]}, not {data['weekday']}")
    bases: dict[str, dict[str, Any]] = data.get("bases") or {}
    for raw in data["cases"]:
        messages = raw["messages"] if "messages" in raw else [raw["message"]]
        lang = raw.get("lang", data.get("lang", "en"))
        if lang not in LANGUAGES:
            raise ValueError(f"{path}: case {raw['id']} has unknown language {lang!r}")
        yield Case(
            set_name=set_name,
            file=path.stem,
            id=str(raw["id"]),
            lang=lang,
            messages=tuple(str(m) for m in messages),
            base=bases[raw["base"]] if "base" in raw else None,
            expect=raw["expect"],
            today=today,
        )


# --- running -------------------------------------------------------------------------------


def run(case: Case) -> tuple[Interpretation | None, list[str]]:
    """Interpret the case's messages in order and list what differs from the expectation."""
    try:
        current = build_invoice(case.base, case.today, case.lang) if case.base is not None else None
        result: Interpretation | None = None
        for index, message in enumerate(case.messages):
            result = interpret(message, current, today=case.today, history=list(case.messages[:index]))
            if result.invoice is not None:
                current = result.invoice
        assert result is not None
        return result, differences(case, result)
    except Exception as exc:  # one broken case must not stop the run
        return None, [f"raised {type(exc).__name__}: {exc}"]


def differences(case: Case, result: Interpretation) -> list[str]:
    """What the interpretation gets wrong, as short sentences; empty when it is right."""
    expect = case.expect
    problems: list[str] = []
    for words in expect.get("reply_mentions", []):
        if not _mentions(result.reply, words):
            problems.append(f"the reply does not mention {words!r}: {result.reply!r}")
    if expect.get("question"):
        if result.action != "question" or result.invoice is not None:
            problems.append(f"expected a question, got {result.action}: {result.reply!r}")
        elif "?" not in result.reply:
            problems.append(f"the reply is not a question: {result.reply!r}")
        for words in expect.get("mentions", []):
            if not _mentions(result.reply, words):
                problems.append(f"the question does not mention {words!r}: {result.reply!r}")
        return problems
    wanted_action = expect.get("action") or ("edit" if case.base or len(case.messages) > 1 else "generate")
    if result.action != wanted_action or result.invoice is None:
        problems.append(f"expected {wanted_action}, got {result.action}: {result.reply!r}")
        return problems
    spec = {**case.base, **expect} if case.base and wanted_action == "edit" else dict(expect)
    wanted = _expected_fields(spec, case.today, case.lang)
    problems.extend(_compare(result.invoice, wanted))
    return problems


def _mentions(reply: str, words: str | list[str]) -> bool:
    options = words if isinstance(words, list) else [words]
    return any(str(w).casefold() in reply.casefold() for w in options)


# --- what the case expects -------------------------------------------------------------------


@dataclass(frozen=True)
class Want:
    """One expected field: its value (or acceptable values, for text) and whether the case states it.

    A field the case does not state is expected to have its default; if the model does not have
    that field yet, a default is what it implicitly has, so that is not a difference. A stated field
    the model does not have is a difference.
    """

    value: Any
    stated: bool


def _expected_fields(spec: dict[str, Any], today: dt.date, lang: str) -> dict[str, Want]:
    def want(key: str, value: Any, default: Any) -> Want:
        return Want(value, key in spec) if key in spec else Want(default, False)

    fields: dict[str, Want] = {
        "kind": want("kind", DocumentKind(spec.get("kind", "invoice")), DocumentKind.INVOICE),
        "number": Want(_texts(spec.get("number", "")), "number" in spec),
        "currency_code": Want(spec.get("currency", "USD"), "currency" in spec),
        "issue_date": Want(
            _day(spec, "issue", today) or today, "issue_date" in spec or "issue_in_days" in spec
        ),
        "due_date": Want(_day(spec, "due", today), "due_date" in spec or "due_in_days" in spec),
        "payment_terms": Want(_texts(spec.get("payment_terms", "")), "payment_terms" in spec),
        "seller": Want(_party(spec, "seller"), "seller" in spec),
        "buyer": Want(_party(spec, "buyer"), "buyer" in spec),
        "line_items": Want([_item(i) for i in spec.get("items", [])], "items" in spec),
        "taxes": Want([(_texts(n), _dec(r)) for n, r in spec.get("taxes", [])], "taxes" in spec),
        "discounts": Want([_discount(d) for d in _discount_specs(spec)], "discounts" in spec),
        "shipping": Want(_dec_or_none(spec.get("shipping")), "shipping" in spec),
        "notes": Want(_texts(spec.get("notes", "")), "notes" in spec),
        "reference": Want(_texts(spec.get("reference", "")), "reference" in spec),
        "title": Want(_texts(spec.get("title", "")), "title" in spec),
        "rounding_mode": Want("half_up", False),
        "valid_until": Want(_day(spec, "valid", today), "valid_until" in spec or "valid_in_days" in spec),
        "payment_method": Want(_texts(spec.get("payment_method", "")), "payment_method" in spec),
        "delivery_date": Want(_date_or_none(spec.get("delivery_date")), "delivery_date" in spec),
        "service_period_start": Want(
            _date_or_none(spec.get("service_period_start")), "service_period_start" in spec
        ),
        "service_period_end": Want(
            _date_or_none(spec.get("service_period_end")), "service_period_end" in spec
        ),
        # The document follows the language of the request unless the case says otherwise.
        "language": Want(spec.get("language", lang), "language" in spec or lang != "en"),
    }
    paid = spec.get("amount_paid")
    if paid == "total":
        paid = compute_totals(_invoice_for_total(spec, today)).total
    fields["amount_paid"] = Want(_dec_or_none(paid), "amount_paid" in spec)
    return fields


def build_invoice(spec: dict[str, Any], today: dt.date, lang: str) -> Invoice:
    """A base document from its spec (first alternative of every text). A base holds kind,
    currency, dates, terms, buyer name and address, seller name, items, taxes, discounts,
    shipping, payment method and notes. New model fields are set only when the model has them,
    so a base works before and after the model grows."""
    invoice = _invoice_for_total(spec, today)
    extra = {
        "delivery_date": _date_or_none(spec.get("delivery_date")),
        "service_period_start": _date_or_none(spec.get("service_period_start")),
        "service_period_end": _date_or_none(spec.get("service_period_end")),
        "language": spec.get("language", lang),
    }
    known = {k: v for k, v in extra.items() if k in Invoice.model_fields}
    return invoice.model_copy(update=known) if known else invoice


def _invoice_for_total(spec: dict[str, Any], today: dt.date) -> Invoice:
    first = _first
    return Invoice(
        kind=DocumentKind(spec.get("kind", "invoice")),
        currency_code=spec.get("currency", "USD"),
        issue_date=_day(spec, "issue", today) or today,
        due_date=_day(spec, "due", today),
        payment_terms=first(spec.get("payment_terms", "")),
        buyer=Party(
            name=first(spec.get("buyer", "")),
            address_lines=[first(a) for a in spec.get("buyer_address", [])],
        ),
        seller=Party(name=first(spec.get("seller", ""))),
        line_items=[
            LineItem(
                description=first(i[0]),
                quantity=_dec(i[1]),
                unit=first(i[2]),
                unit_price=_dec(i[3]),
                discount=_item(i)["discount"],
                tax_exempt=_item(i)["tax_exempt"],
            )
            for i in spec.get("items", [])
        ],
        taxes=[Tax(name=first(n), rate_percent=_dec(r)) for n, r in spec.get("taxes", [])],
        discounts=[_discount_model(d) for d in _discount_specs(spec)],
        shipping=_dec_or_none(spec.get("shipping")),
        valid_until=_day(spec, "valid", today),
        payment_method=first(spec.get("payment_method", "")),
        notes=first(spec.get("notes", "")),
    )


def _first(value: Any) -> str:
    return str(value[0]) if isinstance(value, list) else str(value)


def _texts(value: Any) -> tuple[str, ...]:
    """Acceptable texts: a clerk could write any of them (compared case-insensitively)."""
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


def _dec(value: Any) -> Decimal:
    # YAML reads 12.50 as a float; going through str keeps the digits as written.
    return Decimal(str(value))


def _dec_or_none(value: Any) -> Decimal | None:
    return None if value is None else _dec(value)


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _date_or_none(value: Any) -> dt.date | None:
    return None if value is None else _date(value)


def _day(spec: dict[str, Any], name: str, today: dt.date) -> dt.date | None:
    # due_date / due_in_days, issue_date / issue_in_days, valid_until / valid_in_days
    absolute = spec.get("valid_until" if name == "valid" else f"{name}_date")
    if absolute is not None:
        return _date(absolute)
    days = spec.get(f"{name}_in_days")
    return None if days is None else today + dt.timedelta(days=int(days))


def _party(spec: dict[str, Any], who: str) -> dict[str, Any]:
    return {
        "name": _texts(spec.get(who, "")),
        "address": _address_text(spec.get(f"{who}_address", [])),
        "email": _texts(spec.get(f"{who}_email", "")),
        "phone": _texts(spec.get(f"{who}_phone", "")),
        "tax_id": _texts(spec.get(f"{who}_tax_id", "")),
    }


def _address_text(lines: list[Any]) -> str:
    # The lines, the postal code, the city and the country in that order, read as one text: a clerk
    # may put "10115 Berlin" on a line of its own or in the postal code and city fields.
    text = " ".join(str(line) for line in lines)
    return re.sub(r"\s+", " ", text.replace(",", " ")).strip().casefold()


def _discount_specs(spec: dict[str, Any]) -> list[Any]:
    """The document discounts of a spec: a list, or one discount alone ("5%", "50" or a mapping)."""
    raw = spec.get("discounts", [])
    return raw if isinstance(raw, list) else [raw]


def _discount(spec: Any) -> dict[str, Any]:
    if isinstance(spec, dict):
        return {
            "percent": _dec_or_none(spec.get("percent")),
            "amount": _dec_or_none(spec.get("amount")),
            "description": _texts(spec["description"]) if "description" in spec else None,
        }
    text = str(spec)
    if text.endswith("%"):
        return {"percent": _dec(text[:-1]), "amount": None, "description": None}
    return {"percent": None, "amount": _dec(text), "description": None}


def _discount_model(spec: Any) -> Discount:
    d = _discount(spec)
    return Discount(percent=d["percent"], amount=d["amount"], description=_first(d["description"] or ""))


def _item(spec: list[Any]) -> dict[str, Any]:
    # [description, quantity, unit, unit price] + optional {discount, exempt, tax_names} or a discount.
    description, quantity, unit, price, *rest = spec
    extra = rest[0] if rest else {}
    if not isinstance(extra, dict):
        extra = {"discount": extra}
    discount = extra.get("discount")
    return {
        "description": _texts(description),
        "quantity": _dec(quantity),
        "unit": _texts(unit),
        "unit_price": _dec(price),
        "discount": _discount_model(discount) if discount is not None else None,
        "discount_spec": _discount(discount) if discount is not None else None,
        "tax_exempt": bool(extra.get("exempt", False)),
        "tax_names": [str(n).casefold() for n in extra.get("tax_names", [])],
    }


# --- comparing -----------------------------------------------------------------------------


def _compare(invoice: Invoice, wanted: dict[str, Want]) -> list[str]:
    problems: list[str] = []
    for name, want in wanted.items():
        observed = getattr(invoice, name, _ABSENT)
        if observed is _ABSENT:
            if want.stated:
                problems.append(f"{name}: the document has no such field (expected {want.value!r})")
            continue
        if name == "payment_terms" and net_terms_restate_due_date(
            str(observed or ""), want.value, invoice.issue_date, invoice.due_date
        ):
            continue
        problem = _field_problem(name, observed, want.value)
        if problem:
            problems.append(f"{name}: {problem}")
    return problems


def _field_problem(name: str, observed: Any, wanted: Any) -> str | None:
    if name in ("seller", "buyer"):
        return _party_problem(observed, wanted)
    if name == "line_items":
        return _items_problem(observed, wanted)
    if name == "taxes":
        got = [(t.name, t.rate_percent) for t in observed]
        ok = len(got) == len(wanted) and all(
            _text_ok(n, names) and r == rate for (n, r), (names, rate) in zip(got, wanted, strict=True)
        )
        return None if ok else f"got {got}, expected {wanted}"
    if name == "discounts":
        ok = len(observed) == len(wanted) and all(
            _discount_ok(d, w) for d, w in zip(observed, wanted, strict=True)
        )
        return None if ok else f"got {[d.model_dump() for d in observed]}, expected {wanted}"
    if isinstance(wanted, tuple):
        return None if _text_ok(str(observed or ""), wanted) else f"got {observed!r}, expected {wanted}"
    if isinstance(observed, str) and isinstance(wanted, str):
        return None if observed.casefold() == wanted.casefold() else f"got {observed!r}, expected {wanted!r}"
    return None if observed == wanted else f"got {observed!r}, expected {wanted!r}"


# "Net 30" and its Spanish, German and French forms: "Neto 30", "30 días netos", "30 Tage netto",
# "Netto 30 Tage", "30 jours net", "Net 30 jours".
_NET_TERMS = re.compile(
    r"^(?:(?:net|neto|netto)\s+(?P<n>\d+)(?:\s+(?:days?|d[ií]as|tage|jours))?"
    r"|(?P<m>\d+)\s+(?:days?\s+net|d[ií]as\s+netos?|tage\s+netto|jours\s+nets?))$",
    re.IGNORECASE,
)


def net_days(terms: str) -> int | None:
    """N when `terms` is "Net N" (or one of its es/de/fr forms), else None."""
    match = _NET_TERMS.match(_norm(terms))
    return None if match is None else int(match.group("n") or match.group("m"))


def net_terms_restate_due_date(
    observed: str, acceptable: tuple[str, ...], issue: dt.date, due: dt.date | None
) -> bool:
    """Terms "Net N" say nothing a due date exactly N days after the issue date does not say
    (the project's decision: "due in N days" sets the due date; "Net N" restates it). So "Net N"
    is as good as no terms, and no terms as good as "Net N", when the due date is issue + N."""
    if due is None:
        return False
    span = (due - issue).days
    if net_days(observed) == span and "" in {_norm(a) for a in acceptable}:
        return True
    return _norm(observed) == "" and any(net_days(a) == span for a in acceptable)


def _text_ok(observed: str, acceptable: tuple[str, ...]) -> bool:
    return _norm(observed) in {_norm(a) for a in acceptable}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _party_problem(party: Party, wanted: dict[str, Any]) -> str | None:
    lines = [*party.address_lines, party.postal_code, party.city, party.country_code]
    got = {
        "name": party.name,
        "address": _address_text([line for line in lines if line]),
        "email": party.email,
        "phone": party.phone,
        "tax_id": party.tax_id,
    }
    bad = []
    for key, value in got.items():
        ok = value == wanted[key] if key == "address" else _text_ok(value, wanted[key])
        if not ok:
            bad.append(f"{key} {value!r} (expected {wanted[key]!r})")
    for key in ("company_id", "website"):
        if getattr(party, key):
            bad.append(f"{key} {getattr(party, key)!r} (expected none)")
    return "; ".join(bad) or None


def _items_problem(items: list[LineItem], wanted: list[dict[str, Any]]) -> str | None:
    if len(items) != len(wanted):
        got = [(i.description, str(i.quantity), i.unit, str(i.unit_price)) for i in items]
        return f"{len(items)} lines {got}, expected {len(wanted)}"
    bad = []
    for number, (item, want) in enumerate(zip(items, wanted, strict=True), start=1):
        wrong = []
        if not _text_ok(item.description, want["description"]):
            wrong.append(f"description {item.description!r} (expected {want['description']})")
        if item.quantity != want["quantity"]:
            wrong.append(f"quantity {item.quantity} (expected {want['quantity']})")
        if not _text_ok(item.unit, want["unit"]):
            wrong.append(f"unit {item.unit!r} (expected {want['unit']})")
        if item.unit_price != want["unit_price"]:
            wrong.append(f"unit price {item.unit_price} (expected {want['unit_price']})")
        if want["discount_spec"] is None:
            if item.discount is not None:
                wrong.append(f"discount {item.discount.model_dump()} (expected none)")
        elif item.discount is None or not _discount_ok(item.discount, want["discount_spec"]):
            seen = item.discount.model_dump() if item.discount else None
            wrong.append(f"discount {seen} (expected {want['discount_spec']})")
        if item.tax_exempt != want["tax_exempt"]:
            wrong.append(f"tax_exempt {item.tax_exempt} (expected {want['tax_exempt']})")
        if [n.casefold() for n in item.tax_names] != want["tax_names"]:
            wrong.append(f"tax_names {item.tax_names} (expected {want['tax_names']})")
        if item.sku:
            wrong.append(f"sku {item.sku!r} (expected none)")
        if wrong:
            bad.append(f"line {number}: " + ", ".join(wrong))
    return "; ".join(bad) or None


def _discount_ok(discount: Discount, want: dict[str, Any]) -> bool:
    # A discount's description is free text a clerk may or may not write; it is checked only
    # when the case gives one.
    if discount.percent != want["percent"] or discount.amount != want["amount"]:
        return False
    return want["description"] is None or _text_ok(discount.description, want["description"])
