"""Which language a request is in, the request in the English phrasing the readers understand,
and the result written back in the request's language (see `builtin/languages`)."""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from decimal import Decimal

from babel.dates import get_month_names
from rapidfuzz.distance import OSA
from text_to_num import alpha2digit

from docmesh_agent.builtin.interpretation import Interpretation
from docmesh_agent.builtin.languages import Language, apply
from docmesh_agent.builtin.languages.de import GERMAN
from docmesh_agent.builtin.languages.es import SPANISH
from docmesh_agent.builtin.languages.fr import FRENCH
from docmesh_common.model.invoice import Invoice

LANGUAGES: dict[str, Language] = {lang.code: lang for lang in (SPANISH, GERMAN, FRENCH)}
ENGLISH = "en"
_MONTHS = "January February March April May June July August September October November December".split()

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_ENGLISH_KINDS = frozenset({"invoice", "quote", "quotation", "estimate", "receipt", "bill", "purchase"})
_ENGLISH_MARKERS = frozenset(
    "invoice quote quotation estimate receipt bill for to at of and hours hour days day each per "
    "paid due with tax the add change remove".split()
)


def detect_language(text: str) -> str:
    """The language of the text: its marker words decide; a tie or none is English."""
    return detected_language(text) or ENGLISH


def detected_language(text: str) -> str | None:
    """The language whose marker words the text uses most; None on a tie or none.

    The first word counts three times when it is (or is one slip from) a document kind word:
    "Factura para Acme" is Spanish even when the rest is names and numbers, "Invoice Banco de la
    Nación y Cía: ..." English."""
    words = [w.lower() for w in _WORD_RE.findall(text)]
    if not words:
        return None
    scores = {code: sum(w in lang.markers for w in words) for code, lang in LANGUAGES.items()}
    scores[ENGLISH] = sum(w in _ENGLISH_MARKERS for w in words)
    first = words[0]
    for code, lang in LANGUAGES.items():
        if _kind_word_for(first, lang) is not None:
            scores[code] += 3
    if first in _ENGLISH_KINDS:
        scores[ENGLISH] += 3
    best = max(scores.values())
    winners = [code for code, score in scores.items() if score == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


def _kind_word_for(word: str, lang: Language) -> str | None:
    """The language's kind word `word` is (or is one letter slip from), else None."""
    for kind in lang.kind_words:
        if word in (kind, f"{kind}s") or (len(kind) >= 5 and OSA.distance(word, kind, score_cutoff=1) <= 1):
            return kind  # "Reçus pour ...": the plural too
    return None


def to_english(text: str, code: str) -> str:
    """The request in English phrasing: numbers in English notation, dates as "March 25",
    the language's structure words through its rules; descriptions and names as typed."""
    lang = LANGUAGES.get(code)
    if lang is None:
        return text
    text, note = _take_note(text)
    text = _correct_kind(text, lang)
    text = _correct_units(text, lang)
    text = alpha2digit(text, code, threshold=2)
    text = _english_numbers(text)
    text = _english_dates(text, lang)
    # "1h30 de cours": hours and minutes, as a number of hours (it was one hour, or "1h30" a name).
    text = _HOURS_MINUTES.sub(lambda m: f"{Decimal(m.group(1)) + Decimal(m.group(2)) / 60:g} h", text)
    # "Webdesign; 1; 1.200 €": a spreadsheet row with semicolons, as the comma row English reads
    # (the semicolons cut it into three clauses and 1.200 was asked about).
    text = _SEMICOLON_ROW.sub(r"\1, \2, \3", text)
    text = apply(lang.compiled_rules(), text)
    text = _NUMBER_AFTER_BUYER.sub(r"\g<kind> #\g<num>\g<buyer>:", text)
    # "¿me haces un presupuesto para Bodas Luna? 100 invitaciones ...": the question mark ends the
    # buyer as a colon would (the buyer and the first line ran together).
    text = _ASKED_FOR_BUYER.sub(r"\1: ", text)
    # "4 neumáticos, 320 € en total", "total 510 €", "Gesamt: 510 €": a total, as English says it
    # ("320 € total": the counted line's total, or a remark on the whole); read as a line "Total",
    # it was added to the lines it sums (a wrong total).
    text = _TOTAL_SAID.sub(
        lambda m: f"{m.group('lead')}{m.group('amount') or m.group('amount2')} total", text
    )
    text = _TWO_PRICES_THEN_WORDS.sub(r"\1 with ", text)
    # "30% deposit on 4000 €": the share's amount with its currency as a code, as the share reads it.
    text = re.sub(r"(\d%\s+deposit\s+on\s+\d[\d.]*)\s*€", r"\1 EUR", text)
    # "6 horas a 20 €/h, exentas de IVA, material 15 €": said of the line before, as "(tax-exempt)"
    # says it (a clause of its own, its price was asked).
    text = re.sub(r",\s*\(?tax-exempt\)?(?=\s*(?:[,;\n]|$))", " (tax-exempt)", text)
    text = re.sub(r"[ \t]{2,}", " ", text).strip()
    return text.replace(_NOTE_MARK, f"note: {note}") if note is not None else text


# ... followed by what they were spent on ("1h30 de cours"), never a time ("rendez-vous à 14h30").
_HOURS_MINUTES = re.compile(r"\b(\d{1,2})\s?h\s?(15|30|45)\b(?=\s+(?:de\s|d['’]))")
_ASKED_FOR_BUYER = re.compile(
    r"^(\s*(?:now\s+)?(?:a\s+|another\s+)?(?:new\s+)?(?:Invoice|Quote|Receipt|Purchase\s+order)\s+(?:for|to)\s+[^\n?:]+?)\s*\?\s+(?=\S)"
)
_SEMICOLON_ROW = re.compile(r"(?m)^([^;\n\d][^;\n]*?)\s*;\s*(\d+(?:\.\d+)?)\s*;\s*([^;\n]*\d[^;\n]*?)\s*$")
# "nota: gracias por su compra", "Notiz: Danke für Ihren Auftrag", "ajoute une note : merci ...": the
# note is the client's own words (the rules made "por" "for" in it, or left the edit not understood).
_NOTE_LABEL = re.compile(
    r"(?:(?:a[ñn]ade|agrega|pon|ajoute[rz]?|mets|füge)\s+(?:una?\s+|une?\s+|eine\s+)?)?"
    r"\b(?:nota|notas|observaciones|comentario|notiz|anmerkung|hinweis|bemerkung|note|remarque|commentaire)\s*:\s*"
    r"(?P<note>[^\n]+?)(?:\s+hinzu)?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_NOTE_MARK = "\u27e6note\u27e7"


def _take_note(text: str) -> tuple[str, str | None]:
    """The text with its note replaced by a mark the rules leave alone, and the note as typed."""
    match = _NOTE_LABEL.search(text)
    if match is None:
        return text, None
    return f"{text[: match.start()]}{_NOTE_MARK}{text[match.end() :]}", match.group("note")


_AMOUNT_SAID = r"\d[\d.]*\s*(?:€|\$|£|[A-Z]{3}\b)"
_TOTAL_SAID = re.compile(
    rf"(?P<lead>(?:^|[,;:\n]|\s)\s*)(?:(?:(?i:por|pour|für|for)\s+)?(?:(?i:un|a)\s+)?(?i:total|gesamt|summe|insgesamt|zusammen|en\s+total|au\s+total|"
    rf"montant\s+total|importe\s+total|gesamtbetrag|gesamtsumme)(?:\s+(?:de|von))?\s*:?\s*(?P<amount>{_AMOUNT_SAID})"
    rf"|(?P<amount2>{_AMOUNT_SAID})[ \t]+(?i:en\s+total|au\s+total|insgesamt|gesamt|zusammen))(?=[ \t]*(?:[,;.\n]|$))"
)
# "1.200 € o 1.450 € según el material", "1 200 € ou 1 450 € avec les plafonds": two prices, then
# what decides between them, in the language's words: said as English says it ("... with ..."),
# so the two prices are asked about (the words after the second made it one line at that price,
# a wrong total).
_CURRENCY_SAID = r"(?:€|\$|£|[A-Z]{3}\b)"
_TWO_PRICES_THEN_WORDS = re.compile(
    # A currency after either amount says they are prices ("2 o 3 horas" are counts).
    rf"(\b\d[\d.]*\s*{_CURRENCY_SAID}\s+or\s+\d[\d.]*(?:\s*{_CURRENCY_SAID})?|\b\d[\d.]*\s+or\s+\d[\d.]*\s*{_CURRENCY_SAID})"
    r"[ \t]+(?!(?:with|depending|each|per|a|an|for|plus|and|or|at)\b)(?=[^\W\d_])"
)
# "Rechnung an Holz Krämer GmbH, Nr. 7781: 25 Latten à 6,90 €": the document's number said after
# the buyer goes where English says it ("Invoice #7781 for ..."); read as part of the first line it
# made that line "#7781: 25 Latten", one at 6,90 (a wrong total).
_NUMBER_AFTER_BUYER = re.compile(
    r"^(?P<kind>\s*(?:now\s+)?(?:a\s+|another\s+)?(?:new\s+)?(?:Invoice|Quote|Receipt|Purchase\s+order))"
    r"(?P<buyer>\s+(?:for|to)\s+[^\n:#]+?),?\s+\#\s*(?P<num>[A-Za-z0-9][\w/-]*)\s*:"
)


def _correct_kind(text: str, lang: Language) -> str:
    """ "Factrua para ..." → "Factura para ...": a slip in the leading kind word (or in the last
    word of a kind said in several: "Bon de comande")."""
    for phrase in lang.kind_phrases:
        *first_words, last = phrase.split()
        said = re.match(rf"\s*{' '.join(first_words)}\s+([^\W\d_]+)", text, re.IGNORECASE)
        if said and said.group(1).lower() in _slips(last):
            return text[: said.start(1)] + last + text[said.end(1) :]
    match = _WORD_RE.match(text.lstrip())
    if match is None:
        return text
    kind = _kind_word_for(match.group(0).lower(), lang)
    if kind is None or kind == match.group(0).lower():
        return text
    lead = len(text) - len(text.lstrip())
    return text[:lead] + kind.capitalize() + text[lead + match.end() :]


def _slips(word: str) -> set[str]:
    """The ways `word` is typed one careful slip away: two letters swapped, one left out or one
    doubled ("hroas", "Stunen", "heurs", "comande"). A letter typed for another is not one: "hojas"
    is a word of its own, not "horas"."""
    swapped = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    dropped = {word[:i] + word[i + 1 :] for i in range(len(word))} if len(word) >= 5 else set()
    doubled = {word[: i + 1] + word[i] + word[i + 1 :] for i in range(len(word))}
    return (swapped | dropped | doubled) - {word}


@functools.lru_cache(maxsize=8)
def _unit_slips(code: str) -> dict[str, str]:
    """A slip of one of the language's unit words (its units table) → that word."""
    words = {w.lower() for names in LANGUAGES[code].units.values() for w in names}
    slips = {slip: word for word in words if len(word) >= 4 for slip in _slips(word) if slip not in words}
    for word in words:  # typed without its accent, and a slip of that ("dias", "diass")
        plain = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
        if plain != word and plain not in words:
            slips.update(
                {plain: word, **{s: word for s in _slips(plain) if s not in words and len(plain) >= 4}}
            )
    return slips


def _correct_units(text: str, lang: Language) -> str:
    """ "10 hroas de limpieza" → "10 horas de limpieza": a slip in the unit word after a count."""
    slips = _unit_slips(lang.code)

    def corrected(match: re.Match[str]) -> str:
        word = match.group(2)
        fixed = slips.get(word.lower())
        if fixed is None:
            return match.group(0)
        return match.group(1) + (fixed.capitalize() if word[0].isupper() else fixed)

    return re.sub(r"(\d\s*)([^\W\d_]{4,})", corrected, text)


# Words a large count is said in: "5 200 mots", "2 500 Stück" (space-grouped, like an amount).
_COUNTED = (
    r"mots|palabras|w(?:ö|oe)rter|pages|p[aá]ginas|seiten|exemplaires|ejemplares|exemplare|feuilles|hojas|"
    r"pi[eè]ces|piezas|st(?:ü|ue)ck|unit[ée]s|unidades|einheiten|flyers|cartes|tarjetas|karten"
)
# "1.250,00", "1 250,00", "2 000" (a space-grouped number only before a currency), "4,50", "12,5".
_GROUPED_RE = re.compile(
    # Never glued to a letter or an "x" before it: "álbum 30x30 220 €" is a 30x30 album at 220 (it
    # was read as 30 220 €). A space-grouped number also counts what follows ("5 200 mots").
    # Nor after a "/" or ":": "soporte 24/7 300 €" is 24/7 support at 300 (it was 24 at "7300").
    # Nor an id's digits after its letters and a hyphen: "UID CHE-123.456.789" stays as written.
    r"(?<![\w.,×*/:])(?<![A-Za-z]-)(\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?"
    rf"(?=\s*(?:€|\$|[A-Z]{{3}}\b)|\s+(?i:{_COUNTED})\b)|\d+,\d+)(?![\d.,]*\d)"
)


_COMMA_THOUSANDS = re.compile(r"\$\s?\d|\d\s?(?:MXN|USD|CAD|AUD|\$)")


def _english_numbers(text: str) -> str:
    """Decimal commas and thousands points or spaces as English notation ("1.250,00" → "1250.00")."""

    def english(match: re.Match[str]) -> str:
        raw = match.group(1)
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+", raw) and _COMMA_THOUSANDS.search(
            match.string[max(0, match.start() - 2) : match.end() + 5]
        ):
            # "$1,850 MXN": a currency written with comma thousands (the dollar, the peso), not
            # a decimal comma (1.85 would be a wrong amount).
            return raw.replace(",", "")
        digits = re.sub(r"[.\s\u00a0\u202f]", "", raw).replace(",", ".")
        return str(Decimal(digits))

    text = _GROUPED_RE.sub(english, text)
    # "20 %" → "20%", "40 €" keeps its space.
    return re.sub(r"(\d)\s+%", r"\1%", text)


def _english_dates(text: str, lang: Language) -> str:
    """ "25 de marzo", "25. März", "1er mars 2026" → "March 25", "March 1 2026"; a bare month
    name ("Februar 2026") → its English name."""
    day_month, month_year, bare, days = _date_patterns(lang.code)

    def english(match: re.Match[str]) -> str:
        month = _MONTHS[lang.months[match.group(2).lower()] - 1]
        year = f" {match.group(3)}" if match.group(3) else ""
        return f"{month} {int(match.group(1))}{year}"

    text = day_month.sub(english, text)
    text = _NUMERIC_DATES.sub(_numeric_dates, text)
    text = _NUMERIC_RANGE.sub(_numeric_range, text)
    text = _NUMERIC_FULL.sub(_numeric_full, text)
    text = _NUMERIC_DAY.sub(_numeric_day, text)
    text = _SLASHED_DAY.sub(lambda m: f"{m.group(1)} {_numeric_day(m, first=2)}", text)
    # "du 1er janvier au 31 mars", "vom 1. Januar bis 31. März": two whole dates (the rule below
    # read "1 au March 31" as one month's days: "January March 1 to March 31", then asked).
    text = _TWO_DATES.sub(r"\1 to ", text)
    # "du 1er au 28 février", "del 1 al 15 de marzo", "1. bis 15. März": the month of the end.
    text = _DAYS_OF_A_MONTH.sub(r"\2 \1 to \2 \3", text)
    # "febrero de 2026", "février 2026": a month and its year ("de" is Spanish for "of").
    text = month_year.sub(lambda m: f"{_MONTHS[lang.months[m.group(1).lower()] - 1]} {m.group(2)}", text)
    text = bare.sub(lambda m: _MONTHS[lang.months[m.group(1).lower()] - 1], text)
    return days.sub(lambda m: lang.weekdays[m.group(1).lower()], text)


@functools.lru_cache(maxsize=8)
def _date_patterns(code: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The language's date patterns, compiled once: day and month, month and year, a month, a weekday."""
    lang = LANGUAGES[code]
    names = "|".join(sorted(lang.months, key=len, reverse=True))
    return (
        re.compile(
            rf"\b(\d{{1,2}})(?:er|\.|º)?\s+(?:de\s+)?({names})\b(?:\s+(?:de\s+)?(\d{{4}}))?", re.IGNORECASE
        ),
        re.compile(rf"\b({names})\s+(?:de\s+|del\s+)?(\d{{4}})\b", re.IGNORECASE),
        re.compile(rf"\b({names})\b", re.IGNORECASE),
        re.compile(rf"\b({'|'.join(lang.weekdays)})\b", re.IGNORECASE),
    )


_ENGLISH_MONTHS_RE = "|".join(_MONTHS)
_TWO_DATES = re.compile(
    rf"\b((?:{_ENGLISH_MONTHS_RE}) \d{{1,2}})\s+(?:au|al|a|bis(?:\s+zum)?|-)\s+(?=(?:{_ENGLISH_MONTHS_RE}) \d)"
)
_DAYS_OF_A_MONTH = re.compile(
    r"\b(\d{1,2})(?:er|º|\.)?\s+(?:au|al|a|bis(?:\s+zum)?|-)\s+([A-Z][a-z]+) (\d{1,2})\b"
)


# "01.–15.03.2026", "1.-15.3.": a range of days in one month, written in numbers (German).
_NUMERIC_RANGE = re.compile(r"\b(\d{1,2})\.?\s*[–-]\s*(\d{1,2})\.(\d{1,2})\.(\d{4})?(?!\d)")
# "01.02.–28.02.2026": two whole dates, the year said once at the end (it was read as "01." then
# the range "02.–28.02.2026", and the 01.02 became a line priced 1.02, a wrong total).
_NUMERIC_DATES = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})?\s*[–-]\s*(\d{1,2})\.(\d{1,2})\.(\d{4})?(?!\d)")
# "Lieferung am 24.03.": a day and a month without a year (the final point says it is no price).
_NUMERIC_DAY = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(?![\d,])")
# "01.04.2026", "01/04/2026", "1-4-26": day first in these languages (read month first, the 1st of
# April was January 4th).
_NUMERIC_FULL = re.compile(r"(?<![\d./-])(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?![\d./-])")
# "vence el 1/4", "le 15/04", "bis 1/4": a day and a month after a word that leads a date (without
# it "1/2" may be a half).
_SLASHED_DAY = re.compile(
    r"\b(el|le|am|del|au|bis|zum|vom|du|hasta|jusqu['’]au|avant\s+le|antes\s+del?)\s+(\d{1,2})/(\d{1,2})(?![\d/])",
    re.IGNORECASE,
)


