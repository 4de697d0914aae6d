"""A received e-invoice's business terms, as either syntax reads them, into the one invoice model.

``read_ubl`` and ``read_cii`` fill a ``ReadDocument`` (syntax-neutral: EN 16931 terms, amounts as
Decimal); ``to_invoice`` makes the model's invoice of it, once for both syntaxes:

- VAT: one named tax per standard rate (``VAT`` when the document has one rate, else ``VAT 19%``,
  ``VAT 7%``), which the line names; a line of any other category (Z, E, AE, K, G, O) carries its
  category and no tax, with the breakdown's exemption reason (BT-120/121) of its category.
- A line allowance (BG-27) is the line's discount, an amount with its reason. A line charge (BG-28)
  has no place in the model: refused.
- Document allowances (BG-20) are whole-document discounts (amounts, with their reasons). A
  document charge (BG-21) is ``shipping`` when it says it is one (reason code FC, or a reason
  naming shipping, freight, delivery or postage) and has no VAT, as docmesh's shipping is untaxed;
  any other charge becomes a line of its own (its reason as description, its VAT category), which
  keeps every total.
- Unit codes (UN/ECE Rec 20) become the words the exporter maps back (HUR → hours, …); C62, H87
  and EA ("one", "piece", "each") no unit; any other code is kept as the unit text.
- A line with a negative amount (a deduction: quantity -1 of "Abzug") is a whole-document discount
  named after it. A VAT identifier without the VAT form is the party's tax number (BT-32); a credit
  transfer account that is not a valid IBAN, or a payment means code the model has no form for, is
  kept as payment text. Real files do all three; none is a reason to refuse the document.
- Each line's net amount (BT-131) must be its quantity × price less its allowances, to one minor
  unit: a contradiction is named by its line.

Then the invoice must add up to the file's own totals: ``compute_totals`` against BT-109
(tax-exclusive), BT-110 (VAT), BT-112 (tax-inclusive) and BT-115 (payable), each within one cent.
A document whose figures docmesh would compute differently is refused, not stored changed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pydantic

from docmesh_common.model.currency import is_currency, minor_units
from docmesh_common.model.invoice import DocumentKind, Invoice, PaymentMeans, PaymentMeansCode, Tax
from docmesh_common.model.totals import EN16931_MAX_DIGITS, compute_totals, vat_breakdown
from docmesh_common.model.vat import ZERO_RATE_CATEGORIES, VatCategory, is_vat_id, normalize_vat_id
from docmesh_document.einvoice.read_xml import EInvoiceError

# UNTDID 1001 document types read as a credit note; every other invoice type is an invoice.
CREDIT_NOTE_TYPE_CODES = frozenset({"381", "396", "532"})
# UN/ECE Recommendation 20 codes back to the words terms.unit_code maps to them.
_UNITS = {"HUR": "hours", "DAY": "days", "MON": "months", "KGM": "kg", "MTR": "m", "LTR": "l"}
_NO_UNIT = frozenset({"", "C62", "H87", "EA", "ZZ"})
# UNTDID 7161 "freight charges", and the words a shipping charge's reason uses.
_SHIPPING_CODE = "FC"
_SHIPPING_WORDS = re.compile(
    r"\b(?:shipping|freight|delivery|postage|carriage|versand\w*|porto|fracht\w*|lieferung|livraison|"
    r"frais de port|envío|envio|transporte?)\b",
    re.IGNORECASE,
)
_CARD_CODES = frozenset({"48", "54", "55"})
_TRANSFER_CODES = {"30": PaymentMeansCode.CREDIT_TRANSFER, "58": PaymentMeansCode.SEPA_CREDIT_TRANSFER}
_CASH_CODE = "10"
_CENT = Decimal("0.01")


@dataclass
class ReadParty:
    name: str = ""
    address_lines: list[str] = field(default_factory=list)
    postal_code: str = ""
    city: str = ""
    country_code: str = ""
    vat_id: str = ""
    tax_id: str = ""
    company_id: str = ""
    endpoint_id: str = ""
    endpoint_scheme: str = ""
    email: str = ""
    phone: str = ""


@dataclass
class ReadLine:
    """One invoice line (BG-25)."""

    description: str
    quantity: Decimal
    unit_code: str
    unit_price: Decimal  # net price per one unit (BT-146 / BT-149)
    category: str
    rate: Decimal | None
    sku: str = ""
    allowances: list[tuple[Decimal, str]] = field(default_factory=list)  # (amount, reason)
    charges: list[Decimal] = field(default_factory=list)
    net: Decimal | None = None  # BT-131, the file's own line net amount


@dataclass
class ReadAllowanceCharge:
    """One document-level allowance (BG-20) or charge (BG-21)."""

    charge: bool
    amount: Decimal
    reason: str
    reason_code: str
    category: str
    rate: Decimal | None


@dataclass
class ReadPayment:
    code: str = ""
    account_id: str = ""
    account_name: str = ""
    bic: str = ""
    card_number: str = ""
    card_holder: str = ""


@dataclass
class ReadDocument:
    """What a syntax reader found, in EN 16931 terms."""

    syntax: str
    type_code: str
    number: str = ""
    issue_date: dt.date | None = None
    due_date: dt.date | None = None
    currency_code: str = ""
    notes: list[str] = field(default_factory=list)
    buyer_reference: str = ""
    order_reference: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    delivery_date: dt.date | None = None
    preceding_number: str = ""
    preceding_date: dt.date | None = None
    seller: ReadParty = field(default_factory=ReadParty)
    buyer: ReadParty = field(default_factory=ReadParty)
    payment: ReadPayment | None = None
    payment_terms: str = ""
    lines: list[ReadLine] = field(default_factory=list)
    allowances_charges: list[ReadAllowanceCharge] = field(default_factory=list)
    # VAT category code -> (BT-120 text, BT-121 code) from the VAT breakdown (BG-23); the
    # categories that carry reasons all have the rate 0, so the category alone is the key.
    exemption_reasons: dict[str, tuple[str, str]] = field(default_factory=dict)
    prepaid: Decimal | None = None
    tax_exclusive: Decimal | None = None  # BT-109
    tax_total: Decimal | None = None  # BT-110
    tax_inclusive: Decimal | None = None  # BT-112
    payable: Decimal | None = None  # BT-115


def _category(code: str, where: str) -> VatCategory:
    if not code:
        raise EInvoiceError(f"{where} has no VAT category (BT-151 / BT-95 / BT-102)")
    try:
        return VatCategory(code.upper())
    except ValueError:
        known = ", ".join(c.value for c in VatCategory)
        raise EInvoiceError(f"{where} has VAT category {code[:10]!r}; docmesh reads {known}") from None


def _plain(value: Decimal) -> Decimal:
    """``value`` without trailing zeros ("19.00" → 19, "1.50000" → 1.5: a file's zeros are not
    precision the model must hold), never in exponent form ("20.00".normalize() is 2E+1)."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value  # type: ignore[operator]


