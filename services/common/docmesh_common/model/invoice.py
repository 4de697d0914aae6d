"""The typed commercial document shared by every service, in Decimal arithmetic.

`docmesh.type.v1.Invoice` is the wire form; these pydantic models are the domain form the
agent edits and the document service renders. `to_proto`/`from_proto` convert between
them, and `Invoice.model_json_schema()` is the schema an LLM is asked to fill.

EN 16931 (e-invoices) and the older "named taxes" model
--------------------------------------------------------
Taxes are named with a rate (``Tax``) and a line says which apply (``tax_names``, empty = all)
or that none does (``tax_exempt``). EN 16931 instead gives every line one VAT category and rate.
A line's category is derived so that documents written before categories existed keep their
meaning (``line_vat_category``):

- ``vat_category`` set on the line: that category (S needs one applicable tax with a rate above
  0; every other category allows no applicable tax with a rate above 0);
- else ``tax_exempt``: E (exempt), with the line's reason or "Exempt from VAT";
- else one applicable tax at rate r > 0: S at r; at rate 0: Z;
- else (no tax applies): O, outside the scope of VAT.

A line under two taxes at once (GST + PST) has no EN 16931 form: the e-invoice export refuses it.
Whole-document ``discounts`` are the document-level allowances (BG-20), split over the VAT
categories and rates of the lines pro rata; ``shipping`` is a document-level charge (BG-21),
untaxed as ever, in ``shipping_vat_category`` (default E, or O on an invoice outside VAT).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from docmesh.type.v1 import invoice_pb2, money_pb2
from docmesh_common.model.country import is_country
from docmesh_common.model.currency import is_currency
from docmesh_common.model.vat import (
    ZERO_RATE_CATEGORIES,
    VatCategory,
    is_vat_id,
    normalize_vat_id,
)

MAX_LINE_ITEMS = 500
# The languages documents are written in; the first is the default.
LANGUAGES = ("en", "es", "de", "fr")
DEFAULT_LANGUAGE = LANGUAGES[0]
MAX_TEXT = 2000

Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=12, decimal_places=4)]
Amount = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=4)]
Quantity = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=4)]
ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=MAX_TEXT)]


class DocumentKind(StrEnum):
    """What the document is; the renderer picks title and fields from it."""

    INVOICE = "invoice"
    QUOTE = "quote"
    RECEIPT = "receipt"
    PURCHASE_ORDER = "purchase_order"
    # Corrects an earlier invoice (``preceding_invoice``); its amounts are positive.
    CREDIT_NOTE = "credit_note"


class RoundingMode(StrEnum):
    """How amounts are rounded to the currency's minor unit."""

    HALF_UP = "half_up"
    HALF_EVEN = "half_even"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_assignment=True)


class Party(_Model):
    """Seller or buyer."""

    name: ShortText = ""
    address_lines: list[ShortText] = Field(default_factory=list, max_length=10)
    email: ShortText = ""
    phone: ShortText = ""
    tax_id: ShortText = ""
    postal_code: ShortText = ""
    city: ShortText = ""
    country_code: str = Field(default="", max_length=2)
    company_id: ShortText = ""
    website: ShortText = ""
    # EN 16931 BT-31/BT-48: the VAT identifier with its country prefix, e.g. "DE123456789".
    vat_id: ShortText = ""
    # EN 16931 BT-34/BT-49: electronic address (e.g. a Peppol participant id) and its EAS scheme
    # ("0088" GLN, "9930" German VAT, "EM" e-mail); both or neither.
    endpoint_id: ShortText = ""
    endpoint_scheme: str = Field(default="", max_length=4)

    @field_validator("vat_id")
    @classmethod
    def _prefixed_vat_id(cls, value: str) -> str:
        vat_id = normalize_vat_id(value)
        if vat_id and not is_vat_id(vat_id):
            raise ValueError(f"{value!r} is not a VAT identifier with a country prefix, e.g. DE123456789")
        return vat_id

    @field_validator("endpoint_scheme")
    @classmethod
    def _upper_scheme(cls, value: str) -> str:
        return value.upper()

    @model_validator(mode="after")
    def _endpoint_with_scheme(self) -> Self:
        if bool(self.endpoint_id) != bool(self.endpoint_scheme):
            raise ValueError("an electronic address has both an endpoint id and its scheme")
        return self

    @field_validator("country_code")
    @classmethod
    def _known_country(cls, value: str) -> str:
        code = value.upper()
        if code and not is_country(code):
            raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
        return code

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in type(self).model_fields)


