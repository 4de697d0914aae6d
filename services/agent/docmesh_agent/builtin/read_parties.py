"""Reading who the document is from and for, and what kind it is: "Invoice Acme for ...",
"bill Acme Corp", "to: Globex, 12 Main St, Springfield", "from Jane Doe Design", "attn: Jane Smith"."""

from __future__ import annotations

import re

from docmesh_agent.builtin.drafts import Reading
from docmesh_agent.builtin.labels import clean_name
from docmesh_agent.builtin.money import AMT, NAME_RE, find_money
from docmesh_agent.builtin.words import (
    COMPANY_SUFFIX,
    KIND_WORDS,
    KINDS,
    MONTH_NAMES,
    QTY_WORD_RE,
    STOP_NAMES,
)
from docmesh_common.model.invoice import Party

# A capitalised name of up to five words ("Acme Corp", "Mr. Grant", "Café de la Paix").
_CAP_NAME = r"(?-i:[A-Z][\w&.'’-]*(?:\s+(?:[A-Z&][\w&.'’-]*|of|and|de|la|du|des|von|van|der)){0,4})"
_PERIOD_RE = re.compile(
    rf"^(?:for\s+)?(?:(?:last|this|the\s+past|the\s+previous)\s+(?:month|week|quarter|year)|(?:the\s+month\s+of\s+)?(?:{MONTH_NAMES})(?:\s+\d{{4}})?)\s*[.,]?\s*$",
    re.IGNORECASE,
)
_NAME_END = re.compile(
    rf"\s+for\b|\s*[:;]|\s+[-–—]\s|\s+(?:due|net|with|starting|dated|issued|at)\b|\s+to\s+(?=[A-Z])|"
    rf"\s+in\s+(?:{NAME_RE}|[A-Z]{{3}})\b|\s+(?=(?:\d|[$€£¥₹])(?!\d*\s*:)|(?:{QTY_WORD_RE})\s+\d)|"
    r"\s+(?:#|no\.|number)\s*\w|\s+(?=(?:the|a|an)\s)",
)