def _numeric_range(match: re.Match[str]) -> str:
    first, last, month = int(match.group(1)), int(match.group(2)), int(match.group(3))
    if not (1 <= month <= 12 and 1 <= first <= last <= 31):
        return match.group(0)
    name, year = _MONTHS[month - 1], f" {match.group(4)}" if match.group(4) else ""
    return f"{name} {first}{year} to {name} {last}{year}"


def _numeric_dates(match: re.Match[str]) -> str:
    day_a, month_a, day_b, month_b = (int(match.group(i)) for i in (1, 2, 4, 5))
    if not (1 <= month_a <= 12 and 1 <= month_b <= 12 and 1 <= day_a <= 31 and 1 <= day_b <= 31):
        return match.group(0)
    year_b = match.group(6) or match.group(3)
    year_a = match.group(3) or year_b
    first = f"{_MONTHS[month_a - 1]} {day_a}{f' {year_a}' if year_a else ''}"
    return f"{first} to {_MONTHS[month_b - 1]} {day_b}{f' {year_b}' if year_b else ''}"


def _numeric_day(match: re.Match[str], first: int = 1) -> str:
    day, month = int(match.group(first)), int(match.group(first + 1))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return match.group(0) if first == 1 else f"{match.group(first)}/{match.group(first + 1)}"
    return f"{_MONTHS[month - 1]} {day}"