def _rate_key(rate: Decimal | None) -> Decimal:
    return _plain(rate or Decimal(0))


def _tax_name(rate: Decimal, several: bool) -> str:
    return f"VAT {format(rate, 'f')}%" if several else "VAT"


class _Builder:
    def __init__(self, read: ReadDocument) -> None:
        self.read = read
        # A line with a negative amount (a deduction: quantity -1 of "Abzug") cannot be a line of
        # a docmesh document; it is a whole-document discount of that amount instead. The totals
        # check refuses the document when that moves VAT between rates.
        self.lines: list[tuple[int, ReadLine]] = []
        self.deductions: list[dict[str, object]] = []
        digits = (
            min(minor_units(read.currency_code), EN16931_MAX_DIGITS) if is_currency(read.currency_code) else 2
        )
        for index, line in enumerate(read.lines, start=1):
            if line.charges:
                raise EInvoiceError(
                    f"invoice line {index} has a line charge (BG-28), which a docmesh document cannot hold"
                )
            amount = line.quantity * line.unit_price
            if amount < 0 and line.allowances:
                raise EInvoiceError(
                    f"invoice line {index} has a negative amount and an allowance; docmesh documents hold "
                    "positive quantities and amounts"
                )
            _check_line_net(index, line, digits)
            if amount < 0:
                self.deductions.append(
                    {
                        "amount": abs(amount).quantize(_CENT),
                        "description": line.description or f"Line {index}",
                    }
                )
            else:
                self.lines.append((index, line))
        standard = [
            _rate_key(line.rate)
            for index, line in self.lines
            if _category(line.category, f"invoice line {index}") is VatCategory.STANDARD
        ]
        standard += [
            _rate_key(item.rate)
            for item in read.allowances_charges
            if item.charge
            and not self.is_shipping(item)
            and _category(item.category, f"the charge {item.reason or item.reason_code!r}")
            is VatCategory.STANDARD
        ]
        self.rates = sorted(set(standard))
        several = len(self.rates) > 1
        self.taxes = [Tax(name=_tax_name(rate, several), rate_percent=rate) for rate in self.rates]
        self.names = {rate: tax.name for rate, tax in zip(self.rates, self.taxes, strict=True)}

    def is_shipping(self, item: ReadAllowanceCharge) -> bool:
        untaxed = item.category.upper() in {c.value for c in ZERO_RATE_CATEGORIES}
        says_so = item.reason_code.upper() == _SHIPPING_CODE or bool(_SHIPPING_WORDS.search(item.reason))
        return item.charge and untaxed and says_so

    def vat(self, category_code: str, rate: Decimal | None, where: str) -> dict[str, object]:
        """The line fields that put a line in ``category`` at ``rate``."""
        category = _category(category_code, where)
        if category is VatCategory.STANDARD:
            if rate is None or rate <= 0:
                raise EInvoiceError(f"{where} is standard rated (S) without a VAT rate above 0")
            return {"vat_category": category, "tax_names": [self.names[_rate_key(rate)]]}
        text, code = self.read.exemption_reasons.get(category.value, ("", ""))
        return {
            "vat_category": category,
            "tax_exempt": True,
            "vat_exemption_reason": text,
            "vat_exemption_reason_code": code,
        }

    def line(self, index: int, line: ReadLine) -> dict[str, object]:
        where = f"invoice line {index}"
        if line.quantity <= 0 or line.unit_price < 0:
            if line.quantity < 0 and line.unit_price < 0:
                line.quantity, line.unit_price = -line.quantity, -line.unit_price
            else:
                raise EInvoiceError(
                    f"{where} has the quantity {format(line.quantity, 'f')} at the price "
                    f"{format(line.unit_price, 'f')}; docmesh documents hold positive quantities and amounts"
                )
        data: dict[str, object] = {
            "description": line.description or f"Line {index}",
            "quantity": _plain(line.quantity),
            "unit": _unit(line.unit_code),
            "unit_price": _plain(line.unit_price),
            "sku": line.sku,
        }
        if line.allowances:
            amount = sum((a for a, _ in line.allowances), Decimal(0))
            reasons = [r for _, r in line.allowances if r]
            data["discount"] = {"amount": _plain(amount), "description": "; ".join(reasons)}
        data.update(self.vat(line.category, line.rate, where))
        return data

    def lines_and_charges(self) -> tuple[list[dict[str, object]], Decimal | None, VatCategory | None]:
        lines = [self.line(i, line) for i, line in self.lines]
        shipping: Decimal | None = None
        shipping_category: VatCategory | None = None
        for item in self.read.allowances_charges:
            if not item.charge:
                continue
            if item.amount < 0:
                raise EInvoiceError("a document-level charge (BG-21) is negative")
            if self.is_shipping(item):
                shipping = _plain((shipping or Decimal(0)) + item.amount)
                category = _category(item.category, "the shipping charge")
                if shipping_category not in (None, category):
                    raise EInvoiceError("the shipping charges are in different VAT categories")
                shipping_category = category
                continue
            where = f"the charge {item.reason or item.reason_code or 'without a reason'!r}"
            line: dict[str, object] = {
                "description": item.reason or f"Charge {item.reason_code}".strip(),
                "unit_price": _plain(item.amount),
            }
            line.update(self.vat(item.category, item.rate, where))
            lines.append(line)
        return lines, shipping, shipping_category

    def discounts(self) -> list[dict[str, object]]:
        out = []
        for item in self.read.allowances_charges:
            if item.charge:
                continue
            if item.amount < 0:
                raise EInvoiceError("a document-level allowance (BG-20) is negative")
            out.append({"amount": _plain(item.amount), "description": item.reason})
        return out + self.deductions

    def payment_means(self) -> tuple[dict[str, object] | None, str]:
        """(the model's payment means, or None with the code as payment_method text)."""
        pay = self.read.payment
        if pay is None or not pay.code:
            return None, ""
        if pay.code in _TRANSFER_CODES:
            transfer: dict[str, object] = {
                "code": _TRANSFER_CODES[pay.code],
                "iban": pay.account_id,
                "bic": pay.bic,
                "account_name": pay.account_name,
            }
            try:
                PaymentMeans.model_validate(transfer)
            except pydantic.ValidationError:
                # BT-84 may be a proprietary account number, or an IBAN whose checksum fails: the
                # document is still the sender's; the account is kept as text, not refused.
                account = f" to account {pay.account_id}" if pay.account_id else ""
                bic = f", BIC {pay.bic}" if pay.bic else ""
                return None, f"Credit transfer{account}{bic}"[:200]
            return transfer, ""
        if pay.code in _CARD_CODES:
            digits = "".join(ch for ch in pay.card_number if ch.isdigit())[-4:]
            return {
                "code": PaymentMeansCode.CARD,
                "card_last_digits": digits,
                "card_holder": pay.card_holder,
            }, ""
        if pay.code == _CASH_CODE:
            return {"code": PaymentMeansCode.CASH}, ""
        # A code the model has no form for (1 "not defined", 49 direct debit, …) is kept as text,
        # with the account it names, so the buyer still sees how to pay.
        account = f", account {pay.account_id}" if pay.account_id else ""
        return None, f"Payment means code {pay.code} (UNTDID 4461){account}"[:200]

    def invoice_data(self) -> dict[str, object]:
        r = self.read
        lines, shipping, shipping_category = self.lines_and_charges()
        means, method = self.payment_means()
        period_start = r.period_start or r.period_end
        period_end = r.period_end or r.period_start
        preceding = None
        if r.preceding_number:
            preceding = {"number": r.preceding_number, "issue_date": r.preceding_date}
        return {
            "kind": DocumentKind.CREDIT_NOTE
            if r.type_code in CREDIT_NOTE_TYPE_CODES
            else DocumentKind.INVOICE,
            "number": r.number,
            "currency_code": r.currency_code,
            "issue_date": r.issue_date,
            "due_date": r.due_date,
            "payment_terms": r.payment_terms,
            "seller": _party(r.seller),
            "buyer": _party(r.buyer),
            "line_items": lines,
            "taxes": self.taxes,
            "discounts": self.discounts(),
            "shipping": shipping,
            "shipping_vat_category": shipping_category,
            "notes": "\n".join(r.notes),
            "reference": r.order_reference,
            "buyer_reference": r.buyer_reference,
            "delivery_date": r.delivery_date,
            "service_period_start": period_start,
            "service_period_end": period_end,
            "payment_means": means,
            "payment_method": method,
            "amount_paid": _plain(r.prepaid) if r.prepaid else None,
            "preceding_invoice": preceding,
        }