LEAD_RE = re.compile(
    rf"""^(?:(?:hi|hello|hey|quick\s+one|ok(?:ay)?|right|so|now|and|also|next(?:\s+one)?)\b[,!:]?\s*)?
    (?:(?:please|pls|kindly|can\s+you|could\s+you|would\s+you|i\s+need(?:\s+you)?(?:\s+to)?|i'd\s+like(?:\s+to)?|
        i\s+want(?:\s+to)?|we\s+need(?:\s+to)?|let's|lets|help\s+me|i\s+have\s+to|i\s+must)\s+)*
    (?P<verb>(?:create|make|generate|draft|prepare|write|do|send|issue|raise|build|produce|start|get|need|give\s+me|
        put\s+together|whip\s+up|draw\s+up|set\s+up|knock\s+up)\s+)?
    (?:(?:me|us)\s+)?
    (?P<art>(?:a|an|the|new|another|my|separate|second|fresh)\s+)*
    (?:new\s+)?
    (?P<kind>{KIND_WORDS})\b
    (?:\s*(?:\#\s*|no\.\s*|no\s+(?=\d)|number\s*:?\s*)(?P<num>[A-Za-z0-9][\w\-/]*))?
    (?:[:,]|\s*[–—](?=\s))?\s*""",
    re.IGNORECASE | re.VERBOSE,
)
_BUYER_MARK_RE = re.compile(
    r"^(?:bill(?:ed)?\s+to|invoice\s+to|sold\s+to|ship\s+to|to|client|customer|buyer|recipient|"
    r"for\s+(?:the\s+)?(?:client|customer)|the\s+(?:client|customer|buyer)\s+is|(?:client|customer)\s+is|"
    r"(?:(?:the\s+)?(?:invoice|bill|quote|estimate|receipt|it)\s+)?(?:should\s+go|goes|is\s+going|should\s+be\s+addressed)\s+to|"
    r"send\s+(?:it|this|the\s+(?:invoice|quote|bill|receipt))\s+to|address(?:ed)?\s+(?:it\s+)?to)"
    r"\s*:?\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
_BUYER_VERB_RE = re.compile(r"^(?:bill|charge|invoice|quote)\s+(?!for\b|to\b)(?P<rest>.+)$", re.IGNORECASE)
_SELLER_MARK_RE = re.compile(
    r"^(?:from|seller|sender|vendor|supplier|issued\s+by|my\s+company\s+is|my\s+business\s+is|i\s+am|i'm|"
    r"we\s+are|company)\s*:?\s+(?P<rest>.+)$",
    re.IGNORECASE,
)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    r"^(?:(?:their|the\s+(?:client|customer)'?s?|buyer'?s?)\s+)?(?:phone|telephone|tel|ph|mobile|cell|call|tél|teléfono|telefon)"
    r"\.?\s*:?\s*(?P<phone>\+?\(?[\d][\d\s().-]{5,})$",
    re.IGNORECASE,
)
_BRACKET_PHONE = re.compile(
    r"\s*\((?:phone|telephone|tel|ph|mobile|cell|tél|teléfono|telefon)\.?\s*:?\s*(?P<phone>\+?\d[\d\s.-]{5,}\d)\)",
    re.IGNORECASE,
)
# "email billing@acme.example", "their e-mail: ...": an e-mail said on its own.
_SAID_EMAIL = re.compile(
    r"^(?:(?:their|the\s+(?:client|customer)'?s?|buyer'?s?)\s+)?(?:e-?mail|mail|contact|send\s+(?:it\s+)?to)?"
    r"(?:\s+(?:is|at))?\s*:?\s*<?(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)>?$"
    # "bitte an ...", "envoyez-le à ...", "and mail it over to ...": a few words, no number, then
    # the e-mail that ends the clause.
    r"|^(?:[^\W\d_][\w'’-]*\s+){1,4}<?(?P<email2>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)>?$",
    re.IGNORECASE,
)
_TAX_ID = re.compile(
    r"^(?:(?:their|our|my|buyer'?s?|seller'?s?)\s+)?(?:(?:vat|tax|gst|abn|ein|tin)\s*(?:id|no\.?|number|\#|reg(?:istration)?(?:\s+no\.?)?)"
    # Names that are ids on their own: SIRET, CIF, NIF, USt-IdNr., UID.
    r"|siret|siren|cif|nif|nie|ust-?id(?:nr)?\.?|uid|steuernummer|st\.?-?nr\.?|n[º°]\s*tva)\s*:?\s*"
    # dots inside ("CHE-123.456.789", the Swiss UID), not at the end
    r"(?P<id>[A-Za-z0-9][A-Za-z0-9 .-]{2,}[A-Za-z0-9])$",
    re.IGNORECASE,
)
_STREET = re.compile(
    r"^(?:(?i:\d+[A-Za-z]?\s+[\w .'-]*\b(?:st|street|ave|avenue|rd|road|blvd|boulevard|lane|ln|way|dr|drive|court|ct|"
    r"place|pl|square|sq|highway|hwy|parkway|pkwy|terrace|strasse|straße|str|row|close|crescent|alley|loop|circle|plaza|walk|hill|gardens|mews|quay|wharf)\b\.?.*)"
    # Where the kind of street comes first ("12 rue de la Paix", "Calle Mayor 5") or is part of
    # the name ("Hauptstraße 5", "Lindenweg 12a").
    r"|(?i:(?:\d+[A-Za-z]?,?\s+)?(?:rue|avenue|av\.|boulevard|bd|chemin|allée|impasse|quai|calle|c/|avenida|"
    r"avda\.?|avd\.|pza\.|ctra\.|ronda|travesía|rambla|glorieta|pasaje|paseo|camino|carrer|plaza)\s+\w.*)"
    # German street names are capitalised ("Lindenring 4"; "catering 4 guests" is not one).
    r"|[A-ZÄÖÜ](?i:[\w-]*(?:straße|strasse|str\.|weg|platz|allee|gasse|ring|damm)\s+\d+[a-z]?\b.*)"
    r"|(?i:(?:suite|ste|unit|apt|floor|po\s+box|p\.o\.\s+box|building)\b.*)"
    r"|[A-Z][\w .'-]*\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?"
    r"|\d{4,5}\s+[A-Z][\w .'-]*"
    r"|[A-Z][\w .'-]*\s+[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})$"
)


