"""Amounts and currencies as people write them: "$1,234.50", "1.234,50 €", "400 EUR", "$1.5k", "99 euros".

Everything is `Decimal`; a float never touches an amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from docmesh_common.model.currency import is_currency, minor_units

# Symbols, longest first so that "C$" wins over "$". "¥" is read as yen (JPY): it is also the
# renminbi's sign, but a Chinese-yuan invoice is usually written "CNY" or "RMB".
SYMBOLS: dict[str, str] = {
    "US$": "USD",
    "CA$": "CAD",
    "AU$": "AUD",
    "NZ$": "NZD",
    "HK$": "HKD",
    "MX$": "MXN",
    "C$": "CAD",
    "A$": "AUD",
    "S$": "SGD",
    "R$": "BRL",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "￥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "₪": "ILS",
    "₫": "VND",
    "₱": "PHP",
    "฿": "THB",
    "₦": "NGN",
    "₴": "UAH",
    "zł": "PLN",
}

# Currency names (lower case, singular and plural). Bare "dollars" means USD, "pesos" MXN,
# "francs" CHF, "crowns"/"kroner" are ambiguous and therefore not listed.
NAMES: dict[str, str] = {
    "us dollar": "USD",
    "us dollars": "USD",
    "american dollars": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "bucks": "USD",
    "canadian dollar": "CAD",
    "canadian dollars": "CAD",
    "australian dollar": "AUD",
    "australian dollars": "AUD",
    "new zealand dollar": "NZD",
    "new zealand dollars": "NZD",
    "hong kong dollar": "HKD",
    "hong kong dollars": "HKD",
    "singapore dollar": "SGD",
    "singapore dollars": "SGD",
    "euro": "EUR",
    "euros": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
    "pound sterling": "GBP",
    "pounds sterling": "GBP",
    "sterling": "GBP",
    "quid": "GBP",
    "yen": "JPY",
    "japanese yen": "JPY",
    "yuan": "CNY",
    "renminbi": "CNY",
    "rmb": "CNY",
    "swiss franc": "CHF",
    "swiss francs": "CHF",
    "franc": "CHF",
    "francs": "CHF",
    "indian rupee": "INR",
    "indian rupees": "INR",
    "rupee": "INR",
    "rupees": "INR",
    "kuwaiti dinar": "KWD",
    "kuwaiti dinars": "KWD",
    "bahraini dinar": "BHD",
    "bahraini dinars": "BHD",
    "jordanian dinar": "JOD",
    "jordanian dinars": "JOD",
    "mexican peso": "MXN",
    "mexican pesos": "MXN",
    "peso": "MXN",
    "pesos": "MXN",
    "brazilian real": "BRL",
    "brazilian reais": "BRL",
    "reais": "BRL",
    "swedish krona": "SEK",
    "swedish kronor": "SEK",
    "norwegian krone": "NOK",
    "norwegian kroner": "NOK",
    "danish krone": "DKK",
    "danish kroner": "DKK",
    "polish zloty": "PLN",
    "zloty": "PLN",
    "zlotys": "PLN",
    "south african rand": "ZAR",
    "rand": "ZAR",
    "korean won": "KRW",
    "won": "KRW",
    "dirham": "AED",
    "dirhams": "AED",
    "uae dirham": "AED",
    "uae dirhams": "AED",
    "saudi riyal": "SAR",
    "saudi riyals": "SAR",
    "riyal": "SAR",
    "riyals": "SAR",
    "turkish lira": "TRY",
    "lira": "TRY",
    "shekel": "ILS",
    "shekels": "ILS",
    "baht": "THB",
}

# Alternative spellings people use for a code.
_CODE_ALIASES = {"RMB": "CNY", "NIS": "ILS", "STG": "GBP"}

SYMBOL_RE = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True))
NAME_RE = "|".join(re.escape(n) for n in sorted(NAMES, key=len, reverse=True))
_CODE_RE = r"[A-Z]{3}"

# A number as written: digits with thousands separators (",", ".", "'", thin or normal space
# between groups of three) and an optional decimal part; "k"/"m" multiply.
NUMBER = r"\d{1,3}(?:[,.'\u2009\u202f ]\d{3}(?!\d))+(?:[.,]\d+)?|\d+(?:[.,]\d+)?|[.,]\d+"
_MULT = r"(?P<mult>[kK](?![A-Za-z])|\s?(?:mn|million|thousand)\b)?"

MONEY_RE = re.compile(
    rf"""
    (?:(?<![A-Za-z])(?P<pcode>{_CODE_RE})\s?)?  # EUR 400 (never the end of a word: "2 valves 12")
    (?P<psym>{SYMBOL_RE})?\s?                # $400, € 400, C$400
    (?P<num>{NUMBER}){_MULT}
    (?:\s?(?P<ssym>{SYMBOL_RE}))?            # 400€, 1.234,50 €
    (?:\s(?P<sname>{NAME_RE})\b                # 400 euros (before codes: "yen" is not a code)
     |\s?(?P<scode>{_CODE_RE})\b)?            # 400 EUR
    """,
    re.VERBOSE | re.IGNORECASE,
)

# A loose amount inside a larger pattern ("$400", "EUR 1.5k", "99 euros"); `find_money` reads it exactly.
AMT = (
    r"(?:[A-Za-z]{3}\s?)?(?:[A-Z]{1,2}\$|[$€£¥₹])?\s?\d[\d,.']*(?:\s?[kK](?![a-z]))?"
    r"(?:\s?(?:[$€£¥₹]|[A-Za-z]{3}\b))?"
    rf"(?:\s(?:{NAME_RE})\b)?"
)
# A plain number (a rate, a percentage, a quantity): digits with an optional decimal part.
NUM = r"\d+(?:[.,]\d+)?"

CURRENCY_WORD_RE = re.compile(
    rf"(?<![\w$])(?P<name>{NAME_RE})\b|(?<![A-Za-z])(?P<code>{_CODE_RE})\b|(?P<sym>{SYMBOL_RE})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Money:
    """An amount found in text, with where it was and the currency it was written in (if any)."""

    amount: Decimal
    currency: str | None
    start: int
    end: int


def currency_from_code(text: str) -> str | None:
    """An ISO code ("eur", "USD") or an alias ("RMB") to its canonical code; None if not one."""
    code = text.strip().upper()
    code = _CODE_ALIASES.get(code, code)
    return code if is_currency(code) else None


def currency_from_name(text: str) -> str | None:
    """A currency's name ("euros", "Kuwaiti dinar") to its code; None if unknown."""
    return NAMES.get(" ".join(text.lower().split()))