class Discount(_Model):
    """A percentage or a fixed amount; exactly one of the two is set."""

    description: ShortText = ""
    percent: Percent | None = None
    amount: Amount | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.percent is None) == (self.amount is None):
            raise ValueError("a discount has exactly one of percent or amount")
        return self


class Tax(_Model):
    """A named tax, e.g. GST at 5 %."""

    name: ShortText = Field(min_length=1)
    rate_percent: Percent


class PaymentMeansCode(StrEnum):
    """How the buyer pays (EN 16931 BT-81, UNTDID 4461 codes)."""

    CREDIT_TRANSFER = "30"
    SEPA_CREDIT_TRANSFER = "58"
    CARD = "48"
    CASH = "10"


class PaymentMeans(_Model):
    """BG-16: credit transfer to an IBAN (with BIC), a card, or cash."""

    code: PaymentMeansCode = PaymentMeansCode.CREDIT_TRANSFER
    iban: ShortText = ""
    bic: ShortText = ""
    account_name: ShortText = ""
    # Cards: only the last digits are ever stored (EN 16931 BT-87 allows no more than that).
    card_last_digits: str = Field(default="", max_length=6)
    card_holder: ShortText = ""

    @model_validator(mode="after")
    def _checked(self) -> Self:
        # schwifty checks the IBAN checksum and the BIC's format; imported here because only
        # credit transfers need it.
        from schwifty import BIC, IBAN
        from schwifty.exceptions import SchwiftyException

        transfer = self.code in (PaymentMeansCode.CREDIT_TRANSFER, PaymentMeansCode.SEPA_CREDIT_TRANSFER)
        if not transfer and (self.iban or self.bic):
            raise ValueError("an IBAN or BIC belongs to a credit transfer")
        if self.code is not PaymentMeansCode.CARD and (self.card_last_digits or self.card_holder):
            raise ValueError("card details belong to a card payment")
        if self.card_last_digits and not self.card_last_digits.isdigit():
            raise ValueError("card_last_digits holds digits only")
        try:
            if self.iban:
                object.__setattr__(self, "iban", IBAN(self.iban).compact)
            if self.bic:
                object.__setattr__(self, "bic", BIC(self.bic).compact)
        except SchwiftyException as exc:
            raise ValueError(str(exc)) from exc
        return self


class LineItem(_Model):
    """quantity x unit price, less an optional line discount.

    ``vat_category`` (None = derived, see the module docstring) and the exemption reason
    (EN 16931 BT-120 text / BT-121 VATEX code) say how VAT treats the line in an e-invoice.
    """

    description: ShortText = Field(min_length=1)
    quantity: Quantity = Decimal(1)
    unit: ShortText = ""
    unit_price: Amount
    tax_names: list[ShortText] = Field(default_factory=list)
    tax_exempt: bool = False
    discount: Discount | None = None
    sku: ShortText = ""
    vat_category: VatCategory | None = None
    vat_exemption_reason: ShortText = ""
    vat_exemption_reason_code: ShortText = ""


class PrecedingInvoice(_Model):
    """The invoice a credit note corrects (EN 16931 BG-3: number BT-25, issue date BT-26)."""

    number: ShortText = Field(min_length=1)
    issue_date: dt.date | None = None