_PRICED_ITEM_RE = re.compile(
    r"^[^\W\d_][^\d,:;]*?\s+(?:[$€£¥₹]\s*)?\d[\d.,]*(?:\s*(?:[$€£¥₹]|[A-Z]{3}))?\s*(?:[,;.]|$)"
)


# Sentences that name the buyer first: "Acme owes me 500 for the logo", "Acme needs an invoice: ...",
# "send Acme an invoice for ...".
_NAMED_FIRST = (
    re.compile(rf"^(?P<name>{_CAP_NAME})\s+owes?\s+(?:me|us)\s+(?P<rest>.+)$"),
    re.compile(
        rf"^(?P<name>{_CAP_NAME})\s+needs?\s+(?:an?\s+)?(?P<kind>{KIND_WORDS})\b\s*(?:for\s+)?:?\s*(?P<rest>.*)$",
        re.IGNORECASE,
    ),
    re.compile(
        rf"^(?:please\s+|pls\s+)?send\s+(?P<name>{_CAP_NAME})\s+(?:an?\s+)?(?P<kind>{KIND_WORDS})\b\s*(?:for\s+)?:?\s*(?P<rest>.*)$",
        re.IGNORECASE,
    ),
)


def read_lead(r: Reading, clause: str) -> str | None:
    """The kind lead-in and the parties; returns what is left to read."""
    text = clause
    for regex in _NAMED_FIRST:
        named = regex.match(text)
        if named and named.group("name").split()[0].lower() not in (
            "i",
            "we",
            "you",
            "it",
            "please",
            "can",
            "could",
        ):
            kind = named.groupdict().get("kind")
            if kind:
                r.draft.kind = KINDS[" ".join(kind.lower().split())]
            _set_party(r, "buyer", Party(name=clean_name(named.group("name"))))
            return named.group("rest").strip()
    for _ in range(4):
        before = text
        match = LEAD_RE.match(text)
        if match:
            kind_word = " ".join(match.group("kind").lower().split())
            after = text[match.end() :]
            # "bill" is a verb ("bill Acme") far more often than a noun; "PO" only as a noun.
            if kind_word == "po" and not (
                match.group("art")
                or match.group("verb")
                or re.match(r"^(?:to|for)\s|^[#:]", after.lstrip())
                # "PO Harbor Dental: ...", "PO" alone on its line: the kind, then whom it goes to.
                or re.match(rf"^(?:{_CAP_NAME})\s*(?:[:(,]|$)", after.strip())
                or (not after.strip() and not match.group("num"))
            ):
                break
            if kind_word != "bill" or match.group("art"):
                r.draft.kind = KINDS[kind_word]
            if match.group("num"):
                r.draft.number = match.group("num")
            bare_verb = not match.group("verb") and not match.group("art") and kind_word != "po"
            if bare_verb and match.group(0).rstrip().endswith(":") and _PRICED_ITEM_RE.match(after):
                # "Invoice: logo design 400": after a colon, words then an amount are what is
                # sold, not a buyer named "Logo Design".
                bare_verb = False
            text = _after_kind(r, after, bare_verb=bare_verb)
        else:
            text = _party_prefix(r, text)
        if text == before or not text:
            break
    return text.strip()