def _check_line_net(index: int, line: ReadLine, digits: int) -> None:
    """BT-131 = quantity × net price − allowances, in the file's decimals (2, JPY 0): a line that
    contradicts itself is named, rather than found later as totals that do not add up. One minor
    unit of difference is a rounding choice, not a contradiction."""
    if line.net is None:
        return
    unit = Decimal(1).scaleb(-digits)
    computed = (line.quantity * line.unit_price).quantize(unit, rounding=ROUND_HALF_UP)
    computed -= sum((a for a, _ in line.allowances), Decimal(0))
    if abs(computed - line.net) > unit:
        raise EInvoiceError(
            f"invoice line {index}: {format(line.quantity, 'f')} × {format(line.unit_price, 'f')} comes to "
            f"{format(computed, 'f')}, but the file says {format(line.net, 'f')} (BT-131)"
        )


def _unit(code: str) -> str:
    code = code.strip().upper()
    if code in _NO_UNIT:
        return ""
    return _UNITS.get(code, code)


def _party(p: ReadParty) -> dict[str, object]:
    vat_id, tax_id = p.vat_id, p.tax_id
    if vat_id and not is_vat_id(normalize_vat_id(vat_id)):
        # A tax number sent as the VAT identifier (a German "37/302/30168" under scheme VA): it
        # is the party's tax registration (BT-32), not a reason to refuse the document.
        vat_id, tax_id = "", tax_id or vat_id
    return {
        "name": p.name,
        "address_lines": p.address_lines,
        "postal_code": p.postal_code,
        "city": p.city,
        "country_code": p.country_code,
        "vat_id": vat_id,
        "tax_id": tax_id,
        "company_id": p.company_id,
        "endpoint_id": p.endpoint_id if p.endpoint_scheme else "",
        "endpoint_scheme": p.endpoint_scheme if p.endpoint_id else "",
        "email": p.email,
        "phone": p.phone,
    }