class Invoice(_Model):
    """An invoice, quote, receipt, purchase order or credit note."""

    kind: DocumentKind = DocumentKind.INVOICE
    number: ShortText = ""
    currency_code: str = Field(default="USD", min_length=3, max_length=3)
    issue_date: dt.date | None = None
    due_date: dt.date | None = None
    payment_terms: ShortText = ""
    seller: Party = Field(default_factory=Party)
    buyer: Party = Field(default_factory=Party)
    line_items: list[LineItem] = Field(default_factory=list, max_length=MAX_LINE_ITEMS)
    taxes: list[Tax] = Field(default_factory=list, max_length=10)
    discounts: list[Discount] = Field(default_factory=list, max_length=10)
    shipping: Amount | None = None
    notes: LongText = ""
    rounding_mode: RoundingMode = RoundingMode.HALF_UP
    title: ShortText = ""
    reference: ShortText = ""
    valid_until: dt.date | None = None
    amount_paid: Amount | None = None
    payment_method: ShortText = ""
    delivery_date: dt.date | None = None
    service_period_start: dt.date | None = None
    service_period_end: dt.date | None = None
    language: str = DEFAULT_LANGUAGE
    payment_means: PaymentMeans | None = None
    # EN 16931 BT-10: the buyer's routing reference (Leitweg-ID in Germany). Optional.
    buyer_reference: ShortText = ""
    shipping_vat_category: VatCategory | None = None
    # Credit notes: the invoice corrected (BG-3). Required before a credit note is finalized.
    preceding_invoice: PrecedingInvoice | None = None

    @field_validator("shipping_vat_category")
    @classmethod
    def _untaxed_shipping(cls, value: VatCategory | None) -> VatCategory | None:
        # Shipping is added after tax; only a category without VAT describes that honestly.
        if value is not None and value not in ZERO_RATE_CATEGORIES:
            raise ValueError("shipping is not taxed: its VAT category is one without VAT (Z, E, AE, K, G, O)")
        return value

    @field_validator("currency_code")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        code = value.upper()
        if not is_currency(code):
            raise ValueError(f"{value!r} is not an ISO 4217 currency code")
        return code

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        code = (value or DEFAULT_LANGUAGE).lower()
        if code not in LANGUAGES:
            raise ValueError(f"{value!r} is not one of the document languages {', '.join(LANGUAGES)}")
        return code

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.service_period_start is None) != (self.service_period_end is None):
            raise ValueError("a service period has both a start and an end date")
        if (
            self.service_period_start
            and self.service_period_end
            and self.service_period_start > self.service_period_end
        ):
            raise ValueError("a service period ends on or after its start")
        names = [t.name.casefold() for t in self.taxes]
        if len(names) != len(set(names)):
            raise ValueError("tax names must be unique")
        known = set(names)
        for index, item in enumerate(self.line_items, start=1):
            for name in item.tax_names:
                if name.casefold() not in known:
                    raise ValueError(f"line {index} names tax {name!r}, which the invoice does not define")
            if item.vat_category is not None:
                rated = [t for t in self.taxes if tax_applies(item, t) and t.rate_percent > 0]
                if item.vat_category is VatCategory.STANDARD and len(rated) != 1:
                    raise ValueError(
                        f"line {index} is standard rated: exactly one tax above 0 % applies to it"
                    )
                if item.vat_category is not VatCategory.STANDARD and rated:
                    raise ValueError(
                        f"line {index} is in VAT category {item.vat_category.value}, which charges no VAT, "
                        f"but tax {rated[0].name!r} applies to it"
                    )
        return self


def tax_applies(item: LineItem, tax: Tax) -> bool:
    """A tax applies to a line unless the line is exempt or names other taxes only."""
    if item.tax_exempt:
        return False
    if not item.tax_names:
        return True
    wanted = tax.name.casefold()
    return any(name.casefold() == wanted for name in item.tax_names)


def line_vat_category(item: LineItem, taxes: list[Tax]) -> tuple[VatCategory, Decimal]:
    """The line's EN 16931 VAT category and rate, derived as the module docstring says.

    Raises ValueError for a line under more than one tax, which EN 16931 cannot express.
    """
    applied = [t for t in taxes if tax_applies(item, t)]
    rated = [t for t in applied if t.rate_percent > 0]
    if item.vat_category is not None:
        if item.vat_category is VatCategory.STANDARD:
            return item.vat_category, rated[0].rate_percent
        return item.vat_category, Decimal(0)
    if item.tax_exempt:
        return VatCategory.EXEMPT, Decimal(0)
    if len(applied) > 1:
        raise ValueError(
            f"line {item.description!r} is under {len(applied)} taxes; an e-invoice line has one VAT rate"
        )
    if not applied:
        return VatCategory.OUTSIDE_SCOPE, Decimal(0)
    if applied[0].rate_percent > 0:
        return VatCategory.STANDARD, applied[0].rate_percent
    return VatCategory.ZERO, Decimal(0)