def _after_kind(r: Reading, text: str, *, bare_verb: bool) -> str:
    """What follows "invoice": a number, then "to X" / "for X", or the buyer after a bare verb ("invoice Acme")."""
    text = text.strip()
    if not text:
        return text
    match = re.match(
        r"^(?:#\s*|no\.\s*|no\s+(?=\d)|number\s*:?\s*)(?P<num>[A-Za-z0-9][\w\-/]*)[:,]?\s*",
        text,
        re.IGNORECASE,
    )
    if match:
        r.draft.number = match.group("num")
        text = text[match.end() :]
    match = re.match(r"^(?:to|for)\s*:?\s+(?P<rest>.+)$", text, re.IGNORECASE)
    if match:
        word = text.split()[0].lower()
        rest = match.group("rest")
        if word == "to":
            return take_party(r, "buyer", rest)
        return _for_target(r, rest)
    named = _NAME_COLON.match(text)
    if named and not bare_verb:
        # "need an receipt Oakwood Dental: 5 x office chairs ...": a capitalised name and a colon
        # after the kind word is whom it is for.
        take_party(r, "buyer", named.group("name"))
        return text[named.end() :]
    if bare_verb and not re.match(
        # "invoice due next Friday": what follows is a term of the document, never a buyer.
        r"^(?:from\b|(?:due|payable|net|dated|by|valid|within)\b|\d+(?:[.,]\d+)?(?!\w)|[$€£¥₹])",
        text,
        re.IGNORECASE,
    ):
        taken = take_party(r, "buyer", text, strict=True)
        return taken
    return text


_NAME_COLON = re.compile(
    r"^(?P<name>[A-Z][\w&.'’-]*(?:\s+(?:[A-Z&][\w&.'’-]*|of|and|de|la|du|von|van))*)\s*:\s+"
)


def _for_target(r: Reading, rest: str) -> str:
    """ "an invoice for X ...": X is the buyer unless it is clearly what is sold."""
    rest = re.sub(r"^(?:the\s+)?(?:client|customer)\s*:?\s+", "", rest, flags=re.IGNORECASE)
    if re.match(rf"^the\s+(?!(?i:{MONTH_NAMES})\b)[A-Z][a-z]", rest):
        # "quote for the Carter wedding: ...", "for the Kowalski family, 10 sessions": "the" and a
        # capitalised name are whom it is for (what is sold is written in lower case; "for the
        # March retainer": a month names what is sold).
        return take_party(r, "buyer", rest)
    if re.match(
        rf"^(?:\d+(?:[.,]\d+)?(?!\w)|[$€£¥₹]|(?:{QTY_WORD_RE})\s|the\s|my\s|our\s|some\s)",
        rest,
        re.IGNORECASE,
    ):
        return rest
    match = _NAME_END.search(rest)
    name_part = rest[: match.start()] if match else rest
    after = rest[match.start() :] if match else ""
    if name_part.strip() == name_part.strip().lower() and re.match(
        # "for sprint 11, 80 hrs at 95": a lower-case word and its number are what is sold
        r"^\s*(?:[-:–]\s*)?[$€£¥₹]|^\s+(?:at|@)\s|^\s+\d",
        after,
    ):
        return rest  # "for travel $200": a lower-case thing with a price is what is sold
    if (
        not after.strip()
        and name_part.strip() == name_part.strip().lower()
        and len(name_part.split()) > 1
        and not any(w in COMPANY_SUFFIX for w in name_part.lower().split())
    ):
        # "Invoice for web design": lower-case words and nothing else are what is sold (a
        # company is written with capitals or a suffix); the buyer is asked for.
        return rest
    second_for = re.match(r"^\s+for\s+(?P<what>.+)$", after, re.IGNORECASE)
    if second_for:
        what = second_for.group("what")
        if re.fullmatch(rf"\s*{AMT}\s*(?:each|total|in total|flat)?\s*", what, re.IGNORECASE):
            return rest  # "logo design for 400 EUR": an item, not a buyer
    if any(m.currency for m in find_money(name_part)) or not name_part.strip():
        return rest
    return take_party(r, "buyer", rest)


def _party_prefix(r: Reading, text: str) -> str:
    """ "to: X", "from: Y", "bill X": a party named at the start of a clause."""
    match = _BUYER_MARK_RE.match(text)
    if match:
        return take_party(r, "buyer", match.group("rest"))
    match = _SELLER_MARK_RE.match(text)
    if match:
        return take_party(r, "seller", match.group("rest"))
    match = _BUYER_VERB_RE.match(text)
    if match and not re.match(r"^(?:\d|[$€£¥₹])", match.group("rest")):
        return take_party(r, "buyer", match.group("rest"), strict=True)
    return text


