"""German: Rechnung / Angebot / Quittung / Bestellung, "je 95 €", "à 90 €", MwSt / USt, "bar bezahlt"."""

from __future__ import annotations

from docmesh_agent.builtin.languages import Language, document_replies
from docmesh_agent.builtin.words import MONTH_NAMES, TAX_WORDS

_N = r"\d+(?:\.\d+)?"
_MONEY = rf"{_N}\s*(?:€|\$|(?-i:[A-Z]{{3}})\b)?"
# An amount with its currency: a price, never a quantity ("setze den Tisch auf 500 €").
_MONEY_MARKED = rf"{_N}\s*(?:€|\$|(?-i:[A-Z]{{3}})\b)"
# Count units a quantity is given in before the description ("20 Kartons Papier").
_COUNT_UNITS = r"Kartons?|Kisten?|Packungen|Packung|Pakete?|Rollen?|Flaschen|Flasche|Dosen|Dose|Säcke|Sack|Paletten?|Stück|Stk\.?"

# A rate per hour or per day said later in the same clause ("... à 30 € pro Stunde").
_PER_HOUR = r"(?=[^,;\n]*?(?:\b(?:pro|je|die)\s+stunde\b|/\s*(?:std|h)\b))"
_PER_DAY = r"(?=[^,;\n]*?(?:\b(?:pro|je|den)\s+tag\b|/\s*tag\b))"