def _numeric_full(match: re.Match[str]) -> str:
    day, month, year = int(match.group(1)), int(match.group(3)), match.group(4)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return match.group(0)
    return f"{_MONTHS[month - 1]} {day} {year if len(year) == 4 else f'20{year}'}"


def localize(result: Interpretation, code: str) -> Interpretation:
    """The result in the request's language: the document's `language` and units, and the reply."""
    lang = LANGUAGES.get(code)
    if lang is None:
        return result
    invoice, reply = result.invoice, result.reply
    if invoice is not None:
        localized = _localized_invoice(invoice, lang)
        if localized.buyer.name != invoice.buyer.name and invoice.buyer.name:
            reply = reply.replace(invoice.buyer.name, localized.buyer.name)  # "para Ana y Luis"
        invoice = localized
    return dataclasses.replace(result, invoice=invoice, reply=localize_reply(reply, lang))


def _localized_invoice(invoice: Invoice, lang: Language) -> Invoice:
    """The document in `lang`: its language field, units and payment method."""
    lines = []
    for line in invoice.line_items:
        names = lang.units.get(line.unit.lower()) if line.unit else None
        if names is not None:
            line = line.model_copy(update={"unit": names[0] if line.quantity == 1 else names[1]})
        elif lang.capitalised_nouns and len(line.unit) > 2 and line.unit.isalpha() and line.unit.islower():
            line = line.model_copy(update={"unit": line.unit.capitalize()})  # "30 Bilder", not "bilder"
        head, bracket, rest = line.description.partition(" (")
        if head in lang.descriptions:
            # "Services", "Deposit (30% of 4000)": words the interpreter wrote itself.
            line = line.model_copy(update={"description": lang.descriptions[head] + bracket + rest})
        conjunction = _conjunction(lang.code)
        if conjunction and " and " in line.description:
            # "Fehlersuche und Reparatur": the rules made the language's "and" English to split
            # clauses; inside a description it is the client's own word again.
            line = line.model_copy(update={"description": _own_and(line.description, conjunction)})
        description = _own_words(line.description, lang.code)
        if description != line.description:
            line = line.model_copy(update={"description": description})
        lines.append(line)
    method = lang.payment_methods.get(invoice.payment_method.lower(), invoice.payment_method)
    update: dict[str, object] = {"language": lang.code, "line_items": lines, "payment_method": method}
    terms = invoice.payment_terms
    for pattern, replacement in _compiled_terms(lang.code):
        terms = pattern.sub(
            replacement, terms
        )  # "2% discount if paid within 10 days" written by the interpreter
    if terms != invoice.payment_terms:
        update["payment_terms"] = terms
    notes = invoice.notes
    for english, own in lang.note_labels.items():
        notes = notes.replace(english, own)  # "Deliver to: ..." written by the interpreter
    if notes != invoice.notes:
        update["notes"] = notes
    conjunction = _conjunction(lang.code)
    if conjunction and " and " in invoice.buyer.name:
        # "M. et Mme Girard": the buyer's name in the client's words too.
        update["buyer"] = invoice.buyer.model_copy(update={"name": _own_and(invoice.buyer.name, conjunction)})
    return invoice.model_copy(update=update)