# Lower-case words a capitalised name may hold when a capitalised word follows ("Bank of America",
# "Maison de la Presse", "van der Berg").
_NAME_JOINERS = frozenset(
    "of and the de del della la le les los las du des da di do dos von van der den zu y e et und & 'n".split()
)


def _split_lower_tail(name: str, rest: str) -> tuple[str, str]:
    """ "Mrs Patel deep clean of | 3 bed house 180": a capitalised name ends where lower-case words
    start, when what follows holds a number (the words are what is sold: "Lindon Partners lunch
    buffet 25 ppl", "Brightloop sprint 14 ..."). An all-lower-case name ("acme corp") is kept."""
    words = name.split()
    if not words or not words[0][:1].isupper() or not re.search(r"\d", rest):
        return name, rest
    for index, word in enumerate(words[1:], start=1):
        if not word[:1].islower() or word.lower().rstrip(".,") in COMPANY_SUFFIX or word.endswith("."):
            continue
        # "Café de la Paix", "Bank of America": joiners up to the next capitalised word.
        following = next((w for w in words[index + 1 :] if w.lower() not in _NAME_JOINERS), "")
        if word.lower() in _NAME_JOINERS and following[:1].isupper():
            continue
        return " ".join(words[:index]), " ".join([*words[index:], rest]).strip()
    return name, rest


_AT_ADDRESS = re.compile(r"^at\s+(?P<line>\d+[A-Za-z]?\s+[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)*)\s*$")


def take_party(r: Reading, role: str, text: str, *, strict: bool = False) -> str:
    """Read a name at the start of `text` into buyer/seller; returns the rest."""
    text = re.sub(r"^(?:my|our|the)\s+(?:client|customer|buyer)\s+", "", text, flags=re.IGNORECASE)
    # "Lucía Ferrer (tel. 612 345 678): ...": a phone in brackets after the name is the party's,
    # never the count of what follows (it was 612 pilates classes, a wrong total).
    bracket = _BRACKET_PHONE.search(text)
    phone = ""
    if bracket and not re.search(r"\d", text[: bracket.start()]):
        phone = bracket.group("phone").strip()
        text = f"{text[: bracket.start()]}{text[bracket.end() :]}"
    match = _NAME_END.search(text)
    name = text[: match.start()] if match else text
    rest = text[match.start() :].strip() if match else ""
    name, rest = _split_lower_tail(name, rest)
    # "for last month", "for March": the period of the work, not what was sold.
    rest = _PERIOD_RE.sub("", rest).strip()
    email = _EMAIL.search(name)
    party_email = ""
    if email:
        party_email = email.group(0)
        name = (name[: email.start()] + name[email.end() :]).strip(" <>()")
    name = clean_name(name)
    if not name or name.lower() in STOP_NAMES or (strict and find_money(name)):
        return text
    _set_party(r, role, Party(name=name, email=party_email, phone=phone))
    rest = rest.strip()
    # "Stark Industries at 10880 Malibu Point": a number and capitalised words only, no
    # currency, is where the party is, not a price ("at 200").
    at_address = _AT_ADDRESS.match(rest)
    if at_address:
        lines = [at_address.group("line")]
        _set_party(r, role, Party(name=name, email=party_email, phone=phone, address_lines=lines))
        return ""
    rest = re.sub(r"^(?:for|:|-|–|—)\s*", "", rest, flags=re.IGNORECASE)
    return rest