def _where(loc: tuple[int | str, ...]) -> str:
    """A model path in the file's words: ("line_items", 0, "unit_price") → "invoice line 1 unit_price"."""
    if len(loc) >= 2 and loc[0] == "line_items" and isinstance(loc[1], int):
        return " ".join([f"invoice line {loc[1] + 1}", *(str(part) for part in loc[2:])])
    return ".".join(str(part) for part in loc)


def _model_error(error: pydantic.ValidationError) -> EInvoiceError:
    problems = []
    for item in error.errors()[:3]:
        where = _where(tuple(item.get("loc", ())))
        message = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
        problems.append(f"{where}: {message}" if where else message)
    return EInvoiceError("the e-invoice does not fit a docmesh document: " + "; ".join(problems))


def _check_totals(invoice: Invoice, read: ReadDocument, deductions: bool) -> None:
    """The file's totals against docmesh's: the EN 16931 view of the one arithmetic (2 decimals at
    most, as the file has them) and, where the currency has no more than 2 decimals, the
    document's own totals too (a KWD sheet computes in 3 decimals, its e-invoice in 2)."""
    b = vat_breakdown(invoice)
    ours = {
        "BT-109 tax-exclusive amount": (read.tax_exclusive, b.tax_exclusive),
        "BT-110 VAT total": (read.tax_total, b.tax_total),
        "BT-112 tax-inclusive amount": (read.tax_inclusive, b.tax_inclusive),
        "BT-115 amount due": (read.payable, b.payable),
    }
    if minor_units(invoice.currency_code) <= EN16931_MAX_DIGITS:
        totals = compute_totals(invoice)
        ours["BT-115 amount due"] = (read.payable, totals.balance_due)
        ours["BT-110 VAT total"] = (read.tax_total, totals.tax_total)
    off = [
        f"{term} {format(theirs, 'f')} (docmesh computes {format(mine, 'f')})"
        for term, (theirs, mine) in ours.items()
        if theirs is not None and abs(theirs - mine) > _CENT
    ]
    if read.payable is None:
        off.insert(0, "the file states no amount due (BT-115)")
    if off:
        why = (
            " (its negative lines are read as whole-document discounts, which docmesh spreads over every VAT rate)"
            if deductions and any(term.startswith("BT-110") for term in off)
            else ""
        )
        raise EInvoiceError(
            f"the totals do not add up: {'; '.join(off)}{why}; "
            "the document is not imported rather than stored with different figures"
        )


def to_invoice(read: ReadDocument) -> Invoice:
    """The model's invoice of ``read``; EInvoiceError when it cannot be one or does not add up."""
    if not read.lines:
        raise EInvoiceError("the e-invoice has no invoice lines (BG-25)")
    if not read.currency_code:
        raise EInvoiceError("the e-invoice names no currency (BT-5)")
    try:
        try:
            builder = _Builder(read)  # its taxes are model values: a rate over 100 % is refused here
            if not builder.lines:
                raise EInvoiceError("the e-invoice has no line with a positive amount")
            invoice = Invoice.model_validate(builder.invoice_data())
        except pydantic.ValidationError as error:
            raise _model_error(error) from None
        _check_totals(invoice, read, bool(builder.deductions))
    except ArithmeticError:
        # Quantities and prices within the model's 18 digits each can still multiply past
        # Decimal's 28-digit precision.
        raise EInvoiceError("the amounts are too large for docmesh to compute") from None
    return invoice