def _own_words(description: str, code: str) -> str:
    """The description in the client's words again where the rules made them English: a month
    ("nóminas de febrero" read as "of February" to keep it out of the service period) and the
    "of" a count was joined with ("bono de 10 clases de yoga")."""
    if " of " in description:
        description = re.sub(r" of (?=[aeiouhéàâ])", _OF_BEFORE_VOWEL[code], description, flags=re.IGNORECASE)
        description = description.replace(" of ", _OF[code])
    if _UNIT_INSIDE.search(description):
        # "clases de piano de 1 hora": the rules made the unit English ("1 hours").
        units = LANGUAGES[code].units

        def own_unit(match: re.Match[str]) -> str:
            names = units.get(match.group(2).lower())
            if names is None:
                return match.group(0)
            one = not match.group(1)[0].isdigit() or Decimal(match.group(1).split()[0]) == 1
            return match.group(1) + names[0 if one else 1]

        description = _UNIT_INSIDE.sub(own_unit, description)
    if _ENGLISH_MONTH.search(description):
        names = _month_names(code)
        description = _ENGLISH_MONTH.sub(lambda m: names[_MONTHS.index(m.group(0)) + 1], description)
    return description


# What the rules turned into "of": the language's own word ("de", "d'"; German has none).
_OF = {"es": " de ", "fr": " de ", "de": " von "}
_OF_BEFORE_VOWEL = {"es": " de ", "fr": " d’", "de": " von "}
_UNIT_INSIDE = re.compile(
    r"\b(\d+(?:\.\d+)?\s+|d['’]une\s+|une?\s+|una?\s+|eine[rn]?\s+|medi[ao]\s+)(hours?|days?|weeks?|months?)\b",
    re.IGNORECASE,
)
_ENGLISH_MONTH = re.compile(rf"\b(?:{'|'.join(_MONTHS)})\b")