# --- proto conversion -------------------------------------------------------------------

_KIND_TO_PROTO = {
    DocumentKind.INVOICE: invoice_pb2.DOCUMENT_KIND_INVOICE,
    DocumentKind.QUOTE: invoice_pb2.DOCUMENT_KIND_QUOTE,
    DocumentKind.RECEIPT: invoice_pb2.DOCUMENT_KIND_RECEIPT,
    DocumentKind.PURCHASE_ORDER: invoice_pb2.DOCUMENT_KIND_PURCHASE_ORDER,
    DocumentKind.CREDIT_NOTE: invoice_pb2.DOCUMENT_KIND_CREDIT_NOTE,
}
_KIND_FROM_PROTO = {v: k for k, v in _KIND_TO_PROTO.items()}
_ROUNDING_TO_PROTO = {
    RoundingMode.HALF_UP: invoice_pb2.ROUNDING_MODE_HALF_UP,
    RoundingMode.HALF_EVEN: invoice_pb2.ROUNDING_MODE_HALF_EVEN,
}
_ROUNDING_FROM_PROTO = {v: k for k, v in _ROUNDING_TO_PROTO.items()}
_VAT_TO_PROTO = {
    VatCategory.STANDARD: invoice_pb2.VAT_CATEGORY_STANDARD,
    VatCategory.ZERO: invoice_pb2.VAT_CATEGORY_ZERO,
    VatCategory.EXEMPT: invoice_pb2.VAT_CATEGORY_EXEMPT,
    VatCategory.REVERSE_CHARGE: invoice_pb2.VAT_CATEGORY_REVERSE_CHARGE,
    VatCategory.INTRA_COMMUNITY: invoice_pb2.VAT_CATEGORY_INTRA_COMMUNITY,
    VatCategory.EXPORT: invoice_pb2.VAT_CATEGORY_EXPORT,
    VatCategory.OUTSIDE_SCOPE: invoice_pb2.VAT_CATEGORY_OUTSIDE_SCOPE,
}
_VAT_FROM_PROTO = {v: k for k, v in _VAT_TO_PROTO.items()}
_MEANS_TO_PROTO = {
    PaymentMeansCode.CREDIT_TRANSFER: invoice_pb2.PAYMENT_MEANS_CODE_CREDIT_TRANSFER,
    PaymentMeansCode.SEPA_CREDIT_TRANSFER: invoice_pb2.PAYMENT_MEANS_CODE_SEPA_CREDIT_TRANSFER,
    PaymentMeansCode.CARD: invoice_pb2.PAYMENT_MEANS_CODE_CARD,
    PaymentMeansCode.CASH: invoice_pb2.PAYMENT_MEANS_CODE_CASH,
}
_MEANS_FROM_PROTO = {v: k for k, v in _MEANS_TO_PROTO.items()}
_MEANS_TEXT_FIELDS = ("iban", "bic", "account_name", "card_last_digits", "card_holder")


def _vat_to_proto(category: VatCategory | None) -> invoice_pb2.VatCategory.ValueType:
    return invoice_pb2.VAT_CATEGORY_UNSPECIFIED if category is None else _VAT_TO_PROTO[category]


def _means_to_proto(means: PaymentMeans) -> invoice_pb2.PaymentMeans:
    return invoice_pb2.PaymentMeans(
        code=_MEANS_TO_PROTO[means.code], **{name: getattr(means, name) for name in _MEANS_TEXT_FIELDS}
    )