def currency_from_symbol(text: str) -> str | None:
    return SYMBOLS.get(text.strip()) or SYMBOLS.get(text.strip().upper())


def currency_from_word(text: str) -> str | None:
    """A code, symbol or name to an ISO code."""
    return currency_from_code(text) or currency_from_symbol(text) or currency_from_name(text)


def parse_number(text: str) -> Decimal:
    """A written number to Decimal, deciding what "," and "." mean.

    "1,234.50" and "1.234,50" are both 1234.50 (the last separator is the decimal one when both
    appear); "1,234" and "1.234.567" are thousands groups; "12,5" is 12.5; a single "." is
    always a decimal point ("1.234" is 1.234). Raises ValueError when it is not a number.
    """
    s = text.strip().replace("\u2009", "").replace("\u202f", "").replace("'", "").replace(" ", "")
    if not s or not re.fullmatch(r"[\d.,]+", s) or not re.search(r"\d", s):
        raise ValueError(f"not a number: {text!r}")
    has_comma, has_dot = "," in s, "." in s
    if has_comma and has_dot:
        decimal_sep = "," if s.rfind(",") > s.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        s = s.replace(group_sep, "").replace(decimal_sep, ".")
    elif has_comma:
        parts = s.split(",")
        if len(parts) > 2 or (len(parts[-1]) == 3 and parts[0] not in ("", "0")):
            s = s.replace(",", "")
        else:
            s = s.replace(",", ".")
    elif s.count(".") > 1:
        s = s.replace(".", "")
    try:
        value = Decimal(s)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {text!r}") from exc
    return value