@functools.lru_cache(maxsize=4)
def _compiled_terms(code: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(p, re.IGNORECASE), r) for p, r in LANGUAGES[code].terms)


@functools.lru_cache(maxsize=4)
def _month_names(code: str) -> dict[int, str]:
    """The language's month names, as written in it ("febrero", "März", "février")."""
    return dict(get_month_names("wide", locale=code))


@functools.lru_cache(maxsize=8)
def _conjunction(code: str) -> str | None:
    """The language's word its rules turn into "and" ("und", "y", "et"), from the rules themselves."""
    for pattern, replacement in LANGUAGES[code].rules:
        word = re.fullmatch(r"\\b(\w+)\\b", pattern)
        if replacement == "and" and word:
            return word.group(1)
    return None


def reply_in(reply: str, code: str) -> str:
    """A reply written in English (credit notes, e-invoices) in the language `code` names; a
    language without tables, or English, leaves it as it is."""
    lang = LANGUAGES.get(code)
    return localize_reply(reply, lang) if lang is not None else reply


def localize_reply(reply: str, lang: Language) -> str:
    """The reply through the language's sentence table; a sentence it lacks stays English."""
    reply = apply(lang.compiled_replies(), reply)
    conjunction = _conjunction(lang.code)
    if conjunction and " and " in reply:
        # «limpieza and la lavandería»: inside the client's words quoted back, their own "y".
        reply = _QUOTED.sub(lambda m: _own_and(m.group(0), conjunction), reply)
    return reply


_QUOTED = re.compile(r"«[^»]*»|„[^“]*“|“[^”]*”")


def _own_and(text: str, conjunction: str) -> str:
    """ "limpieza and the lavandería" → "limpieza y lavandería": the language's "and" (the article
    the rules made "the" is left out)."""
    return text.replace(" and the ", f" {conjunction} ").replace(" and ", f" {conjunction} ")