def _means_from_proto(means: invoice_pb2.PaymentMeans) -> dict[str, object]:
    data: dict[str, object] = {name: getattr(means, name) for name in _MEANS_TEXT_FIELDS}
    data["code"] = _MEANS_FROM_PROTO.get(means.code, PaymentMeansCode.CREDIT_TRANSFER)
    return data


def kind_to_proto(kind: DocumentKind) -> invoice_pb2.DocumentKind.ValueType:
    return _KIND_TO_PROTO[kind]


def kind_from_proto(value: int) -> DocumentKind:
    """Unspecified (0) is an invoice."""
    return _KIND_FROM_PROTO.get(value, DocumentKind.INVOICE)  # type: ignore[call-overload]


def money(amount: Decimal, currency_code: str) -> money_pb2.Money:
    return money_pb2.Money(amount=format(amount, "f"), currency_code=currency_code)


def _decimal_or_none(text: str) -> Decimal | str | None:
    # Invalid text is passed through so that pydantic reports it against the right field.
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def _money_field(value: money_pb2.Money, currency: str, has: bool) -> Decimal | str | None:
    if not has:
        return None
    if value.currency_code and value.currency_code.upper() != currency:
        raise ValueError(f"amount in {value.currency_code} on an invoice in {currency}")
    return _decimal_or_none(value.amount)


PARTY_TEXT_FIELDS = (
    "name",
    "email",
    "phone",
    "tax_id",
    "postal_code",
    "city",
    "country_code",
    "company_id",
    "website",
    "vat_id",
    "endpoint_id",
    "endpoint_scheme",
)


def party_to_proto(p: Party) -> invoice_pb2.Party:
    """Domain -> wire, for a party alone (a profile's seller, a customer)."""
    return invoice_pb2.Party(
        address_lines=p.address_lines, **{name: getattr(p, name) for name in PARTY_TEXT_FIELDS}
    )


def _party_data(p: invoice_pb2.Party) -> dict[str, object]:
    data: dict[str, object] = {name: getattr(p, name) for name in PARTY_TEXT_FIELDS}
    data["address_lines"] = list(p.address_lines)
    return data


def party_from_proto(p: invoice_pb2.Party) -> Party:
    """Wire -> domain, for a party alone. Raises pydantic.ValidationError on bad input."""
    return Party.model_validate(_party_data(p))


def _discount_to_proto(d: Discount, currency: str) -> invoice_pb2.Discount:
    out = invoice_pb2.Discount(description=d.description)
    if d.percent is not None:
        out.percent = format(d.percent, "f")
    elif d.amount is not None:
        out.amount.CopyFrom(money(d.amount, currency))
    return out


def _discount_from_proto(d: invoice_pb2.Discount, currency: str) -> dict[str, object]:
    which = d.WhichOneof("value")
    return {
        "description": d.description,
        "percent": _decimal_or_none(d.percent) if which == "percent" else None,
        "amount": _money_field(d.amount, currency, which == "amount"),
    }


