"""French: Facture / Devis / Reçu / Bon de commande, "à 80 € l'unité", TVA, "payé par carte"."""

from __future__ import annotations

from docmesh_agent.builtin.languages import Language, document_replies
from docmesh_agent.builtin.words import MONTH_NAMES

_N = r"\d+(?:\.\d+)?"
_MONEY = rf"{_N}\s*(?:€|\$\s*CA\b|\$|(?-i:[A-Z]{{3}})\b)?"
# An amount with its currency: a price, never a quantity ("passe le bureau à 500 €").
_MONEY_MARKED = rf"{_N}\s*(?:€|\$\s*CA\b|\$|(?-i:[A-Z]{{3}})\b)"

# A rate per hour or per day said later in the same clause ("... à 30 € de l'heure").
_PER_HOUR = r"(?=[^,;\n]*?(?:\bde\s+l['’]heure\b|\bl['’]heure\b|\bpar\s+heure\b|/\s*h(?:eure)?\b))"
_PER_DAY = r"(?=[^,;\n]*?(?:\b(?:la|par)\s+journée\b|\b(?:le|par)\s+jour\b|/\s*jour\b))"

FRENCH = Language(
    code="fr",
    markers=frozenset(
        "bonjour facturer besoin faut peux merci dois facture devis reçu bon commande pour heures heure jours jour de du des la le les et à "
        "tva tps tvq payé payée carte espèces échéance livraison remise frais port exonérée exonéré "
        "ajoute supprime retire passe change ligne semaine prochaine valable jusqu'au période "
        "l'heure l'unité un une au avant régler".split()
    ),
    kind_words=("facture", "devis", "reçu", "recu"),
    terms=(
        (
            r"(\d+(?:\.\d+)?)% discount if paid within (\d+) days",
            r"escompte de \1 % pour paiement sous \2 jours",
        ),
    ),
    note_labels={"Deliver to:": "Livrer à :"},
    kind_phrases=("bon de commande",),
    months={
        "janvier": 1,
        "février": 2,
        "fevrier": 2,
        "mars": 3,
        "avril": 4,
        "mai": 5,
        "juin": 6,
        "juillet": 7,
        "août": 8,
        "aout": 8,
        "septembre": 9,
        "octobre": 10,
        "novembre": 11,
        "décembre": 12,
        "decembre": 12,
    },
    weekdays={
        "lundi": "Monday",
        "mardi": "Tuesday",
        "mercredi": "Wednesday",
        "jeudi": "Thursday",
        "vendredi": "Friday",
        "samedi": "Saturday",
        "dimanche": "Sunday",
    },
    rules=(
        # "1 000 € HT, TVA 20 %, soit 1 200 € TTC", "= 1 200 €": the total restated, never a line (it
        # was a line "Soit" of 1 200 on top: a wrong total).
        (
            rf"(?:,[ \t]*|[ \t]+)(?:soit|c['’]est-à-dire|donc|ce\s+qui\s+fait|=)[ \t]*(?:un\s+total\s+de\s+)?({_MONEY_MARKED})"
            r"(?:[ \t]*(?:TTC|toutes\s+taxes\s+comprises))?",
            r", total \1",
        ),
        # ", forfait 940 €", ", au forfait : 940 €": a flat price after its line, as English says it.
        (r"([,;]\s*)(?:au\s+)?forfait(?:aire)?\s*:?\s+(?:de\s+)?(?=\d)", r"\1flat "),
        # "paiement à 30 jours sans escompte": the whole amount, said after the terms.
        (r"\bsans\s+escompte\b", "without deduction"),
        # "Désignation : création du site" / "Montant : 1 200 €": a form's line, as English labels it.
        (r"(?m)^(\s*)(?:désignation|description|prestation|objet)\s*:\s*", r"\1Description: "),
        (r"(?m)^(\s*)(?:montant|prix)\s*:\s*(?=\S*\d)", r"\1Amount: "),
        # "Client : Hôtel Mer", "Destinataire : ...", "Facturer à : ...": the buyer's label.
        (r"(?m)^(\s*)(?:client|cliente|destinataire|facturer\s+à)\s*:\s*", r"\1Client: "),
        # "numéro de facture 2026-017", "n° de devis 17": the document's number.
        (r"\b(?:num[ée]ro|n[º°]\.?)\s+de\s+(?:facture|devis|reçu|commande)\s*:?\s*(?=[\w/-]*\d)", "#"),
        # "votre commande n° 4521", "votre bon de commande 4521": the client's own order, as a reference.
        (r"\b(?:votre|vos)\s+(?=commande|bon\s+de\s+commande|référence)", ""),
        # "TVA intracommunautaire FR12345678901", "n° TVA intra FR...": the buyer's VAT number.
        (
            r"\b(?:n[°º]\s*(?:de\s+)?|numéro\s+(?:de\s+)?)?TVA\s+intra(?:communautaire)?\s*:?\s*(?=[A-Z]{2}\s?\d)",
            "VAT number ",
        ),
        # "escompte de 2 % pour paiement sous 10 jours": a payment term, never taken off; without the
        # days, a discount for early payment.
        (
            r"\bescompte\s+de\s+(\d+(?:\.\d+)?%)\s+(?:pour|en\s+cas\s+de)\s+(?:paiement|règlement)\s+(?:sous|à|dans\s+les|en)\s+(\d+)\s+jours",
            r"\1 discount if paid within \2 days",
        ),
        (r"\bescompte\s+de\s+(\d+(?:\.\d+)?%)", r"\1 discount for early payment"),
        # "livraison gratuite", "frais de port offerts": free shipping.
        (
            r"\b(?:livraison\s+(?:gratuite|offerte)|frais\s+de\s+port\s+(?:offerts|gratuits)|port\s+(?:offert|gratuit))\b",
            "free shipping",
        ),
        # "limpieza en enero de 2026", "Reinigung im Jänner 2026": the month the work was in, as English
        # says it (the word stayed in the description: "Limpieza en").
        (rf"\ben\s+(?=(?:{MONTH_NAMES})\b)", "in "),
        # "n° 4521", "nº 4521": a number sign, never a quantity or a price.
        (r"\bn[º°]\.?\s*(?=\d)", "#"),
        # A greeting, then "il me faut / j'ai besoin d' / tu peux me faire une facture ...": the request.
        (r"^\s*(?:bonjour|bonsoir|salut|coucou)\b[\s,.!]*", ""),
        (
            r"^\s*(?:il\s+me\s+faut|il\s+nous\s+faut|j['’]ai\s+besoin\s+d['’]|je\s+voudrais|j['’]aimerais|"
            r"(?:tu\s+peux|peux-tu|pouvez-vous|vous\s+pouvez|pourrais-tu|pourriez-vous)\s+(?:me\s+|nous\s+)?(?:faire|préparer|établir))\s*"
            r"(?=(?:une?|nouveau|nouvelle)\s+(?:facture|devis|re[çc]u|bon\s+de\s+commande))",
            "",
        ),
        # "je dois facturer la Clinique Soleil : ...": an invoice for them.
        (
            r"^\s*(?:je\s+dois|il\s+faut|je\s+veux|je\s+voudrais)\s+facturer\s+(?:la\s+|le\s+|les\s+|l['’]\s*)?",
            "I need to invoice ",
        ),
        # First-person prose, as English says it: "mon client X pour le mois dernier", "j'ai travaillé
        # 32 heures sur la refonte", "ils me doivent aussi 120 € de licences".
        (r"(\bpour\s+)(?:mon|notre)\s+client\s+", r"\1client "),
        (r"\b(?:mon|notre)\s+client\s+", "my client "),
        (r"\s+pour\s+le\s+mois\s+dernier\b", " for last month"),
        (
            r"\bj['’]ai\s+(?:travaillé|passé|fait)\s+(\d+(?:[.,]\d+)?)\s+(heures?|jours?)\s+(?:sur|à|pour)\s+",
            r"I worked \1 \2 on ",
        ),
        (
            r"\bils?\s+me\s+doivent\s+(?:aussi\s+|également\s+|encore\s+)?(\d[\d.,]*\s*(?:€|\$|(?-i:[A-Z]{3})\b)?)\s+(?:de|d['’]|pour)\s*",
            r"they also owe me \1 for ",
        ),
        # "une demi-heure ... à 30 € de l'heure", "une heure et demie", "une demi-journée ... à 600 € la
        # journée": a fraction of the unit its rate is per (it was one hour, one day: a wrong total).
        (rf"\b(?:une\s+)?demi-heure\b{_PER_HOUR}", "0.5 heures"),
        (rf"\b(?:une\s+)?heure\s+et\s+demie\b{_PER_HOUR}", "1.5 heures"),
        (rf"\b(\d+)\s+heures?\s+et\s+demie\b{_PER_HOUR}", r"\1.5 heures"),
        (rf"\b(?:une\s+)?demi-journée\b{_PER_DAY}", "0.5 jours"),
        # "Reçu de M. Dupont la somme de 300 € pour le loyer de mars": a receipt for them, the thing and
        # its amount (the words became the buyer's name).
        (
            rf"^\s*(?:reçu\s*:\s*)?(?:reçu|j['’]ai\s+reçu|nous\s+avons\s+reçu)\s+de\s+(.+?)\s+(?:la\s+somme\s+de\s+)?({_MONEY_MARKED})\s+"
            r"(?:pour|au\s+titre\s+d[eu']|en\s+paiement\s+d[eu'])\s*(?:le\s+|la\s+|les\s+|l['’])?([^,;\n]+)",
            r"Reçu pour \1 : \3 \2",
        ),
        # ", en espèces", ", par carte" ending a receipt: how it was paid.
        (r",\s*(?:en\s+espèces|en\s+liquide|cash)\s*[.!]*$", ", paid cash"),
        (r",\s*par\s+carte(?:\s+bancaire)?\s*[.!]*$", ", paid by card"),
        # Before the kind: "maintenant un nouveau devis ..." is "now a new quote ...".
        # "fais une facture ...", "peux-tu me préparer un devis": the asking verb before the kind.
        (
            r"^\s*(?:(?:peux-tu|pouvez-vous|tu\s+peux|vous\s+pouvez)\s+(?:me\s+|nous\s+)?)?(?:fais|faites|faire|"
            r"prépare[rz]?|établi(?:s|ssez|r)|crée[rz]?|rédige[rz]?)(?:-moi|-nous)?\s+(?:moi\s+)?(?=(?:une?|nouveau|nouvelle)\s)",
            "",
        ),
        (r"^\s*(?:et\s+)?maintenant\s*,?\s+", "now "),
        (r"^(now\s+)?(?:une?\s+)?(?:nouveau|nouvelle|autre)\s+", r"\1a new "),
        (r"^(now\s+)?(?:une?)\s+(?=(?:facture|devis|re[çc]u|bon\s+de\s+commande))", r"\1a "),
        (r"^(\s*(?:now\s+)?(?:a\s+)?(?:new\s+)?)bon\s+de\s+commande\b", r"\1Purchase order"),
        # "Bon de commande chez Encres du Sud": the supplier the order goes to.
        (r"^(\s*(?:now\s+)?(?:a\s+)?(?:new\s+)?Purchase\s+order)\s+(?:chez|auprès\s+de)\s+", r"\1 to "),
        (r"^(\s*(?:now\s+)?(?:a\s+)?(?:new\s+)?)(?:devis|offre)\b", r"\1Quote"),
        # "Facture pro forma pour ...": an invoice (the words were read as the buyer).
        (r"^(\s*(?:now\s+)?(?:a\s+)?(?:new\s+)?facture)\s+pro[\s-]?forma\b", r"\1"),
        (r"^(\s*(?:now\s+)?(?:a\s+)?(?:new\s+)?)re[çc]u\b", r"\1Receipt"),
        (r"^(\s*(?:now\s+)?(?:a\s+)?(?:new\s+)?)facture\b", r"\1Invoice"),
        (r"\s+:\s*", ": "),
        # "Facture au nom de Julie Petit", "450 € pour ..., facture au nom de Julie Petit": whom it is for.
        (
            r"^(\s*(?:now\s+)?(?:a\s+|another\s+)?(?:new\s+)?(?:Invoice|Quote|Receipt|Purchase\s+order))\s+au\s+nom\s+de\s+",
            r"\1 to ",
        ),
        (
            r"(?<=[,;.]\s)(?:la\s+)?facture\s+(?:au\s+nom\s+de|pour|à)\s+(?=(?-i:[A-ZÀÂÉÈÊÎÔÛÇ]))",
            "invoice to ",
        ),
        (r"\$\s*CA\b", "CAD"),
        (r"\b(?:TTC|toutes\s+taxes\s+comprises)\b", "including tax"),
        # Edits, before "a 4" is read as a price.
        # "transforme-la en devis", "fais-en un reçu": another kind of document.
        (
            r"^\s*(?:transforme[sz]?(?:-la|-le)?|change[sz]?(?:-la|-le)?|convertis(?:-la|-le)?|fais-en|passe[sz]?(?:-la|-le)?)\s+(?:en\s+)?(?:une?\s+)?"
            r"(devis|reçu|recu|facture|bon\s+de\s+commande)\s*(?:plutôt)?\s*[.!]*$",
            r"make it a \1",
        ),
        (r"^(make it a )devis$", r"\1quote"),
        (r"^(make it a )re[çc]u$", r"\1receipt"),
        (r"^(make it a )facture$", r"\1invoice"),
        (r"^(make it a )bon\s+de\s+commande$", r"\1purchase order"),
        # "en francs suisses", "passe en dollars": the document's currency (amounts kept).
        (
            r"^\s*(?:(?:passe[sz]?|mets|mettez)\s+(?:-la\s+|-le\s+)?)?en\s+(dollars\s+canadiens|dollars|euros|livres(?:\s+sterling)?|francs\s+suisses)\s*(?:plutôt)?\s*[.!]*$",
            r"make it \1",
        ),
        (r"^(make it )dollars\s+canadiens$", r"\1CAD"),
        (r"^(make it )dollars$", r"\1USD"),
        (r"^(make it )euros$", r"\1EUR"),
        (r"^(make it )livres(?:\s+sterling)?$", r"\1GBP"),
        (r"^(make it )francs\s+suisses$", r"\1CHF"),
        # "le client est Hôtel Mer", "facture plutôt à Hôtel Mer": another buyer.
        (r"^\s*(?:le\s+client\s+(?:est|sera)|facture\s+plutôt\s+(?:à|pour))\s+", "change the client to "),
        (r"^\s*(?:annuler|annule(?:\s+ça)?|défaire|défais\s+ça)\s*[.!]*$", "undo"),
        (r"^\s*c['’](?:était|est)\s+", "it was "),
        (r",?\s+(?:et\s+)?pas\s+(\d)", r", not \1"),
        (r"^\s*(?:mets|fais)-en\s+(\d)", r"make that \1"),
        (r"^\s*pas\s+de\s+(tva|tps|tvq)\s+sur\s+(?:les\s+|la\s+|le\s+|l['’]\s*)?", r"no \1 on the "),
        (r"^\s*(?:change|remplace)\s+le\s+client\s+(?:par|en|pour)\s+", "change the client to "),
        # "ajoute aussi la livraison, 50 €": the words before what is added are not its name.
        (
            r"^\s*(?:r?ajoute|r?ajouter|r?ajoutez)\s+(?:aussi\s+|également\s+|encore\s+)?(?:le|la|les)\s+",
            "add the ",
        ),
        (r"^\s*(?:r?ajoute|r?ajouter|r?ajoutez)\s+(?:aussi|également|encore)\b", "add"),
        (r"^\s*(?:r?ajoute|r?ajouter|r?ajoutez)\b", "add"),
        # "une douzaine de stylos à 1,20 € pièce": twelve of them (not when priced "la douzaine").
        (r"\bune\s+douzaine\s+(?:de\s+|d['’]\s*)(?![^,;\n]*\bla\s+douzaine\b)", "12 "),
        (r"^\s*(?:supprime|retire|enlève|supprimez)\s+la\s+ligne\b", "remove line"),
        (r"^\s*(?:supprime|retire|enlève|supprimez)\s+(?:(?:le|la|les)\b|l['’])", "remove the "),
        (r"^\s*(?:supprime|retire|enlève|supprimez)\b", "remove"),
        # "les chaises sont à 90 €", "les chaises coûtent 90 € pièce": that line's price.
        (
            rf"^\s*(?:les|la|le|l['’])\s*(.+?)\s+(?:sont|est|coûtent|coûte|font|fait)\s+(?:à\s+|de\s+)?({_MONEY_MARKED})"
            r"(?:\s+(?:pièce|l['’]unité|chacune?|par\s+unité))?\s*[.!]*$",
            r"change the price of the \1 to \2",
        ),
        (
            r"^\s*(?:passe|change|mets|modifie)\s+le\s+prix\s+(?:des|du|de\s+la|de\s+l['’])\s*(.+?)\s+à\s+(\d)",
            r"change the price of the \1 to \2",
        ),
        (
            r"^\s*le\s+prix\s+(?:des|du|de\s+la|de\s+l['’])\s*(.+?)\s+(?:passe\s+)?(?:à|est\s+de)\s+(\d)",
            r"change the price of the \1 to \2",
        ),
        (
            rf"^\s*(?:passe|change|mets|modifie)\s+(?:les|la|le|l['’])\s*(.+?)\s+(?:à|au)\s+({_MONEY_MARKED})",
            r"change the price of the \1 to \2",
        ),
        (
            r"^\s*(?:passe|change|mets|modifie)\s+(?:les|la|le|l['’])\s*(.+?)\s+(?:à|au)\s+(\d)",
            r"change the \1 to \2",
        ),
        (r"\b(\d+)\s+([^\W\d_]+)\s+de\s+plus\b", r"\1 more \2"),
        # Swiss francs written "Fr. 1200" or "1200 Fr.".
        (r"\bFr\.\s*(?=\d)", "CHF "),
        (r"(\d)\s*Fr\.?(?![\w.])", r"\1 CHF"),
        # Dates and terms.
        # "bon de commande n° 4521": the order's number is the reference, never a price.
        (r"\b(?:bon\s+de\s+commande|commande)\s*(?:\#|num[ée]ro)?\s*:?\s*(?=\d)", "order # "),
        (
            r"\b(?:échéance|à\s+régler|payable)\s+(?:le\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s+de\s+la\s+semaine\s+prochaine",
            r"due next \1",
        ),
        (
            r"\b(?:échéance|à\s+régler|payable)\s+(?:à|sous|dans)\s+(\d+)\s+jours(?:\s+nets?)?",
            r"due in \1 days",
        ),
        # "paiement à 30 jours", "règlement sous 30 jours", "30 jours net": payment terms, never a price.
        (
            r"\b(?:paiement|règlement|reglement)\s+(?:à|a|sous|dans|en)\s+(\d+)\s+jours(?:\s+nets?)?",
            r"payment in \1 days",
        ),
        (r"\b(\d+)\s+jours\s+nets?\b", r"net \1"),
        (r"\bnet\s+(\d+)\s+jours\b", r"net \1"),
        (r"\b(?:échéance|à\s+régler|payable)\s+(?:à|sous|dans)\s+(\d+)\s+semaines?", r"due in \1 weeks"),
        (
            r"\b(?:échéance|à\s+régler|payable)\s+(?:(?:à\s+la|en)\s+)?fin\s+(?:du|de)\s+mois",
            "due end of month",
        ),
        (r"\bdate\s+d['’]\s*échéance\s*:?\s*(?:le\s+|au\s+)?", "due "),
        (
            r"\b(?:échéance|à\s+régler|à\s+payer|payable|payer)\s*:?\s+(?:le|avant\s+le|au|d'ici\s+le)\s+",
            "due ",
        ),
        # "date de facture 1er mars 2026", "facture du 1er mars", "émise le ...": the issue date.
        (
            rf"\b(?:date\s+de\s+(?:la\s+)?facture|date\s+d['’]émission|émise\s+le|datée\s+du)\s*:?\s+(?:le\s+|du\s+)?(?=(?:{MONTH_NAMES})\b)",
            "dated ",
        ),
        # "validité 30 jours", "validité : jusqu'au 30 avril": the quote's validity.
        (r"\bvalidité\s*:?\s+(?:de\s+)?(?=\d+\s+jours)", "valable "),
        (r"\bvalidité\s*:?\s+jusqu['’]au\s+", "valid until "),
        # "livrer à notre entrepôt de Lyon avant le 20 mars": where, then when (a "Deliver to" note).
        (
            r"\b(?:à\s+)?livrer\s+(?:à|au|chez)\s+([^,\n]+?)\s+(?:avant\s+le|le|pour\s+le|d['’]ici\s+le)\s+",
            r"deliver to \1 by ",
        ),
        # "Bon de commande pour le fournisseur Papeterie Lenoir": the supplier's name, without the word.
        (r"\b(?:le\s+)?fournisseur\s*:?\s+(?=(?-i:[A-ZÀÂÉÈÊÎÔÛÇ]))", ""),
        # "livraison prévue le 20 mars", "à livrer le 20 mars", "livrer avant le 20 mars": the delivery date.
        (
            r"\b(?:livraison\s+(?:prévue|souhaitée|demandée)|(?:à\s+)?livrer)\s+(?:le|avant\s+le|pour\s+le|d['’]ici\s+le)\s+",
            "delivery on ",
        ),
        (r"\béchéance\s*:?\s+(?=[A-Z0-9])", "due "),
        # "livraison mardi de la semaine prochaine": the weekday of next week, however it is led.
        (
            r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s+de\s+la\s+semaine\s+prochaine\b",
            r"next \1",
        ),
        (r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s+prochain\b", r"next \1"),
        # "devis valable 30 jours", "offre valable jusqu'au ...": the document's validity, not a line.
        (r"(^|[,;\n]\s*)(?:le\s+)?(?:devis|offre)\s+(?=valable)", r"\1"),
        (r"\bvalable\s+jusqu['’]au\s+", "valid until "),
        (r"\bvalable\s+jusqu['’](?:à|a)\s+", "valid until "),
        # "fin avril", "la fin du mois": the month's last day, as English says it.
        (rf"\b(?:la\s+)?fin\s+(?:d['’]\s*)?(?=(?:{MONTH_NAMES})\b)", "end of "),
        (r"\b(?:la\s+)?fin\s+(?:du|de\s+ce)\s+mois\b", "end of month"),
        (r"\bvalable\s+(\d+)\s+jours", r"valid for \1 days"),
        # "ajoute la livraison : 45 €": an amount is the shipping; a date is the delivery date.
        (r"\b(?:la\s+)?livraison\s*:?\s*(?=\d+(?:[.,]\d+)?\s*(?:€|\$|(?-i:[A-Z]{3})\b))", "shipping "),
        (r"\b(?:date\s+de\s+)?livraison\s+(?:le|avant\s+le|pour\s+le|:)\s*", "delivery on "),
        # "livraison mardi ...", "livraison next Tuesday": a day right after the word.
        (
            r"\b(?:date\s+de\s+)?livraison\s+(?=(?:next\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b)",
            "delivery on ",
        ),
        (r"\bpériode(?:\s+de\s+prestation)?\s*:?\s+(?:du\s+|de\s+)?", "service period "),
        # "prestation du 1er au 15 mars", "du 1er au 15 mars": the service period.
        (
            r"\b(?:prestations?\s+)?du\s+(?=(?:January|February|March|April|May|June|July|August|September|October|November|December)\b)",
            "service period ",
        ),
        # Payment on receipts.
        # "il a payé", "elle a réglé par carte": who paid, as English says it.
        (r"\b(il|elle|ils|elles|le\s+client|la\s+cliente)\s+(?:a|ont)\s+(?=(?:payé|réglé)\b)", r"\1 "),
        # "acompte de 50 € payé par carte", "a versé un acompte de 50 € en espèces": a deposit paid,
        # never a line (it was a line "Acompte de" on top of the total, a wrong total).
        (
            rf"\b(?:(?:a\s+)?(?:payé|réglé|versé|laissé)\s+)?(?:un\s+)?(?:acompte|arrhes|avance)\s+(?:de\s+)?({_MONEY_MARKED})\s+"
            r"(?:payée?s?\s+|réglée?s?\s+|versée?s?\s+)?(?=par\s+carte|par\s+chèque|par\s+virement|en\s+espèces|en\s+liquide|cash\b)",
            r"paid \1 deposit ",
        ),
        (r"(\bdeposit)\s+par\s+carte(?:\s+bancaire)?\b", r"\1 by card"),
        (r"(\bdeposit)\s+par\s+chèque\b", r"\1 by cheque"),
        (r"(\bdeposit)\s+par\s+virement\b", r"\1 by bank transfer"),
        (r"(\bdeposit)\s+(?:en\s+espèces|en\s+liquide|cash)\b", r"\1 in cash"),
        # "a payé 20 € en espèces": part of the total paid.
        (
            rf"\b(?:a\s+)?(?:payé|réglé|versé)\s+({_MONEY_MARKED})\s+en\s+(?:espèces|liquide)",
            r"paid \1 in cash",
        ),
        (rf"\b(?:a\s+)?(?:payé|réglé|versé)\s+({_MONEY_MARKED})\s+par\s+carte", r"paid \1 by card"),
        (rf"\b(?:a\s+)?(?:payé|réglé|versé)\s+({_MONEY_MARKED})\s+par\s+chèque", r"paid \1 by cheque"),
        (
            rf"\b(?:a\s+)?(?:payé|réglé|versé)\s+({_MONEY_MARKED})\s+par\s+virement",
            r"paid \1 by bank transfer",
        ),
        (rf"\b(?:a\s+)?(?:payé|réglé|versé)\s+({_MONEY_MARKED})", r"paid \1"),
        (r"\b(?:payée?|réglée?)\s+(?:par|en)\s+(?:carte(?:\s+bancaire|\s+bleue)?|cb)\b", "paid by card"),
        (r"\b(?:payée?|réglée?)\s+(?:en\s+espèces|en\s+liquide|cash)", "paid cash"),
        (r"\b(?:payée?|réglée?)\s+par\s+virement", "paid by bank transfer"),
        (r"\b(?:payée?|réglée?)\s+par\s+chèque", "paid by cheque"),
        (r"\b(?:payée?|réglée?)\s+par\b", "paid by"),
        (r"\bpayée?\b", "paid"),
        # "acompte de 30 % sur 4 000 €", "30 % d'acompte sur 4 000 €": that share is the line (it was
        # a line of 4 000: a wrong total).
        (
            r"\b(?:un\s+)?acompte\s+de\s+(\d+(?:\.\d+)?%)\s+(?:sur|de)\s+(?:la\s+|le\s+|l['’]\s*)?",
            r"\1 deposit on ",
        ),
        (r"(\d+(?:\.\d+)?%)\s+d['’]acompte\s+(?:sur|de)\s+(?:la\s+|le\s+|l['’]\s*)?", r"\1 deposit on "),
        # Paid before or taken away: "acompte de 500 € reçu", "déjà payé 500 €", "moins 100 €".
        (
            r"\b(?:acompte|avance|arrhes)\s+(?:de\s+)?(\d[\d.]*\s*(?:€|\$|[A-Z]{3})?)\s+(?:reçue?s?|versée?s?|payée?s?|encaissée?s?)",
            r"deposit \1 received",
        ),
        (r"\bdéjà\s+(?:payée?s?|réglée?s?|versée?s?|paid)\b", "already paid"),
        (
            r"\b(?:paiement|règlement)\s+en\s+(\d+)\s+(?:fois|versements|échéances|mensualités)\b",
            r"payment in \1 installments",
        ),
        (r"\bmoins\b", "minus"),
        (r"\bremboursement\b", "refund"),
        (r"\bplafonnée?\s+à\b", "cap at"),
        # Discounts, taxes, shipping, exempt lines.
        # "remise de 1 jour": time off, asked about (never a discount of 1).
        (
            r"\b(?:avec\s+)?(?:une\s+)?(?:remise|rabais|réduction)\s+d['’]?(?:e\s+)?(\d+)\s+jours?\b",
            r"with \1 days off",
        ),
        (r"\b(?:avec\s+)?(\d+)\s+jours?\s+(?:offerts?|gratuits?)\b", r"with \1 days off"),
        # "remise", "rabais" (Québec), "réduction": a discount.
        (rf"\bavec\s+(?:une?\s+)?(?:remise|rabais|réduction)\s+de\s+({_N}%|{_MONEY_MARKED})", r"with \1 off"),
        (rf"\b(?:remise|rabais|réduction)\s+de\s+({_N}%|{_MONEY_MARKED})", r"\1 discount"),
        (rf"\b({_N})%\s+de\s+(?:remise|rabais|réduction)", r"\1% discount"),
        # "(remise 10 %)", "(remise : 10 %)": a discount said of its line.
        (rf"\b(?:remise|rabais|réduction)\s*:?\s+({_N}%)", r"\1 discount"),
        # "entre 300 et 400 €": a range of prices, asked which (its 400 was asked about).
        (r"\bentre\s+(\d[\d.]*\s*(?:€|\$|(?-i:[A-Z]{3})\b)?)\s+et\s+(?=\d)", r"\1 or "),
        # "850 € ou 990 € avec ...": two prices, one or the other (asked, never added up).
        (r"(\d(?:\s*(?:€|\$|(?-i:[A-Z]{3})\b))?)\s+ou\s+(?=\d)", r"\1 or "),
        (r"\((?:(?:exonérée?s?|exemptes?)\s+de|sans)\s+tva\)", "(tax-exempt)"),
        (r"\b(?:exonérée?s?|exemptes?)\s+de\s+tva\b", "tax-exempt"),
        # "frais de déplacement 30 € non soumis à TVA": outside VAT, said of its line (it was taxed,
        # a wrong total).
        (r"\b(?:non\s+soumise?s?|non\s+assujettie?s?)\s+(?:à|a)\s+(?:la\s+)?tva\b", "tax-exempt"),
        (r"\b(?:des\s+)?frais\s+de\s+(?:port|livraison)(?:\s+de(?=\s+\d))?\b", "shipping"),
        (r"(\d)\s+ou\s+(?=\d)", r"\1 or "),
        (r"\b(tps|tvq|tva)\s+(\d)", r"\1 \2"),
        # "(TVA non comprise)", "TVA en sus": a tax to add whose rate was not said (asked).
        (r"\(?\s*(tva)\s+(?:non\s+comprise?|en\s+sus)\s*\)?", r"plus \1"),
        (r"\bet\s+(tps|tvq|tva)\b", r"and \1"),
        # "pose de 6 fenêtres à 420 € pièce": a count inside what is sold, priced each ("6 x pose de
        # fenêtres"; the count was read as the unit "fenêtres" of a line "Pose de").
        (
            r"(^|[,:;\n][ \t]*)([^\W\d_][^\d,:;\n]*?[ \t]+(?:de|d['’]))[ \t]*(\d+)[ \t]+([^\W\d_]+[sx])[ \t]+(?=à\s)",
            r"\1\3 x \2 \4 ",
        ),
        # "à CHF 150", "je EUR 95": the code after the amount, as the price rules read it.
        (r"(\bà)\s+(?-i:([A-Z]{3}))\s*(\d(?:[\d'’.,]*\d)?)", r"\1 \3 \2"),
        # Prices: "à 120 €", "à 75 CAD l'heure", "à 4,50 € l'unité".
        (
            rf"\bà\s+({_MONEY})\s*(?:l['’]heure|de\s+l['’]heure|par\s+heure|/\s*h(?:eure)?)(?!\w)",
            r"at \1 per hour",
        ),
        (rf"\bà\s+({_MONEY})\s*(?:le\s+jour|par\s+jour|/\s*jour)\b", r"at \1 per day"),
        (rf"\bà\s+({_MONEY})\s*(?:l['’]unité|pièce|chacune?|par\s+unité)", r"at \1 each"),
        (rf"\bà\s+({_MONEY})", r"at \1"),
        # "3 nuits a 90 euros": the accent left out, with a currency it is still a price.
        (r"(?<=\d\s)([^\W\d_]+\s+)a\s+(\d+(?:\.\d+)?\s*(?:€|euros?\b|EUR\b))", r"\1at \2"),
        # "taux horaire 95 €", "tarif journalier 800 €": the rate, as English says it.
        (r"\b(?:taux|tarif)\s+horaire\s*:?\s*", "hourly rate "),
        (r"\b(?:taux|tarif)\s+(?:journalier|à\s+la\s+journée)\s*:?\s*", "day rate "),
        # "80 € de l'heure", "600 € par jour" (an answer with its rate): per hour, per day.
        (
            rf"({_MONEY_MARKED})\s*(?:de\s+l['’]heure|l['’]heure|par\s+heure|/\s*h(?:eure)?)(?!\w)",
            r"\1 per hour",
        ),
        (rf"({_MONEY_MARKED})\s*(?:par\s+jour|le\s+jour|/\s*jour)\b", r"\1 per day"),
        # "4 pneus de 80 €": a count of things priced each (the "de" stayed in the description).
        (
            rf"\b(\d+\s+[^\W\d_]+)\s+de\s+((?:\$\s?)?{_MONEY_MARKED})(?!\s*(?:de\s+(?:descuento|remise)|discount|off)\b)",
            r"\1 at \2",
        ),
        # "1 250 € de conseil": an amount "of" what is sold.
        (rf"\b({_MONEY_MARKED})\s+(?:de\s+|d['’]\s*)(?=[^\W\d_])", r"\1 of "),
        # "8 heures de main-d'œuvre": the quantity, its unit and "of" the description.
        (
            # Only a word that counts or measures ("10 cartouches d'encre" are ink cartridges).
            rf"\b({_N}\s*(?:h|hrs?)\.?|{_N}\s+(?:heures?|pots?|tubes?|seaux?|bidons?|jours?|journées?|semaines?|mois|nuits?|séances?|cours|visites?|passages?|boîtes?|"
            r"sacs?|paquets?|bouteilles?|cartons?|rouleaux?|feuilles?|pages?|mots|personnes?|litres?|kilos?|kg|mètres?|m2|m²|m|km|cm|g|l|ml|"
            r"unités?|pièces?|palettes?|lots?|paires?|douzaines?|tonnes?))\s+(?:de|d['’])\s*",
            r"\1 of ",
        ),
        (r"\bheures?\b", "hours"),
        # "cours de guitare, 4 séances à 35 €": what a service is counted in, as English says it
        # (the count then counts the unpriced line before; its price was asked).
        (r"(?=\d)(?<!\bde )(?<!\bd’)(?<!\bd')\b(\d+\s*)séances?\b", r"\1sessions"),
        (r"(?=\d)(?<!\bde )(?<!\bd’)(?<!\bd')\b(\d+\s*)visites\b", r"\1visits"),
        (r"\bmots\b", "words"),
        (r"(\d\s+words\s+at\s+\S+(?:\s*€)?)\s+le\s+mot\b", r"\1 per word"),
        (r"\bjours?\b", "days"),
        # Connectives.
        (
            r"^((?:now\s+)?(?:a\s+|another\s+)?(?:new\s+)?(?:Invoice|Quote|Receipt|Purchase\s+order)(?:\s+\#\s*[\w/-]+)?)\s+à\s+",
            r"\1 to ",
        ),
        # An answer naming the buyer: "à Hôtel Soleil", "à l'Hôtel Soleil".
        (
            r"^\s*(?:à|a)\s+(?:l['’]\s*)?(?!(?:Invoice|Quote|Receipt|Purchase\s+order)\b)(?=(?-i:[A-ZÀÂÉÈÊÎÔÛÇ]))",
            "to ",
        ),
        (r"\bpour\s+(?:(?:la|le|les)\s+|l['’]\s*)", "for "),
        (r"\bpour\b", "for"),
        # "le ménage et la blanchisserie": the article after "et" as English says it ("and the").
        (r"\bet\s+(?:le\s+|la\s+|les\s+|l['’]\s*)", "and the "),
        (r"\bet\b", "and"),
        (r"(?<!['’])\b(?:un|une)\b", "a"),
    ),
    units={
        "hour": ("heure", "heures"),
        "hours": ("heure", "heures"),
        "day": ("jour", "jours"),
        "days": ("jour", "jours"),
        "week": ("semaine", "semaines"),
        "weeks": ("semaine", "semaines"),
        "month": ("mois", "mois"),
        "months": ("mois", "mois"),
        "word": ("mot", "mots"),
        "session": ("séance", "séances"),
        "sessions": ("séance", "séances"),
        "visit": ("visite", "visites"),
        "visits": ("visite", "visites"),
        "words": ("mot", "mots"),
    },
    replies=(
        # Credit notes, e-invoices and the accounting question (languages/document_replies.py):
        # whole sentences, before the patterns for words that would change them.
        *document_replies.FRENCH,
        (r"(the total for the \S+) hours\b", r"\1 heures"),
        (r"(the total for the \S+) days\b", r"\1 jours"),
        (r"(or the price per) hour\?", r"\1 heure?"),
        (r"(or the price per) day\?", r"\1 jour?"),
        (r"(the total or per) hour\?", r"\1 heure?"),
        (r"(the total or per) day\?", r"\1 jour?"),
        (
            r"Is (\S+) the total for the (\S+) (\w+) of (.+?), or the price per (\w+)\?",
            r"\1 est-il le total pour les \2 \3 de « \4 », ou le prix par \5 ?",
        ),
        (
            r"Is the price of the (.+?) the total or per (\w+)\?",
            r"Le prix de « \1 » est-il le total ou par \2 ?",
        ),
        (
            r"What is the quantity of “(.+?)”(?: at (\S+))?\? Answer with a number.*$",
            r"Quelle est la quantité de « \1 » ? Répondez par un nombre.",
        ),
        (
            r"Is (\S+) the price of the (\S+) (\S+) of (.+?), or per (\S+)\?",
            r"\1 est-il le prix des \2 \3 de « \4 », ou par \5 ?",
        ),
        (
            r"How should “(.+?)” change the total\?.*$",
            r"Comment « \1 » doit-il changer le total ? Dites-le comme une remise (par exemple « remise de 50 € » ou « remise de 10 % »), ou dites « non ».",
        ),
        (r"“(\d+(?:\.\d+)?) hours? of (.+?)”, or per hour\?", r"“\1 heures de \2”, or per heure?"),
        (r"“(\d+(?:\.\d+)?) days? of (.+?)”, or per day\?", r"“\1 jours de \2”, or per jour?"),
        (
            r"Is (\S+) the number of (.+?), or part of the name “(.+?)”\?",
            r"\1 est-il le nombre de \2, ou une partie du nom « \3 » ?",
        ),
        (
            r"Is (\S+) the price of each “(.+?)”, or per (\w+)\?",
            r"\1 est-il le prix de chaque « \2 », ou par \3 ?",
        ),
        (
            r"Should the (.+?) cost (\S+) instead of (\S+), or is it a new line\?.*$",
            r"« \1 » doit-il coûter \2 au lieu de \3, ou est-ce une nouvelle ligne ?",
        ),
        (r"“(\d+) days? off”", r"“remise de \1 jour(s)”"),
        (
            r"How much should “(.+?)” take off: an amount \(for example “500 off”\) or a percentage \(“10% off”\)\?",
            r"Combien « \1 » doit-il retirer : un montant (par exemple « remise de 500 ») ou un pourcentage (« remise de 10 % ») ?",
        ),
        (
            r"Is (\S+) the quantity or the price of the (.+?)\? It is (\S+) at (\S+) now\.",
            r"\1 est-il la quantité ou le prix de « \2 » ? C\'est \3 à \4 actuellement.",
        ),
        (
            r"Which line should change to (\S+), and is \S+ its quantity or its price\?.*$",
            r"Quelle ligne doit passer à \1, et \1 est-il sa quantité ou son prix ? Par exemple : « passe la quantité de la ligne 1 à \1 ».",
        ),
        (
            r"\bdelivery date (\d{4}-\d\d-\d\d)",
            r"date de livraison \1",
        ),
        (
            r"\bservice period (\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)",
            r"période du \1 au \2",
        ),
        (
            r"Note: prices that include tax are not supported: [^.]*\.",
            "Remarque : les prix TTC ne sont pas pris en charge ; les montants sont pris hors taxe et aucune taxe n'a été ajoutée.",
        ),
        (r"line (\d+) \((.+?)\) is now tax exempt", r"« \2 » est désormais exonéré de taxe"),
        (r"What tax rate should I apply\?", "Quel taux de taxe dois-je appliquer ?"),
        (r"What rate of (.+?) should I apply\?", r"Quel taux de \1 dois-je appliquer ?"),
        (r"Which price for the (.+?): (.+?) or (.+?)\?", r"Quel prix pour « \1 » : \2 ou \3 ?"),
        (r"What are the (\S+) × (\S+) for\?", r"À quoi correspondent les \1 × \2 ?"),
        (r"What are the (\S+) hours? for\?", r"À quoi correspondent les \1 heures ?"),
        (r"What are the (\S+) days? for\?", r"À quoi correspondent les \1 jours ?"),
        (r"What are the (\S+) (\S+) for\?", r"À quoi correspondent les \1 \2 ?"),
        (r"\bI did not understand: (.+)\.$", r"Je n'ai pas compris : \1."),
        (r"^Who should I bill\?", "À qui dois-je facturer ?"),
        (r"^Who is the quote for\?", "Pour qui est le devis ?"),
        (r"^Who is the purchase order for\?", "À qui est destiné le bon de commande ?"),
        (r"What is the price per hour of the (.+?)\?", r"Quel est le prix par heure pour « \1 » ?"),
        (r"What is the price per day of the (.+?)\?", r"Quel est le prix par jour pour « \1 » ?"),
        (r"What is the price per (\w+) of the (.+?)\?", r"Quel est le prix par \1 pour « \2 » ?"),
        (r"What is the unit price of the (.+?)\?", r"Quel est le prix unitaire pour « \1 » ?"),
        (r"What is the price of the (.+?)\?", r"Quel est le prix pour « \1 » ?"),
        (
            r"What should the \w+(?: order)? be for\?",
            "Que dois-je y mettre ? Par exemple : « 10 heures de conseil à 80 € ».",
        ),
        (r"For example: “10 hours of consulting at \$150”\.", ""),
        (r"^Here is your invoice", "Voici votre facture"),
        (r"^Here is your quote", "Voici votre devis"),
        (r"^Here is your receipt", "Voici votre reçu"),
        (r"^Here is your purchase order", "Voici votre bon de commande"),
        (r" for (.+?): (\d+) lines?, total ", r" pour \1 : \2 ligne(s), total "),
        (r": (\d+) lines?, total ", r" : \1 ligne(s), total "),
        (r"\badded a (\S+) discount", r"ajouté une remise de \1"),
        (r"\badded (\d[\d.]*) hours? of (.+?) at ", r"ajouté \1 heures de \2 à "),
        (r"\badded (\d[\d.]*) days? of (.+?) at ", r"ajouté \1 jours de \2 à "),
        (r"\badded ", "ajouté "),
        (r"\bremoved line (\d+)", r"supprimé la ligne \1"),
        (r"\bremoved ", "supprimé "),
        (r"line \d+ \((.+?)\) quantity (\S+) → (\S+)", r"quantité \1 : \2 → \3"),
        (r"(\S+) quantity (\S+) → (\S+)", r"quantité \1 : \2 → \3"),
        (r"(\S+) price (\S+) → (\S+)", r"prix \1 : \2 → \3"),
        (r"\bshipping (\d)", r"frais de port \1"),
        (r"\bdue (\d{4}-\d\d-\d\d)", r"échéance le \1"),
        (r" at (\d)", r" à \1"),
        (r"\bpaid in full\b", "payé intégralement"),
        (r"\bpaid by (\w+)", r"payé par \1"),
        (r"\bnow a quote\b", "c'est maintenant un devis"),
        (r"\bnow a receipt\b", "c'est maintenant un reçu"),
        (r"\bnow an? invoice\b", "c'est maintenant une facture"),
        (r"\bnow a purchase order\b", "c'est maintenant un bon de commande"),
        (
            r"\bcurrency (\S+) → (\S+) \(amounts kept as written, not converted\)",
            r"devise \1 → \2 (montants inchangés, non convertis)",
        ),
        (r"\bbuyer (.+?) → (.+?)\. ", r"client \1 → \2. "),
        (r"\bnote: ", "note : "),
        (
            r"^Which line\? Say “item 2” or part of its description\.",
            "Quelle ligne ? Dites « ligne 2 » ou une partie de sa description.",
        ),
        (r"\b(\S+) off line (\d+) \((.+?)\)", r"remise de \1 sur la ligne \2 (\3)"),
        (
            r"^I didn't understand how to change the [\w ]+? from “(.+?)”\. I understand edits like .*$",
            r"Je n'ai pas compris quoi changer avec « \1 ». Je comprends des modifications comme « ajoute 2 heures "
            r"de conseil à 80 € », « supprime la ligne 2 », « mets la TVA à 10 % », « passe les chaises à 4 », "
            r"« échéance dans 30 jours » ou « annule ».",
        ),
        (r"^Undone: back to the previous version\.", "Annulé : retour à la version précédente."),
        (r"^Done: ", "C'est fait : "),
        (r"New total: ", "Nouveau total : "),
        (r"\bDue (\w+) (\d{4}-\d\d-\d\d)\.", r"Échéance le \2."),
    ),
    payment_methods={"card": "Carte", "cash": "Espèces", "bank transfer": "Virement"},
    descriptions={"Services": "Prestations", "Deposit": "Acompte"},
)