GERMAN = Language(
    code="de",
    markers=frozenset(
        "hallo brauche kannst ich bräuchte danke rechnung angebot quittung bestellung kostenvoranschlag an für bei stunden stunde tage tagen "
        "tag je zu pro und mit mwst ust zzgl bezahlt bar karte fällig zahlbar lieferung rabatt versand "
        "steuerfrei füge hinzu ändere entferne lösche position nächster woche innerhalb von gültig bis "
        "leistungszeitraum ein eine einen der die das auf bitte noch dazu".split()
    ),
    kind_words=("rechnung", "angebot", "quittung", "bestellung", "kostenvoranschlag"),
    terms=(
        (
            r"(\d+(?:\.\d+)?)% discount if paid within (\d+) days",
            r"\1 % Skonto bei Zahlung innerhalb von \2 Tagen",
        ),
    ),
    note_labels={"Deliver to:": "Lieferadresse:"},
    months={
        "januar": 1,
        "jänner": 1,
        "februar": 2,
        "märz": 3,
        "maerz": 3,
        "april": 4,
        "mai": 5,
        "juni": 6,
        "juli": 7,
        "august": 8,
        "september": 9,
        "oktober": 10,
        "november": 11,
        "dezember": 12,
    },
    weekdays={
        "montag": "Monday",
        "dienstag": "Tuesday",
        "mittwoch": "Wednesday",
        "donnerstag": "Thursday",
        "freitag": "Friday",
        "samstag": "Saturday",
        "sonntag": "Sunday",
    },
    rules=(
        # "1.000 € netto zzgl. 19 % MwSt = 1.190 € brutto", "macht 1.190 €": the total restated, never
        # a line (it was a line "19% MwSt" of 1.190 on top: a wrong total).
        (
            # (within its line: "= 400 €" then "Gesamt: 910 €" on the next one is another total)
            rf"(?:[ \t]*=[ \t]*|,?[ \t]+(?:macht|ergibt|das[ \t]+sind|also)[ \t]+(?:insgesamt[ \t]+)?)({_MONEY_MARKED})"
            r"(?:[ \t]*(?:brutto|inkl\.?[ \t]*(?:mwst|ust)\.?|gesamt))?",
            r", total \1",
        ),
        (
            rf"(?:,[ \t]*|[ \t]+)brutto[ \t]*:?[ \t]*({_MONEY_MARKED})|(?:,[ \t]*)({_MONEY_MARKED})[ \t]+brutto\b",
            r", total \1\2",
        ),
        # ", pauschal 940 €", ", Pauschalpreis: 940 €": a flat price after its line, as English says it.
        (r"([,;]\s*)pauschal(?:preis|betrag|e)?\s*:?\s+(?=\d)", r"\1flat "),
        # "à 1.150 € inkl. Montage": what the price includes, said as English says it (the
        # abbreviation's full stop ended a sentence, and "Montage" was asked its price).
        (r"\binkl\.(?=\s)", "incl."),
        # "zahlbar in 14 Tagen ohne Abzug", "rein netto": the whole amount, said after the terms.
        (r"\bohne\s+(?:jeden\s+|jeglichen\s+)?abzug\b|\brein\s+netto\b", "without deduction"),
        # "Rechnungsnummer 2026-017", "Angebots-Nr. 17": the document's number.
        (r"\b(?:rechnungs|angebots|quittungs|beleg)-?(?:nummer|nr\.?)\s*:?\s*(?=[\w/-]*\d)", "#"),
        # "Ihre Bestellnummer 4521", "Ihr Auftrag Nr. 4521": the client's own order, as a reference.
        (r"\bihre?\s+(?=bestell|auftrag)", ""),
        # "2 % Skonto bei Zahlung innerhalb von 10 Tagen", "14 Tage 2 % Skonto": a payment term, never
        # taken off; without the days, a discount for early payment.
        (
            r"(\d+(?:\.\d+)?%)\s+skonto\s+(?:bei\s+zahlung\s+)?(?:innerhalb\s+(?:von\s+)?|binnen\s+|in\s+)(\d+)\s+(?:tagen|tage|days)",
            r"\1 discount if paid within \2 days",
        ),
        (
            r"\b(\d+)\s+(?:tage|tagen|days)\s+(\d+(?:\.\d+)?%)\s+skonto\b",
            r"\2 discount if paid within \1 days",
        ),
        (r"(\d+(?:\.\d+)?%)\s+skonto\b", r"\1 discount for early payment"),
        # "Lieferung frei Haus", "versandkostenfrei", "kostenloser Versand": free shipping.
        (
            r"\b(?:lieferung\s+frei\s+haus|frei\s+haus|versandkostenfrei|kostenlose[rn]?\s+(?:versand|lieferung)|versand\s+kostenlos)\b",
            "free shipping",
        ),
        # "limpieza en enero de 2026", "Reinigung im Jänner 2026": the month the work was in, as English
        # says it (the word stayed in the description: "Limpieza en").
        (rf"\bim\s+(?=(?:{MONTH_NAMES})\b)", "in "),
        # "USt-IdNr. DE123456789": the buyer's tax id (the full stop ended a sentence and the id
        # became two address lines).
        (r"\b(ust-?id(?:-?nr)?)\.(?=\s)", r"\1"),
        # "Leistung: Webdesign" / "Betrag: 1.200 €": a form's line, as English labels it.
        (r"(?m)^(\s*)(?:leistung|beschreibung|bezeichnung|artikel)\s*:\s*", r"\1Description: "),
        (r"(?m)^(\s*)(?:betrag|preis)\s*:\s*(?=\S*\d)", r"\1Amount: "),
        # "Kunde: Hotel Meer", "Rechnungsempfänger: ...": the buyer's label, as English writes it.
        (r"(?m)^(\s*)(?:kunde|kundin|rechnungsempfänger(?:in)?|empfänger(?:in)?)\s*:\s*", r"\1Client: "),
        # "Bestell-Nr. 7781": on a Bestellung its own number, elsewhere the buyer's order (reference).
        (
            r"^(\s*(?:eine?\s+)?(?:neue\s+)?bestellung\b[^\n:]*?)\bbestell-?nr\.?\s*:?\s*(?=\d)",
            r"\1purchase order number ",
        ),
        (r"\bbestell-?nr\.?\s*:?\s*(?=\d)", "PO number "),
        # "Nr. 17": a number sign, never a quantity or a price.
        (r"\bNr\.?\s*(?=\d)", "#"),
        # A greeting, then "ich brauche / kannst du mir ... eine Rechnung": the request itself.
        (r"^\s*(?:hallo|hi|moin|servus|guten\s+(?:tag|morgen|abend))\b[\s,.!]*", ""),
        (
            r"^\s*(?:ich\s+(?:brauche|bräuchte|benötige|hätte\s+gern(?:e)?)|wir\s+brauchen)\s+(?:bitte\s+)?"
            r"(?=(?:eine?n?|neue[nrs]?)\s+(?:rechnung|angebot|quittung|bestellung|kostenvoranschlag))",
            "",
        ),
        (
            r"^\s*(?:kannst\s+du|können\s+sie|könntest\s+du|könnten\s+sie)\s+(?:mir\s+|uns\s+)?(?:bitte\s+)?"
            r"(?=(?:eine?n?|neue[nrs]?)\s+(?:rechnung|angebot|quittung|bestellung|kostenvoranschlag))",
            "",
        ),
        # "... für Bäckerei Krause machen? 200 Flyer ...": the verb and the question mark end the buyer.
        (r"^([^\n?]+?)\s+(?:machen|erstellen|schreiben|ausstellen)\s*\?\s*", r"\1: "),
        # First-person prose, as English says it: "meinem Kunden X den letzten Monat berechnen", "ich
        # habe 32 Stunden am Redesign gearbeitet", "außerdem schulden sie mir 120 € für Lizenzen".
        (
            r"^\s*ich\s+muss\s+(?:meinem|unserem)\s+kunden\s+(.+?)\s+(?:den\s+letzten\s+monat|den\s+vormonat)\s+(?:berechnen|in\s+rechnung\s+stellen)\b",
            r"I need to invoice my client \1 for last month",
        ),
        (
            r"^\s*ich\s+muss\s+(?:meinem|unserem)\s+kunden\s+(.+?)\s+(?:eine\s+rechnung\s+(?:schreiben|stellen)|berechnen)\b",
            r"I need to invoice my client \1",
        ),
        (
            r"\bich\s+habe\s+(\d+(?:[.,]\d+)?)\s+(stunden?|tage?)\s+(?:am|an|für|bei)\s+(?:der\s+|dem\s+|den\s+)?(.+?)\s+gearbeitet\b",
            r"I worked \1 \2 on \3",
        ),
        (
            r"\b(?:außerdem\s+|zusätzlich\s+)?schulden\s+sie\s+mir\s+(?:noch\s+)?(\d[\d.,]*\s*(?:€|\$|(?-i:[A-Z]{3})\b)?)\s+für\s+",
            r"they also owe me \1 for ",
        ),
        # "eine halbe Stunde ... à 30 € pro Stunde", "anderthalb Stunden", "ein halber Tag ... pro Tag": a
        # fraction of the unit its rate is per (it was one hour, one day: a wrong total). Without a
        # rate per unit the price is that of the half hour, left as it is.
        (rf"\b(?:eine\s+)?halbe\s+stunde\b{_PER_HOUR}", "0.5 Stunden"),
        (rf"\b(?:anderthalb|eineinhalb)\s+stunden\b{_PER_HOUR}", "1.5 Stunden"),
        (rf"\b(?:ein(?:en)?\s+)?halbe[nr]?\s+tag\b{_PER_DAY}", "0.5 Tage"),
        (rf"\b(?:anderthalb|eineinhalb)\s+tage\b{_PER_DAY}", "1.5 Tage"),
        # "Von Herrn Meier 300 € für die Miete März bar erhalten": a receipt for them, the thing and
        # its amount (the words became the buyer's name).
        (
            rf"^\s*(?:quittung\s*:\s*)?von\s+(.+?)\s+({_MONEY_MARKED})\s+für\s+(?:die\s+|den\s+|das\s+)?(.+?)\s+(bar\s+)?(?:dankend\s+)?erhalten\b",
            r"Quittung für \1: \3 \2\4",
        ),
        (r"^(Quittung für [^\n:]+: [^\n]+?)bar\s*$", r"\1, bar bezahlt"),
        # Before the kind: "jetzt ein neues Angebot ..." is "now a new quote ...".
        # "Schreib mir eine Rechnung ...", "erstelle bitte ein Angebot": the asking verb before the kind.
        (
            r"^\s*(?:(?:kannst\s+du|können\s+sie)\s+(?:mir\s+|uns\s+)?)?(?:bitte\s+)?(?:schreib|erstell|mach|stell)e?n?\s+"
            r"(?:(?:mir|uns)\s+)?(?:bitte\s+)?(?=(?:eine?n?|neue[nrs]?)\s)",
            "",
        ),
        # "Bitte eine Rechnung für ...": the polite word alone before the kind.
        (
            r"^\s*bitte\s+(?=(?:eine?n?|neue[nrs]?)\s+(?:rechnung|angebot|quittung|bestellung|kostenvoranschlag))",
            "",
        ),
        (r"^\s*(?:und\s+)?jetzt\s*,?\s+", "now "),
        (r"^(now\s+)?(?:noch\s+)?(?:eine?n?s?\s+)?(?:neue[nrs]?|weitere[nrs]?)\s+", r"\1a new "),
        # "jetzt noch ein Angebot für ...": one more document.
        (r"^(now\s+)noch\s+(?:eine?n?s?\s+)", r"\1another "),
        (r"^(now\s+)?(?:eine?n?)\s+(?=(?:rechnung|angebot|quittung|bestellung|kostenvoranschlag))", r"\1a "),
        (r"^(\s*(?:now\s+)?(?:a\s+|another\s+)?(?:new\s+)?)bestellung\b", r"\1Purchase order"),
        (r"^(\s*(?:now\s+)?(?:a\s+|another\s+)?(?:new\s+)?)(?:angebot|kostenvoranschlag)\b", r"\1Quote"),
        (r"^(\s*(?:now\s+)?(?:a\s+|another\s+)?(?:new\s+)?)quittung\b", r"\1Receipt"),
        # "Proforma-Rechnung an ...": an invoice (the buyer was asked).
        (r"^(\s*(?:now\s+)?(?:a\s+|another\s+)?(?:new\s+)?)pro[\s-]?forma-?rechnung\b", r"\1Invoice"),
        (r"^(\s*(?:now\s+)?(?:a\s+|another\s+)?(?:new\s+)?)rechnung\b", r"\1Invoice"),
        # Swiss francs written "Fr. 1200" or "1200 Fr.".
        (r"\bFr\.\s*(?=\d)", "CHF "),
        (r"(\d)\s*Fr\.?(?![\w.])", r"\1 CHF"),
        # Dates and terms.
        # "Bestellnummer 4521", "Bestellung Nr. 4521": the order's number is the reference.
        (r"\b(?:bestellnummer|bestellung\s+nr\.?|auftragsnummer|auftrag\s+nr\.?)\s*:?\s*(?=\d)", "order # "),
        (
            r"\b(?:fällig|zahlbar)\s+(?:am\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s+nächster\s+woche",
            r"due next \1",
        ),
        (
            r"\b(?:fällig|zahlbar)\s+(?:in(?:nerhalb)?(?:\s+von)?)\s+(\d+)\s+tag(?:en|e)?(?:\s+netto)?",
            r"due in \1 days",
        ),
        # "30 Tage netto", "netto 30 Tage", "Zahlungsziel 30 Tage": payment terms, never a price.
        (r"\b(\d+)\s+tag(?:en|e)?\s+netto\b", r"net \1"),
        (r"\bnetto\s+(\d+)\s+tag(?:en|e)?\b", r"net \1"),
        (r"\bzahlungsziel\s*:?\s*(\d+)\s+tag(?:en|e)?\b", r"due in \1 days"),
        # "Zahlungsziel: 15.04.2026", "Fälligkeit 15.4.2026", "Fälligkeitsdatum: ...": the due date.
        (
            rf"\b(?:zahlungsziel|fälligkeit(?:sdatum)?|zahlbar\s+bis(?:\s+zum)?)\s*:?\s+(?:am\s+)?(?=(?:{MONTH_NAMES})\b)",
            "due ",
        ),
        # "Rechnungsdatum 01.03.2026", "Datum: 1. März": the issue date.
        (
            rf"\b(?:rechnungsdatum|ausstellungsdatum|datum)\s*:?\s+(?:vom\s+)?(?=(?:{MONTH_NAMES})\b)",
            "dated ",
        ),
        # "Angebot gilt bis 30.04.2026", "Gültigkeit 30 Tage", "gültig: 4 Wochen": the validity.
        (r"\b(?:(?:das\s+)?angebot\s+)?gilt\s+bis\s+(?:zum\s+)?", "valid until "),
        (r"\bgültigkeit\s*:?\s+(?:bis\s+(?:zum\s+)?)(?=\S)", "valid until "),
        (r"\bgültigkeit\s*:?\s+(?=\d+\s+(?:tage|wochen?|monate?)\b)", "gültig "),
        # "Lieferadresse: Lager Hamburg", "liefern an Lager Hamburg": where to deliver (a note).
        (r"\b(?:lieferadresse|lieferanschrift|anlieferung\s+an)\s*:?\s+", "deliver to "),
        (
            r"\b(?:bitte\s+)?(?:an)?liefern\s+(?:an|nach)\s+([^,\n]+?)\s+(?:bis|am)(?:\s+zum)?\s+",
            r"deliver to \1 by ",
        ),
        # "Bestellung beim Lieferanten Großhandel Nord": the supplier's name, without the word.
        (r"\b(?:den\s+|dem\s+|beim\s+)?lieferanten?\s*:?\s+(?=(?-i:[A-ZÄÖÜ]))", ""),
        # "bitte liefern bis 20. März", "anliefern am ...": the delivery date, as a verb.
        (r"\b(?:bitte\s+)?(?:an)?liefern\s+(?:bis|am)(?:\s+zum)?\s+", "delivery on "),
        (r"\b(?:fällig|zahlbar)\s+(?:in(?:nerhalb)?(?:\s+von)?)\s+(\d+)\s+wochen?", r"due in \1 weeks"),
        (
            r"\b(?:fällig|zahlbar)\s+(?:zum\s+|am\s+|bis\s+)?(?:ende\s+des\s+monats|monatsende)",
            "due end of month",
        ),
        (r"\b(?:fällig|zahlbar)\s+(?:am|bis(?:\s+zum)?)\s+", "due "),
        (r"\bfällig\s+(?=[A-Z0-9])", "due "),
        # "Lieferung am Freitag nächster Woche": the weekday of next week, however it is led.
        (
            r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s+(?:nächster|kommender)\s+woche\b",
            r"next \1",
        ),
        # "Angebot gültig bis ...", "Angebot 30 Tage gültig": the document's validity, not a line.
        (r"(^|[,;\n]\s*)(?:das\s+)?angebot\s+(?=gültig|\d+\s+(?:tage|wochen?)\s+gültig)", r"\1"),
        (r"\bgültig\s+bis\s+(?:zum\s+)?", "valid until "),
        # "bis Ende April", "Ende des Monats", "Monatsende": the month's last day, as English says it.
        (rf"\bende\s+(?=(?:{MONTH_NAMES})\b)", "end of "),
        (r"\b(?:ende\s+(?:des|dieses)\s+monats|monatsende)\b", "end of month"),
        (r"\bgültig\s+(?:für\s+)?(\d+)\s+tage", r"valid for \1 days"),
        (r"\bgültig\s+(?:für\s+)?(\d+)\s+wochen?\b", r"valid for \1 weeks"),
        (r"\bgültig\s+(?:für\s+)?(\d+)\s+monate?\b", r"valid for \1 months"),
        (r"\b(\d+)\s+wochen?\s+gültig", r"valid for \1 weeks"),
        (r"\b(\d+)\s+tage\s+gültig", r"valid for \1 days"),
        # "Lieferung 15 €": an amount is what the delivery costs; a date is the delivery date.
        (
            r"\b(?:die\s+)?(?:lieferung|anlieferung)\s*:?\s*(?=\d+(?:\.\d+)?\s*(?:€|\$|(?-i:[A-Z]{3})\b))",
            "shipping ",
        ),
        (r"\b(?:lieferung|liefertermin|lieferdatum)\s+(?:bis|am)?(?:\s+zum)?\s*(?=\w)", "delivery on "),
        (r"\bleistungszeitraum\s*:?\s+(?:vom\s+)?", "service period "),
        # "Leistung vom 1. bis 15. März", "vom 1. bis 15. März": the service period.
        (
            r"\b(?:leistung(?:sdatum)?\s+)?vom\s+(?=(?:January|February|March|April|May|June|July|August|September|October|November|December)\b)",
            "service period ",
        ),
        # Payment on receipts.
        # "sie hat bar bezahlt", "er hat mit Karte bezahlt": who paid, then how.
        (r"\b(?:er|sie|der\s+kunde|die\s+kundin)\s+(?:hat|haben)\s+(?=[^,.;\n]*\bbezahlt\b)", ""),
        # "Anzahlung 50 € per Karte", "50 € Anzahlung bar": a deposit paid, never a line (it was a
        # line "Anzahlung" on top of the total, a wrong total).
        (
            rf"\b(?:eine\s+)?anzahlung\s+(?:von\s+)?({_MONEY_MARKED})\s+(?=(?:per|mit)\s+(?:ec-)?karte|bar\b|in\s+bar\b)",
            r"paid \1 deposit ",
        ),
        (
            rf"\b({_MONEY_MARKED})\s+anzahlung\s+(?=(?:per|mit)\s+(?:ec-)?karte|bar\b|in\s+bar\b)",
            r"paid \1 deposit ",
        ),
        (r"(\bdeposit)\s+(?:per|mit)\s+(?:ec-)?karte(?:\s+bezahlt)?\b", r"\1 by card"),
        (r"(\bdeposit)\s+(?:in\s+)?bar(?:\s+bezahlt)?\b", r"\1 in cash"),
        # "20 € bar bezahlt": part of the total paid.
        (rf"\b(?:hat\s+)?({_MONEY_MARKED})\s+(?:in\s+)?bar\s+bezahlt", r"paid \1 in cash"),
        (rf"\b(?:hat\s+)?({_MONEY_MARKED})\s+(?:mit|per)\s+(?:ec-)?karte\s+bezahlt", r"paid \1 by card"),
        (rf"\b(?:hat\s+)?({_MONEY_MARKED})\s+(?:bezahlt|angezahlt)", r"paid \1"),
        (r"\b(?:mit\s+(?:ec-)?karte|per\s+karte)\s+bezahlt", "paid by card"),
        (r"\b(?:in\s+)?bar\s+(?:bezahlt|erhalten|kassiert)", "paid cash"),
        # "…, EC-Karte" at the end of a receipt: how it was paid.
        (r"(?:^|(?<=,\s))(?:mit\s+|per\s+)?(?:ec-karte|girocard)\s*$", "paid by card"),
        (r"\bbezahlt\s+(?:mit|per)\s+(?:ec-)?karte", "paid by card"),
        # "bezahlt mit TWINT", "per PayPal bezahlt": how it was paid, whatever the name.
        (r"\bbezahlt\s+(?:mit|per|via|über)\s+", "paid by "),
        (r"\b(?:mit|per|via|über)\s+([\w-]+)\s+bezahlt\b", r"paid by \1"),
        (r"\bbezahlt\s+bar", "paid cash"),
        (r"\bper\s+überweisung\s+bezahlt", "paid by bank transfer"),
        (r"\bbezahlt\b", "paid"),
        # "30 % Anzahlung auf 4.000 €", "Anzahlung von 30 % auf 4.000 €": that share is the line (it
        # was a line of 4.000: a wrong total).
        (r"(\d+(?:\.\d+)?%)\s+anzahlung\s+(?:auf|von)\s+(?:die\s+|den\s+|das\s+)?", r"\1 deposit on "),
        (
            r"\b(?:eine\s+)?anzahlung\s+(?:von\s+)?(\d+(?:\.\d+)?%)\s+(?:auf|von)\s+(?:die\s+|den\s+|das\s+)?",
            r"\1 deposit on ",
        ),
        # Paid before or taken away: "Anzahlung 500 € erhalten", "bereits bezahlt 500 €", "abzüglich 100 €".
        (
            r"\b(?:anzahlung|vorauszahlung|vorkasse)\s+(?:von\s+)?(\d[\d.]*\s*(?:€|\$|[A-Z]{3})?)\s+(?:erhalten|bezahlt|eingegangen)",
            r"deposit \1 received",
        ),
        (r"\b(?:bereits|schon)\s+(?:bezahlt|gezahlt|paid)\b", "already paid"),
        (r"\b(?:zahlung|zahlbar)\s+in\s+(\d+)\s+raten\b", r"payment in \1 installments"),
        (r"\b(?:abzüglich|abzgl\.)(?=\s)", "minus"),
        (r"\bgutschrift\b", "credit"),
        (r"\b(?:höchstens|maximal)\b", "max"),
        # Discounts, taxes, shipping, exempt lines.
        # "1 Tag Rabatt": time off, asked about (never a discount of 1).
        (r"\b(?:mit\s+)?(\d+)\s+tag(?:e|en)?\s+(?:rabatt|gratis|frei)\b", r"with \1 days off"),
        (rf"\bmit\s+({_N})%\s+rabatt", r"with \1% off"),
        (rf"\b({_N}%|{_MONEY_MARKED})\s+rabatt", r"\1 discount"),
        (rf"\brabatt\s+(?:von\s+)?({_N})%", r"\1% discount"),
        (r"\((?:(?:umsatz)?steuerfrei|ohne\s+(?:mwst|ust)\.?|(?:mwst|ust)-frei)\)", "(tax-exempt)"),
        (r"\b(?:umsatz)?steuerfrei\b", "tax-exempt"),
        # "Gerichtskosten 120 € nicht steuerbar", "umsatzsteuerbefreit": said of its line.
        (
            r"\b(?:nicht\s+(?:umsatz)?steuer(?:bar|pflichtig)|(?:umsatz)?steuerbefreit|(?:mwst|ust)-befreit)\b",
            "tax-exempt",
        ),
        (r"\b(?:inkl\.?|inklusive)\s+(?:mwst|ust)\.?", "including tax"),
        (r"\b(?:zzgl|zuzüglich|plus)\.?\s+", "plus "),
        (r"\b(mwst|ust)\.", r"\1"),
        # "19 % Mehrwertsteuer", "Umsatzsteuer 19 %": the tax by its full name.
        (r"\bmehrwertsteuer\b", "MwSt"),
        (r"\bumsatzsteuer\b", "USt"),
        # "(MwSt. nicht enthalten)": a tax to add whose rate was not said (asked).
        (r"\(?\s*(mwst|ust)\s+(?:nicht\s+(?:enthalten|inbegriffen)|exklusive)\s*\)?", r"plus \1"),
        (r"\b(?:versand(?:kosten)?|porto|lieferkosten)\b", "shipping"),
        # "zwischen 300 und 400 €": a range of prices, asked which (its 400 was asked about).
        (r"\bzwischen\s+(\d[\d.]*\s*(?:€|\$|(?-i:[A-Z]{3})\b)?)\s+und\s+(?=\d)", r"\1 or "),
        # "2.400 € oder 2.900 € mit Shop": two prices, one or the other (asked, never added up).
        (r"(\d(?:\s*(?:€|\$|(?-i:[A-Z]{3})\b))?)\s+oder\s+(?=\d)", r"\1 or "),
        (
            r"(\d(?:\s*(?:€|\$|(?-i:[A-Z]{3})\b))?\s+or\s+\d\S*(?:\s*(?:€|\$|(?-i:[A-Z]{3})\b))?)\s+mit\b",
            r"\1 with",
        ),
        # "Bildbearbeitung 30 Bilder à 15 €", "Streusalz 8 Säcke zu je 24,50 €": a count of a plural
        # priced each ("à", "je") is how many of them, as "30 Bilder Bildbearbeitung" says it (it was
        # asked whether 30 was part of the name).
        (
            r"(^|[,:;\n][ \t]*)(?!(?:bitte|noch|und|auch|plus|zzgl)\b)((?-i:[A-ZÄÖÜ])[^\d,:;\n]*?)[ \t]+(\d+)[ \t]+"
            r"((?-i:[A-ZÄÖÜ])[^\W\d_]*(?:er|en|e|n))[ \t]+"
            r"(?=(?:zu\s+je|für\s+je|je|à|á)\s)",
            r"\1\3 \4 of \2 ",
        ),
        # "à CHF 150", "je EUR 95": the code after the amount, as the price rules read it.
        (r"((?:\bzu\s+je|\bfür\s+je|\bje|\bzu|à|á))\s+(?-i:([A-Z]{3}))\s*(\d(?:[\d'’.,]*\d)?)", r"\1 \3 \2"),
        # Prices: "je 95 €", "zu je 4,50 €", "à 90 €", "zu 80 € pro Stunde".
        (rf"(?:\bzu\s+je|\bje|\bzu|à|á)\s+({_MONEY})\s*(?:pro|/|die)\s*stunde\b", r"at \1 per hour"),
        (rf"(?:\bzu\s+je|\bje|\bzu|à|á)\s+({_MONEY})\s*(?:pro|/|den)\s*tag\b", r"at \1 per day"),
        (rf"(?:\bzu\s+je|\bfür\s+je|\bje|à|á|\ba)\s+({_MONEY})", r"at \1"),
        (rf"\bzu\s+({_MONEY})", r"at \1"),
        # "Stundensatz 95 €", "Tagessatz 800 €": the rate, as English says it.
        (r"\b(?:stundensatz|stundenlohn|stundenpreis)\s*:?\s*", "hourly rate "),
        (r"\b(?:tagessatz|tagespreis)\s*:?\s*", "day rate "),
        # "80 € pro Stunde", "600 € pro Tag" (an answer with its rate): per hour, per day.
        (rf"({_MONEY_MARKED})\s*(?:pro|/|die|je)\s*(?:stunde|std\.?)(?!\w)", r"\1 per hour"),
        (rf"({_MONEY_MARKED})\s*(?:pro|/|den|je)\s*tag\b", r"\1 per day"),
        # "25 Stk. Dachlatten", "25 Stück Latten": pieces, the count's unit.
        (r"(\d)\s*(?:stk\.?|stück)(?=\s|$)", r"\1 pcs"),
        # "20 Kartons Papier", "5 Stunden Beratung": the quantity, its unit and "of" the description.
        (
            rf"\b({_N}\s+(?:{_COUNT_UNITS}|stunden?|std\.?|tage?|monate?|wochen?|m|m²|m2|qm|lfm|km|kg|l)(?!\w))\s+(?!at\b|of\b|à\b|x\b|×)(?=[^\W\d_])",
            r"\1 of ",
        ),
        (r"\b(?:stunden?|std\.?)(?=\s|$|,)", "hours"),
        (r"\bw(?:ö|oe)rter\b", "words"),
        (r"\btage?\b", "days"),
        # "Hosting 12 Monate zu je 9,90 €": the count and its unit (it was one line at 9,90).
        (r"(\d)\s+monate?\b", r"\1 months"),
        (r"(\d)\s+wochen?\b", r"\1 weeks"),
        # Edits.
        # "mach ein Angebot daraus", "als Quittung bitte": another kind of document (the kind words
        # are English by now: "a Quote daraus").
        (
            r"^\s*(?:mach(?:e)?\s+(?:daraus\s+)?(?:a\s+|eine?n?\s+)?|als\s+|ändere\s+(?:es\s+)?(?:in|zu)\s+(?:a\s+|eine?n?\s+)?|a\s+(?=\w+\s+daraus))"
            r"(Quote|Receipt|Invoice|Purchase\s+order|angebot|quittung|rechnung|bestellung)(?:\s+daraus)?(?:\s+bitte)?\s*[.!]*$",
            r"make it a \1",
        ),
        (r"^(make it a )(?:Quote|angebot)$", r"\1quote"),
        (r"^(make it a )(?:Receipt|quittung)$", r"\1receipt"),
        (r"^(make it a )(?:Invoice|rechnung)$", r"\1invoice"),
        (r"^(make it a )(?:Purchase\s+order|bestellung)$", r"\1purchase order"),
        # "in Franken", "bitte in Dollar": the document's currency (amounts kept).
        (
            r"^\s*(?:(?:bitte|lieber)\s+)?in\s+(franken|euro|dollar|pfund)(?:\s+bitte)?\s*[.!]*$",
            r"make it \1",
        ),
        (r"^(make it )franken$", r"\1CHF"),
        (r"^(make it )euro$", r"\1EUR"),
        (r"^(make it )dollar$", r"\1USD"),
        (r"^(make it )pfund$", r"\1GBP"),
        # "der Kunde ist Hotel Meer": another buyer.
        (r"^\s*(?:der\s+kunde\s+ist|(?:die\s+)?rechnung\s+lieber\s+an)\s+(?=\S)", "change the client to "),
        # "zwei Stühle mehr": more of a line.
        (r"^\s*(?:noch\s+)?(\d+)\s+([^\d]+?)\s+mehr\s*[.!]*$", r"\1 more \2"),
        (r"^\s*(?:rückgängig(?:\s+machen)?|mach\s+das\s+rückgängig)\s*[.!]*$", "undo"),
        (r"^\s*es\s+(?:waren|war|sind)\s+", "it was "),
        # "Die Transporter-Miete war 140 €, nicht 120": that line's price was the other number.
        (
            r"^\s*(?:der|die|das)\s+(.+?)\s+(?:war|waren|ist|sind|sollte|soll|kostet|kostete|kosteten)\s+"
            r"(?:eigentlich\s+|doch\s+)?(\d+(?:\.\d+)?)\s*(?:€|eur)?\s*,?\s+nicht\s+(?=\d)",
            r"the \1 should be \2, not ",
        ),
        (r",?\s+nicht\s+(\d)", r", not \1"),
        (r"^\s*mach\s+(\d+(?:[.,]\d+)?)\s+(.+?)\s+daraus\b", r"make that \1 \2"),
        (rf"^\s*keine\s+({TAX_WORDS})\s+(?:auf|für)\s+(?:die\s+|den\s+|das\s+|dem\s+)?", r"no \1 on the "),
        # "auf den Tisch keine MwSt.": the same, the line first.
        (
            # "..., das ist ein durchlaufender Posten": why, said after it.
            rf"^\s*(?:auf|für)\s+(?:die\s+|den\s+|das\s+|dem\s+)?(.+?)\s+(?:bitte\s+)?keine\s+({TAX_WORDS})\b\.?"
            r"(?:\s*[,;]\s*(?:das|es|dies|die|der)\s+(?:ist|sind)\b[^\n]*)?\s*$",
            r"no \2 on the \1",
        ),
        (r"^\s*ändere\s+den\s+kunden\s+(?:auf|zu|in)\s+", "change the client to "),
        (r"^\s*füge\s+(.+?)\s+hinzu\b", r"add \1"),
        # "und noch die Lieferung, 50 €", "dazu noch die Anfahrt: 40 €": a line added.
        (r"^\s*(?:und\s+)?(?:dazu\s+)?noch\s+(?:die|den|das)\s+([^\d,:]+?)\s*[,:]\s*(?=\d)", r"add the \1, "),
        # "noch 2 Steckdosen dazu, also 8": the count said last is what the line comes to.
        (
            r"^\s*(?:bitte\s+)?noch\s+\d+\s+([^\d,]+?)\s+(?:dazu|hinzu)\s*,\s*(?:also|insgesamt|dann|macht|das\s+macht)\s+"
            r"(\d+)(?:\s+(?:stück|insgesamt))?\s*[.!]*$",
            r"make the \1 \2",
        ),
        # "noch 2 Steckdosen dazu": two more of a line there (no price: not a new line).
        (
            r"^\s*(?:bitte\s+)?noch\s+(\d+)\s+([^\d]+?)\s+(?:dazu|hinzu)(?:\s+bitte)?\s*[.!]*$",
            r"add \1 more \2",
        ),
        # "bitte noch 2 Einzelstunden à 85 € dazu": two more lessons, a line added.
        (r"^\s*(?:bitte\s+)?noch\s+(\d.+?)\s+(?:dazu|hinzu)(?:\s+bitte)?\s*[.!]*$", r"add \1"),
        (r"^\s*(?:entferne|lösche)\s+(?:die\s+)?position\b", "remove line"),
        (r"^\s*(?:entferne|lösche|streiche)\s+(?:die|den|das)\b", "remove the"),
        (r"^\s*(?:entferne|lösche|streiche)\b", "remove"),
        # "die Stühle kosten 90 €", "der Tisch kostet jetzt 450 €": that line's price.
        (
            rf"^\s*(?:die|der|das)\s+(.+?)\s+(?:kosten|kostet)\s+(?:jetzt\s+|nun\s+|doch\s+|eigentlich\s+)?({_MONEY_MARKED})"
            r"(?:\s+(?:pro|je|das)\s+stück)?\s*[.!]*$",
            r"change the price of the \1 to \2",
        ),
        (
            r"^\s*(?:ändere|setze)\s+den\s+preis\s+(?:des|der|von)\s+(?:den\s+|dem\s+)?(.+?)\s+auf\s+(\d)",
            r"change the price of the \1 to \2",
        ),
        (
            rf"^\s*(?:ändere|setze)\s+(?:die|den|das)\s+(.+?)\s+auf\s+({_MONEY_MARKED})",
            r"change the price of the \1 to \2",
        ),
        (r"^\s*(?:ändere|setze)\s+(?:die|den|das)\s+(.+?)\s+auf\s+(\d)", r"change the \1 to \2"),
        (
            rf"^\s*(?:ändere\s+|setze\s+)?(?:die\s+)?({TAX_WORDS})\.?\s+auf\s+(\d[\d.]*%)",
            r"change the \1 to \2",
        ),
        (r"\b(\d+)\s+weitere\s+", r"\1 more "),
        # Connectives.
        # "Rechnung für die Webseite von Café Morgenrot": what is billed, then whose it is (the buyer).
        (
            r"^((?:now\s+)?(?:a\s+|another\s+)?(?:new\s+)?(?:Invoice|Quote|Receipt)(?:\s+\#\s*[\w/-]+)?)\s+für\s+(?:die|den|das)\s+"
            r"([^\n:,\d]+?)\s+(?:von|vom)\s+((?-i:[A-ZÄÖÜ])[^\n:,\d]*)$",
            r"\1 \3 for the \2",
        ),
        (
            r"^((?:now\s+)?(?:a\s+|another\s+)?(?:new\s+)?(?:Invoice|Quote|Receipt|Purchase\s+order)(?:\s+\#\s*[\w/-]+)?)\s+(?:an|für|bei)\s+",
            r"\1 for ",
        ),
        # An answer naming the buyer: "an Vogel GmbH".
        (r"^\s*(?:an|bei)\s+(?=[A-ZÄÖÜ])", "to "),
        (r"\bfür\b", "for"),
        # "die Reinigung und die Wäsche": the article after "und" as English says it ("and the").
        (r"\bund\s+(?:die|der|das|den)\s+", "and the "),
        (r"\bund\b", "and"),
        (r"\b(?:ein|eine|einen)\b", "a"),
    ),
    units={
        "hour": ("Stunde", "Stunden"),
        "hours": ("Stunde", "Stunden"),
        "day": ("Tag", "Tage"),
        "days": ("Tag", "Tage"),
        "week": ("Woche", "Wochen"),
        "weeks": ("Woche", "Wochen"),
        "month": ("Monat", "Monate"),
        "months": ("Monat", "Monate"),
        "word": ("Wort", "Wörter"),
        "pcs": ("Stück", "Stück"),
        "words": ("Wort", "Wörter"),
    },
    replies=(
        # Credit notes, e-invoices and the accounting question (languages/document_replies.py):
        # whole sentences, before the patterns for words that would change them.
        *document_replies.GERMAN,
        (r"(the total for the \S+) hours\b", r"\1 Stunden"),
        (r"(the total for the \S+) days\b", r"\1 Tage"),
        (r"(or the price per) hour\?", r"\1 Stunde?"),
        (r"(or the price per) day\?", r"\1 Tag?"),
        (r"(the total or per) hour\?", r"\1 Stunde?"),
        (r"(the total or per) day\?", r"\1 Tag?"),
        (
            r"Is (\S+) the total for the (\S+) (\w+) of (.+?), or the price per (\w+)\?",
            r"Ist \1 die Summe für \2 \3 „\4“ oder der Preis pro \5?",
        ),
        (
            r"Is the price of the (.+?) the total or per (\w+)\?",
            r"Ist der Preis von „\1“ die Summe oder pro \2?",
        ),
        (
            r"What is the quantity of “(.+?)”(?: at (\S+))?\? Answer with a number.*$",
            r"Welche Menge hat „\1“? Antworte mit einer Zahl.",
        ),
        (
            r"Is (\S+) the price of the (\S+) (\S+) of (.+?), or per (\S+)\?",
            r"Ist \1 der Preis für \2 \3 „\4“ oder pro \5?",
        ),
        (
            r"How should “(.+?)” change the total\?.*$",
            r"Wie soll „\1“ die Summe ändern? Als Rabatt (zum Beispiel „50 € Rabatt“ oder „10 % Rabatt“), oder sag „nein“.",
        ),
        (r"“(\d+(?:\.\d+)?) hours? of (.+?)”, or per hour\?", r"“\1 Stunden \2”, or per Stunde?"),
        (r"“(\d+(?:\.\d+)?) days? of (.+?)”, or per day\?", r"“\1 Tage \2”, or per Tag?"),
        (
            r"Is (\S+) the number of (.+?), or part of the name “(.+?)”\?",
            r"Ist \1 die Anzahl der \2 oder Teil des Namens „\3“?",
        ),
        (
            r"Is (\S+) the price of each “(.+?)”, or per (\w+)\?",
            r"Ist \1 der Preis für jede(s) „\2“ oder pro \3?",
        ),
        (
            r"Should the (.+?) cost (\S+) instead of (\S+), or is it a new line\?.*$",
            r"Soll „\1“ \2 statt \3 kosten, oder ist es eine neue Position?",
        ),
        (r"“(\d+) days? off”", r"“\1 Tag(e) Rabatt”"),
        (
            r"How much should “(.+?)” take off: an amount \(for example “500 off”\) or a percentage \(“10% off”\)\?",
            r"Wie viel soll „\1“ abziehen: einen Betrag (zum Beispiel „500 Rabatt“) oder einen Prozentsatz („10 % Rabatt“)?",
        ),
        (
            r"Is (\S+) the quantity or the price of the (.+?)\? It is (\S+) at (\S+) now\.",
            r"Ist \1 die Menge oder der Preis von „\2“? Jetzt sind es \3 zu \4.",
        ),
        (
            r"Which line should change to (\S+), and is \S+ its quantity or its price\?.*$",
            r"Welche Position soll \1 werden, und ist \1 die Menge oder der Preis? Zum Beispiel: „setze die Menge von Position 1 auf \1“.",
        ),
        (
            r"\bdelivery date (\d{4}-\d\d-\d\d)",
            r"Lieferdatum \1",
        ),
        (
            r"\bservice period (\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)",
            r"Leistungszeitraum \1 bis \2",
        ),
        (
            r"Note: prices that include tax are not supported: [^.]*\.",
            "Hinweis: Preise inklusive Steuer werden nicht unterstützt; die Beträge gelten als netto, es wurde keine Steuer hinzugefügt.",
        ),
        (r"line (\d+) \((.+?)\) is now tax exempt", r"„\2“ ist jetzt steuerfrei"),
        (r"What tax rate should I apply\?", "Welchen Steuersatz soll ich anwenden?"),
        (r"What rate of (.+?) should I apply\?", r"Welchen \1-Satz soll ich anwenden?"),
        (r"What is the price per hour of the (.+?)\?", r"Was ist der Preis pro Stunde für „\1“?"),
        (r"What is the price per day of the (.+?)\?", r"Was ist der Preis pro Tag für „\1“?"),
        (r"Which price for the (.+?): (.+?) or (.+?)\?", r"Welcher Preis für „\1“: \2 oder \3?"),
        (r"What are the (\S+) × (\S+) for\?", r"Wofür sind die \1 × \2?"),
        (r"What are the (\S+) hours? for\?", r"Wofür sind die \1 Stunden?"),
        (r"What are the (\S+) days? for\?", r"Wofür sind die \1 Tage?"),
        (r"What are the (\S+) pcs for\?", r"Wofür sind die \1 Stück?"),
        (r"What are the (\S+) (\S+) for\?", r"Wofür sind die \1 \2?"),
        (r"\bI did not understand: (.+)\.$", r"Nicht verstanden: \1."),
        (r"^Who should I bill\?", "An wen geht die Rechnung?"),
        (r"^Who is the quote for\?", "Für wen ist das Angebot?"),
        (r"^Who is the purchase order for\?", "An wen geht die Bestellung?"),
        (r"What is the price per (\w+) of the (.+?)\?", r"Was ist der Preis pro \1 für „\2“?"),
        (r"What is the unit price of the (.+?)\?", r"Was ist der Preis pro Stück für „\1“?"),
        (r"What is the price of the (.+?)\?", r"Was ist der Preis für „\1“?"),
        (
            r"What should the \w+(?: order)? be for\?",
            "Was soll darauf stehen? Zum Beispiel: „10 Stunden Beratung je 95 €“.",
        ),
        (r"For example: “10 hours of consulting at \$150”\.", ""),
        (r"^Here is your invoice", "Hier ist Ihre Rechnung"),
        (r"^Here is your quote", "Hier ist Ihr Angebot"),
        (r"^Here is your receipt", "Hier ist Ihre Quittung"),
        (r"^Here is your purchase order", "Hier ist Ihre Bestellung"),
        (r" for (.+?): (\d+) lines?, total ", r" für \1: \2 Position(en), Summe "),
        (r": (\d+) lines?, total ", r": \1 Position(en), Summe "),
        (r"\badded a (\S+) discount", r"\1 Rabatt hinzugefügt"),
        (r"\badded (\d[\d.]*) hours? of (.+?) at ", r"hinzugefügt: \1 Stunden \2 à "),
        (r"\badded (\d[\d.]*) days? of (.+?) at ", r"hinzugefügt: \1 Tage \2 à "),
        (r"\badded ", "hinzugefügt: "),
        (r"\bremoved line (\d+)", r"Position \1 entfernt"),
        (r"\bremoved ", "entfernt: "),
        (r"line \d+ \((.+?)\) quantity (\S+) → (\S+)", r"Menge \1: \2 → \3"),
        (r"(\S+) quantity (\S+) → (\S+)", r"Menge \1: \2 → \3"),
        (r"(\S+) price (\S+) → (\S+)", r"Preis \1: \2 → \3"),
        (r"\bshipping (\d)", r"Versand \1"),
        (r"\bdue (\d{4}-\d\d-\d\d)", r"fällig am \1"),
        (r" at (\d)", r" à \1"),
        (r"\bpaid in full\b", "vollständig bezahlt"),
        (r"\bpaid by (\w+)", r"bezahlt mit \1"),
        (r"\bnow a quote\b", "jetzt ein Angebot"),
        (r"\bnow a receipt\b", "jetzt eine Quittung"),
        (r"\bnow an? invoice\b", "jetzt eine Rechnung"),
        (r"\bnow a purchase order\b", "jetzt eine Bestellung"),
        (
            r"\bcurrency (\S+) → (\S+) \(amounts kept as written, not converted\)",
            r"Währung \1 → \2 (Beträge unverändert, nicht umgerechnet)",
        ),
        (r"\bbuyer (.+?) → (.+?)\. ", r"Kunde \1 → \2. "),
        (r"\bnote: ", "Notiz: "),
        (
            r"^Which line\? Say “item 2” or part of its description\.",
            "Welche Position? Sagen Sie „Position 2“ oder einen Teil der Beschreibung.",
        ),
        (r"\b(\S+) off line (\d+) \((.+?)\)", r"\1 Rabatt auf Position \2 (\3)"),
        (
            r"^I didn't understand how to change the [\w ]+? from “(.+?)”\. I understand edits like .*$",
            r"Ich habe nicht verstanden, was sich mit „\1“ ändern soll. Ich verstehe Änderungen wie „füge 2 Stunden "
            r"Beratung à 80 € hinzu“, „entferne Position 2“, „setze die MwSt auf 7 %“, „ändere die Stühle auf 4“, "
            r"„fällig in 30 Tagen“ oder „rückgängig“.",
        ),
        (r"^Undone: back to the previous version\.", "Rückgängig gemacht: wieder die vorige Fassung."),
        (r"^Done: ", "Erledigt: "),
        (r"New total: ", "Neue Summe: "),
        (r"\bDue (\w+) (\d{4}-\d\d-\d\d)\.", r"Fällig am \2."),
    ),
    payment_methods={"card": "Karte", "cash": "Bar", "bank transfer": "Überweisung"},
    descriptions={"Services": "Leistungen", "Deposit": "Anzahlung"},
    capitalised_nouns=True,
)