def _date_text(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def to_proto(inv: Invoice) -> invoice_pb2.Invoice:
    """Domain -> wire."""
    cur = inv.currency_code
    out = invoice_pb2.Invoice(
        kind=_KIND_TO_PROTO[inv.kind],
        number=inv.number,
        currency_code=cur,
        issue_date=_date_text(inv.issue_date),
        due_date=_date_text(inv.due_date),
        payment_terms=inv.payment_terms,
        seller=party_to_proto(inv.seller),
        buyer=party_to_proto(inv.buyer),
        taxes=[invoice_pb2.Tax(name=t.name, rate_percent=format(t.rate_percent, "f")) for t in inv.taxes],
        discounts=[_discount_to_proto(d, cur) for d in inv.discounts],
        notes=inv.notes,
        rounding_mode=_ROUNDING_TO_PROTO[inv.rounding_mode],
        title=inv.title,
        reference=inv.reference,
        valid_until=_date_text(inv.valid_until),
        payment_method=inv.payment_method,
        delivery_date=_date_text(inv.delivery_date),
        service_period_start=_date_text(inv.service_period_start),
        service_period_end=_date_text(inv.service_period_end),
        language=inv.language,
        buyer_reference=inv.buyer_reference,
        shipping_vat_category=_vat_to_proto(inv.shipping_vat_category),
    )
    if inv.payment_means is not None:
        out.payment_means.CopyFrom(_means_to_proto(inv.payment_means))
    if inv.preceding_invoice is not None:
        out.preceding_invoice.CopyFrom(
            invoice_pb2.PrecedingInvoice(
                number=inv.preceding_invoice.number, issue_date=_date_text(inv.preceding_invoice.issue_date)
            )
        )
    for item in inv.line_items:
        line = out.line_items.add(
            description=item.description,
            quantity=format(item.quantity, "f"),
            unit=item.unit,
            unit_price=money(item.unit_price, cur),
            tax_names=item.tax_names,
            tax_exempt=item.tax_exempt,
            sku=item.sku,
            vat_category=_vat_to_proto(item.vat_category),
            vat_exemption_reason=item.vat_exemption_reason,
            vat_exemption_reason_code=item.vat_exemption_reason_code,
        )
        if item.discount is not None:
            line.discount.CopyFrom(_discount_to_proto(item.discount, cur))
    if inv.shipping is not None:
        out.shipping.CopyFrom(money(inv.shipping, cur))
    if inv.amount_paid is not None:
        out.amount_paid.CopyFrom(money(inv.amount_paid, cur))
    return out


def from_proto(msg: invoice_pb2.Invoice) -> Invoice:
    """Wire -> domain. Raises pydantic.ValidationError (or ValueError) on bad input."""
    cur = (msg.currency_code or "USD").upper()
    data: dict[str, object] = {
        "kind": kind_from_proto(msg.kind),
        "number": msg.number,
        "currency_code": cur,
        "issue_date": msg.issue_date or None,
        "due_date": msg.due_date or None,
        "payment_terms": msg.payment_terms,
        "seller": _party_data(msg.seller),
        "buyer": _party_data(msg.buyer),
        "line_items": [
            {
                "description": li.description,
                "quantity": _decimal_or_none(li.quantity) or Decimal(1),
                "unit": li.unit,
                "unit_price": _money_field(li.unit_price, cur, li.HasField("unit_price")),
                "tax_names": list(li.tax_names),
                "tax_exempt": li.tax_exempt,
                "discount": _discount_from_proto(li.discount, cur) if li.HasField("discount") else None,
                "sku": li.sku,
                "vat_category": _VAT_FROM_PROTO.get(li.vat_category),
                "vat_exemption_reason": li.vat_exemption_reason,
                "vat_exemption_reason_code": li.vat_exemption_reason_code,
            }
            for li in msg.line_items
        ],
        "taxes": [{"name": t.name, "rate_percent": _decimal_or_none(t.rate_percent)} for t in msg.taxes],
        "discounts": [_discount_from_proto(d, cur) for d in msg.discounts],
        "shipping": _money_field(msg.shipping, cur, msg.HasField("shipping")),
        "notes": msg.notes,
        "rounding_mode": _ROUNDING_FROM_PROTO.get(msg.rounding_mode, RoundingMode.HALF_UP),
        "title": msg.title,
        "reference": msg.reference,
        "valid_until": msg.valid_until or None,
        "amount_paid": _money_field(msg.amount_paid, cur, msg.HasField("amount_paid")),
        "payment_method": msg.payment_method,
        "delivery_date": msg.delivery_date or None,
        "service_period_start": msg.service_period_start or None,
        "service_period_end": msg.service_period_end or None,
        "language": msg.language or DEFAULT_LANGUAGE,
        "payment_means": _means_from_proto(msg.payment_means) if msg.HasField("payment_means") else None,
        "buyer_reference": msg.buyer_reference,
        "shipping_vat_category": _VAT_FROM_PROTO.get(msg.shipping_vat_category),
        "preceding_invoice": (
            {"number": msg.preceding_invoice.number, "issue_date": msg.preceding_invoice.issue_date or None}
            if msg.HasField("preceding_invoice")
            else None
        ),
    }
    return Invoice.model_validate(data)