def read_party_detail(r: Reading, text: str, role: str) -> bool:
    """An address line, e-mail, phone or tax id right after a party's name."""
    party = r.draft.buyer if role == "buyer" else r.draft.seller
    if party is None:
        return False
    mailed = re.search(rf"\s*\((?P<email>{_EMAIL.pattern})\)$", text)
    if mailed and text[: mailed.start()].strip() and read_party_detail(r, text[: mailed.start()], role):
        # "Burlington (orders@hillcrestpaper.com)": the place, and the e-mail in brackets after it.
        return read_party_detail(r, mailed.group("email"), role)
    update: dict[str, object] = {}
    email = _EMAIL.fullmatch(text.strip(" <>()"))
    phone = _PHONE.match(text) or _BARE_PHONE.fullmatch(text.strip())
    tax_id = _TAX_ID.match(text)
    attn = re.match(r"^(?:attn|attention|c/o|care\s+of)\.?\s*:?\s*(?P<who>.+)$", text.strip(), re.IGNORECASE)
    if email:
        update["email"] = email.group(0)
    elif attn:
        update["address_lines"] = [*party.address_lines, f"Attn: {attn.group('who').strip()}"]
    elif phone:
        update["phone"] = phone.group("phone").strip()
    elif tax_id:
        update["tax_id"] = tax_id.group("id").strip()
    elif _PRICED.search(text):
        # "tutoring 2 sessions @ 90.50" after the buyer's name is a line, never an address line
        # (its numbers would be accounted for as text and the line lost: a wrong total).
        return False
    elif _STREET.match(text) or looks_like_place(text):
        update["address_lines"] = [*party.address_lines, text.strip()]
    else:
        return False
    _set_party(r, role, party.model_copy(update=update))
    return True


# "(520) 555-0187", "+44 20 7946 0958" after the name: a phone number, said without "phone".
_BARE_PHONE = re.compile(
    r"(?P<phone>\(\d{3}\)\s*\d{3}[-.\s]\d{4}|\d{3}[-.]\d{3}[-.]\d{4}|\+\d[\d\s().-]{7,}\d)"
)
_PRICED = re.compile(
    r"@|\b(?:at|each|per)\s+[$€£¥₹]?\d|[$€£¥₹]\s?\d|\d\s?[$€£¥₹]|\d\s?(?-i:EUR|USD|GBP|CHF|CAD|AUD|MXN)\b|\d[.,]\d\d\b",
    re.IGNORECASE,
)
_POSTAL = re.compile(
    r"^(?:zip(?:\s+code)?|postal\s+code|post\s*code|plz|code\s+postal|c\.?p\.?)\s*:?\s*(?P<code>[A-Z0-9][A-Z0-9 -]{2,9})$",
    re.IGNORECASE,
)


def read_contact(r: Reading, text: str, party_before: str | None) -> bool:
    """An e-mail, phone number, tax id or postal code said on its own ("..., email
    billing@acme.example", "zip 90210"): the party just named, else the buyer. Never a line (and
    never a price)."""
    role = party_before or ("buyer" if r.draft.buyer is not None else None)
    email = _SAID_EMAIL.match(text.strip())
    if role is None:
        if email is None:
            return False
        r.draft.buyer_email = email.group("email") or email.group("email2")
        return True
    if email:
        return read_party_detail(r, email.group("email") or email.group("email2"), role)
    postal = _POSTAL.match(text.strip())
    party = r.draft.buyer if role == "buyer" else r.draft.seller
    if postal and party is not None:
        _set_party(r, role, party.model_copy(update={"postal_code": postal.group("code").strip()}))
        return True
    if _PHONE.match(text) or _TAX_ID.match(text):
        return read_party_detail(r, text, role)
    return False


def _set_party(r: Reading, role: str, party: Party) -> None:
    """The buyer or seller is now `party`; an address line may follow it."""
    if role == "buyer":
        r.draft.buyer = party
    else:
        r.draft.seller = party
    r.last_party = role


def looks_like_place(text: str) -> bool:
    """ "Springfield", "London SW1A 1AA", "Berlin, Germany": capitalised words, no amounts."""
    words = text.split()
    if re.match(r"^[A-Za-z][\w ]*:", text):
        return False  # "Date: March 1": a labelled field, not a place
    if not 1 <= len(words) <= 4 or (find_money(text) and not re.search(r"\b\d{4,5}\b", text)):
        return False
    if not any(w[0].isupper() for w in words):
        return False  # "1200" alone is an amount, never a place
    return all(w[0].isupper() or w[0].isdigit() for w in words if w) and not re.search(
        r"%|\b(?:tax|vat|gst|discount|shipping|due|net)\b", text, re.IGNORECASE
    )