_MULTIPLIERS = {
    "k": Decimal(1000),
    "thousand": Decimal(1000),
    "m": Decimal(1_000_000),
    "mn": Decimal(1_000_000),
    "million": Decimal(1_000_000),
}


def _currency_of(match: re.Match[str]) -> str | None:
    """The currency written around a money match, if any."""
    # A code or a name says which currency; a symbol may not ("$1,850 MXN" is pesos).
    for group, convert in (
        ("pcode", currency_from_code),
        ("scode", currency_from_code),
        ("sname", currency_from_name),
        ("psym", currency_from_symbol),
        ("ssym", currency_from_symbol),
    ):
        raw = match.group(group)
        if raw:
            code = convert(raw)
            if code:
                return code
    return None


def find_money(text: str) -> list[Money]:
    """Every number in `text` read as an amount, with its currency when one is written next to it.

    Percentages ("8%") and numbers glued to letters ("INV-7", "Q3") are not amounts.
    """
    found: list[Money] = []
    pos = 0
    while (match := MONEY_RE.search(text, pos)) is not None:
        pos = match.end()
        num_start, num_end = match.span("num")
        after = text[num_end:]
        if re.match(r"\s?%|\s?percent\b|\s?per ?cent\b", after, re.IGNORECASE):
            continue
        if after[:1] == "-" and re.match(r"-[^\W\d_]", after) and not match.group("psym"):
            continue  # "5-litre tins", "10-class pass", "2-day workshop": part of a name, not an amount
        glued_code = match.group("pcode") and currency_from_code(match.group("pcode"))
        if num_start > 0 and (text[num_start - 1].isalpha() or text[num_start - 1] in "#-/_"):
            if not match.group("psym") and not glued_code:
                gap = re.search(r"[ \u2009\u202f]", match.group("num"))
                if gap:
                    # "30x30 220 €": the number glued to the "x" ends at the space; what follows
                    # is read on its own (never one number 30 220).
                    pos = num_start + gap.end()
                continue
        code = _currency_of(match)
        # A three-letter word next to a number that is not a currency ("10 hrs") belongs to the text.
        start, end = _trim_non_currency(match)
        if text[end : end + 1].isalpha() and not match.group("psym"):
            continue  # "3M", "5kg", "2nd": a name, a measure or an ordinal, not an amount
        try:
            amount = parse_number(match.group("num"))
        except ValueError:
            continue
        mult = match.group("mult")
        if mult:
            amount = strip_amount(amount * _MULTIPLIERS[mult.strip().lower()])
        found.append(Money(amount=amount, currency=code, start=start, end=end))
    return found


def one_amount(text: str) -> Money | None:
    """The single amount in `text` (the last one if several)."""
    found = find_money(text)
    return found[-1] if found else None


def _trim_non_currency(match: re.Match[str]) -> tuple[int, int]:
    start, end = match.span()
    if not (match.group("pcode") and currency_from_code(match.group("pcode"))):
        start = match.start("psym") if match.group("psym") else match.start("num")
    # Cut the suffix back to the last part that really was currency.
    for group in ("sname", "scode", "ssym", "mult"):
        raw = match.group(group)
        if not raw:
            continue
        ok = group == "mult" or (
            (group == "sname" and currency_from_name(raw))
            or (group == "scode" and currency_from_code(raw))
            or (group == "ssym" and currency_from_symbol(raw))
        )
        if ok:
            end = match.end(group)
            break
        end = match.start(group)
    else:
        end = match.end("num")
    return start, end


def strip_amount(value: Decimal) -> Decimal:
    """1500.00 -> 1500, 12.50 -> 12.5: the canonical form stored on an invoice."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def format_money(amount: Decimal, code: str) -> str:
    """ "USD 1,620.00", "JPY 1,500", "KWD 1.250": code, thousands separators, minor-unit digits."""
    digits = minor_units(code)
    quantum = Decimal(1).scaleb(-digits)
    return f"{code} {amount.quantize(quantum):,.{digits}f}"


def format_amount(amount: Decimal, code: str) -> str:
    """ "1,620.00" in the currency's minor units, without the code."""
    return format_money(amount, code).split(" ", 1)[1]
