"""The replies about credit notes and e-invoices (credit_notes.py, einvoice_chat.py) and the
accounting question, in Spanish, German and French: each language's `replies` entries (English
sentence pattern → the language's sentence), kept here so that the language modules stay tables
of how requests are read. The commands quoted are ones `commands.py` understands."""

from __future__ import annotations

_RULES = r"an? (EN 16931|XRechnung|Peppol BIS)"

SPANISH: tuple[tuple[str, str], ...] = (
    (
        r"What should change on the (.+?): its quantity or its price\? Say for example .*$",
        r"¿Qué debe cambiar en «\1»: la cantidad o el precio? Diga por ejemplo «5 \1».",
    ),
    (
        r'Here is a credit note for invoice (.+?) to (.+?): (\d+) lines?, total (.+?)\. Say "finalize it" to give it its number\.',
        r"Aquí tiene una factura rectificativa de la factura \1 para \2: \3 línea(s), total \4. "
        r"Diga «finalízalo» para darle su número.",
    ),
    (r" It is in a new session\.", r" Está en una sesión nueva."),
    (
        r"I found no finalized invoice numbered (\S+) among your documents\. Which invoice should the credit note correct \(its number as printed on it\)\?",
        r"No encontré ninguna factura finalizada con el número \1 entre sus documentos. "
        r"¿Qué factura debe corregir la factura rectificativa (su número tal como está impreso)?",
    ),
    (
        r'Which invoice should the credit note correct\? Please give its number, e\.g\. "credit note for INV-2026-0007"\.',
        r"¿Qué factura debe corregir la factura rectificativa? Indique su número, "
        r"por ejemplo «factura rectificativa de INV-2026-0007».",
    ),
    (
        r"This session's document is a credit note already\. Which invoice should a new one correct\?",
        r"El documento de esta sesión ya es una factura rectificativa. ¿Qué factura debe corregir una nueva?",
    ),
    (
        r"This invoice was received from (.+?): a credit note for it is .+?'s to issue, not yours\. Which of your own invoices should a credit note correct\?",
        r"Esta factura la recibió de \1: emitir una factura rectificativa le corresponde a \1, no a usted. "
        r"¿Qué factura suya debe corregir una factura rectificativa?",
    ),
    (
        r'This invoice is a draft and is not finalized yet, so there is nothing to credit: finalize it first \("finalize it"\), or simply change the draft\.',
        r"Esta factura es un borrador y aún no está finalizada, así que no hay nada que rectificar: "
        r"finalícela primero («finalízalo») o simplemente cambie el borrador.",
    ),
    (
        r"Invoice (\S+) \((.+?)\) is already fully credited(.*?): there is nothing left to refund\.",
        r"La factura \1 (\2) ya está rectificada por completo\3: no queda nada por devolver.",
    ),
    (
        r"Invoice (\S+) totals (.+?) and (.+?) of it is already credited(.*?), so (.+?) is left\.",
        r"La factura \1 suma \2 y \3 ya está rectificado\4, así que quedan \5.",
    ),
    (
        r' A credit note for the whole invoice \((.+?)\) would credit more\. Which part should it refund, e\.g\. "refund 2 hours from (\S+)"\?',
        r" Una factura rectificativa de toda la factura (\1) rectificaría más. ¿Qué parte debe devolver, "
        r"por ejemplo «abono de 2 horas de \2»?",
    ),
    (
        r" This one would refund (.+?)\. How much should it refund\?",
        r" Esta devolvería \1. ¿Cuánto debe devolver?",
    ),
    (
        r"(\S+) is a (.+?), not an invoice: only an invoice can be credited\. Which invoice did you mean\?",
        r"\1 es un documento de tipo «\2», no una factura: solo se puede rectificar una factura. ¿Qué factura quería decir?",
    ),
    (
        r"Which line of (\S+) should the credit note refund (\S+) of\? It lists: (.+)\.$",
        r"¿De qué línea de \1 debe devolver \2 la factura rectificativa? Contiene: \3.",
    ),
    (
        r"(\S+) bills (\S+) of (.+?): a credit note can refund between 0 and that much, not (\S+)\. How much should it refund\?",
        r"\1 factura \2 de \3: una factura rectificativa puede devolver entre 0 y esa cantidad, no \4. "
        r"¿Cuánto debe devolver?",
    ),
    (r" \(credit notes? ([^)]+)\)", r" (factura(s) rectificativa(s) \1)"),
    (
        r"Who is the e-invoice for\? Please tell me the buyer's name\.",
        r"¿Para quién es la factura electrónica? Indíqueme el nombre del comprador.",
    ),
    (r"What is (.+?)'s VAT number\?", r"¿Cuál es el NIF/número de IVA de \1?"),
    (
        r"What is (.+?)'s postal address \(street, postal code, city, country\)\?",
        r"¿Cuál es la dirección postal de \1 (calle, código postal, ciudad, país)?",
    ),
    (
        r"What is (.+?)'s electronic address\? Please give it with its scheme, (e\.g\. .+?), or an e-mail address\.",
        r"¿Cuál es la dirección electrónica de \1? Indíquela con su esquema, \2, o una dirección de correo electrónico.",
    ),
    (
        r"What buyer reference \(e\.g\. the Leitweg-ID\) did (.+?) give you\?",
        r"¿Qué referencia del comprador (por ejemplo, la Leitweg-ID) le dio \1?",
    ),
    (
        r"When is it due\? Please give a due date or payment terms\.",
        r"¿Cuándo vence? Indique una fecha de vencimiento o las condiciones de pago.",
    ),
    (
        r"When were the goods delivered or the service performed\?",
        r"¿Cuándo se entregaron los bienes o se prestó el servicio?",
    ),
    (
        r"Which invoice does this credit note correct\? Please give its number\.",
        r"¿Qué factura corrige esta factura rectificativa? Indique su número.",
    ),
    (
        r"Your business profile lacks what an e-invoice needs from the seller: (.+?)\. Please fill (.+?) in the business profile \(PATCH /api/v1/profile\), then ask again\.",
        r"A su perfil de empresa le falta lo que una factura electrónica necesita del vendedor: \1. "
        r"Complete \2 en el perfil de empresa (PATCH /api/v1/profile) y vuelva a pedirlo.",
    ),
    (
        r"The e-invoice still lacks (.+?)\. Could you tell me\?",
        r"A la factura electrónica todavía le falta \1. ¿Me lo puede decir?",
    ),
    (
        r"There is no document yet: tell me what to invoice first\.",
        r"Todavía no hay ningún documento: dígame primero qué facturar.",
    ),
    (
        rf"The document now has everything {_RULES} e-invoice needs\.",
        r"El documento ya tiene todo lo que necesita una factura electrónica \1.",
    ),
    (r"Saved on the customer too\. ", r"Guardado también en el cliente. "),
    (
        r"Done: (.+?)'s VAT number is on the document\.",
        r"Hecho: el número de IVA de \1 está en el documento.",
    ),
    (
        r"Done: (.+?)'s electronic address is on the document\.",
        r"Hecho: la dirección electrónica de \1 está en el documento.",
    ),
    (
        r"Done: (.+?)'s postal address is on the document\.",
        r"Hecho: la dirección postal de \1 está en el documento.",
    ),
    (
        r"Done: (.+?)'s buyer reference is on the document\.",
        r"Hecho: la referencia del comprador de \1 está en el documento.",
    ),
    (
        r'\(An e-invoice needs it\. Or say "finalize it anyway"\.\)',
        r"(Una factura electrónica lo necesita. O diga «finalízalo de todos modos».)",
    ),
    (
        rf"It has everything {_RULES} e-invoice needs\. Finalize it to give it its number, then download (.+?) or (.+)\.$",
        r"Tiene todo lo que necesita una factura electrónica \1. Finalícela para darle su número "
        r"y luego descargue \2 o \3.",
    ),
    (
        rf"It is {_RULES} e-invoice, complete: download (.+?) or (.+)\.$",
        r"Es una factura electrónica \1 completa: descargue \2 o \3.",
    ),
    (
        r"A (.+?) is not an e-invoice: only invoices and credit notes are sent as e-invoices\.",
        r"Un documento de tipo «\1» no es una factura electrónica: solo las facturas y las facturas "
        r"rectificativas se envían como facturas electrónicas.",
    ),
    (
        r"This document cannot be an e-invoice: (.+)\.$",
        r"Este documento no puede ser una factura electrónica: \1.",
    ),
    (
        r"What is the (\S+) in “(.+?)”: a quantity, a price or something else\? I did not use it, so I have not written the document yet\.",
        r"¿Qué es el \1 en «\2»: una cantidad, un precio u otra cosa? No lo he usado, así que aún no he "
        r"hecho el documento.",
    ),
)

GERMAN: tuple[tuple[str, str], ...] = (
    (
        r"What should change on the (.+?): its quantity or its price\? Say for example .*$",
        r"Was soll sich bei „\1“ ändern: die Menge oder der Preis? Sagen Sie zum Beispiel „5 \1“.",
    ),
    (
        r'Here is a credit note for invoice (.+?) to (.+?): (\d+) lines?, total (.+?)\. Say "finalize it" to give it its number\.',
        r"Hier ist eine Gutschrift zur Rechnung \1 an \2: \3 Position(en), Summe \4. "
        r"Sagen Sie „abschließen“, um ihr ihre Nummer zu geben.",
    ),
    (r" It is in a new session\.", r" Sie ist in einer neuen Sitzung."),
    (
        r"I found no finalized invoice numbered (\S+) among your documents\. Which invoice should the credit note correct \(its number as printed on it\)\?",
        r"Unter Ihren Dokumenten gibt es keine abgeschlossene Rechnung mit der Nummer \1. "
        r"Welche Rechnung soll die Gutschrift korrigieren (ihre Nummer, wie sie aufgedruckt ist)?",
    ),
    (
        r'Which invoice should the credit note correct\? Please give its number, e\.g\. "credit note for INV-2026-0007"\.',
        r"Welche Rechnung soll die Gutschrift korrigieren? Bitte nennen Sie ihre Nummer, "
        r"z. B. „Gutschrift zu INV-2026-0007“.",
    ),
    (
        r"This session's document is a credit note already\. Which invoice should a new one correct\?",
        r"Das Dokument dieser Sitzung ist bereits eine Gutschrift. Welche Rechnung soll eine neue korrigieren?",
    ),
    (
        r"This invoice was received from (.+?): a credit note for it is .+?'s to issue, not yours\. Which of your own invoices should a credit note correct\?",
        r"Diese Rechnung haben Sie von \1 erhalten: eine Gutschrift dazu stellt \1 aus, nicht Sie. "
        r"Welche Ihrer eigenen Rechnungen soll eine Gutschrift korrigieren?",
    ),
    (
        r'This invoice is a draft and is not finalized yet, so there is nothing to credit: finalize it first \("finalize it"\), or simply change the draft\.',
        r"Diese Rechnung ist ein Entwurf und noch nicht abgeschlossen, es gibt also nichts gutzuschreiben: "
        r"schließen Sie sie zuerst ab („abschließen“) oder ändern Sie einfach den Entwurf.",
    ),
    (
        r"Invoice (\S+) \((.+?)\) is already fully credited(.*?): there is nothing left to refund\.",
        r"Die Rechnung \1 (\2) ist bereits vollständig gutgeschrieben\3: es bleibt nichts zu erstatten.",
    ),
    (
        r"Invoice (\S+) totals (.+?) and (.+?) of it is already credited(.*?), so (.+?) is left\.",
        r"Die Rechnung \1 beträgt \2, davon sind \3 bereits gutgeschrieben\4, es bleiben also \5.",
    ),
    (
        r' A credit note for the whole invoice \((.+?)\) would credit more\. Which part should it refund, e\.g\. "refund 2 hours from (\S+)"\?',
        r" Eine Gutschrift über die ganze Rechnung (\1) wäre mehr. Welchen Teil soll sie erstatten, "
        r"z. B. „Gutschrift über 2 Stunden zu \2“?",
    ),
    (
        r" This one would refund (.+?)\. How much should it refund\?",
        r" Diese würde \1 erstatten. Wie viel soll sie erstatten?",
    ),
    (
        r"(\S+) is a (.+?), not an invoice: only an invoice can be credited\. Which invoice did you mean\?",
        r"\1 ist ein Dokument der Art „\2“, keine Rechnung: nur eine Rechnung kann gutgeschrieben werden. "
        r"Welche Rechnung meinten Sie?",
    ),
    (
        r"Which line of (\S+) should the credit note refund (\S+) of\? It lists: (.+)\.$",
        r"Von welcher Position von \1 soll die Gutschrift \2 erstatten? Sie enthält: \3.",
    ),
    (
        r"(\S+) bills (\S+) of (.+?): a credit note can refund between 0 and that much, not (\S+)\. How much should it refund\?",
        r"\1 berechnet \2 von \3: eine Gutschrift kann zwischen 0 und dieser Menge erstatten, nicht \4. "
        r"Wie viel soll sie erstatten?",
    ),
    (r" \(credit notes? ([^)]+)\)", r" (Gutschrift(en) \1)"),
    (
        r"Who is the e-invoice for\? Please tell me the buyer's name\.",
        r"Für wen ist die E-Rechnung? Bitte nennen Sie mir den Namen des Käufers.",
    ),
    (r"What is (.+?)'s VAT number\?", r"Wie lautet die USt-IdNr. von \1?"),
    (
        r"What is (.+?)'s postal address \(street, postal code, city, country\)\?",
        r"Wie lautet die Postanschrift von \1 (Straße, Postleitzahl, Ort, Land)?",
    ),
    (
        r"What is (.+?)'s electronic address\? Please give it with its scheme, (e\.g\. .+?), or an e-mail address\.",
        r"Wie lautet die elektronische Adresse von \1? Bitte mit ihrem Schema, \2, oder eine E-Mail-Adresse.",
    ),
    (
        r"What buyer reference \(e\.g\. the Leitweg-ID\) did (.+?) give you\?",
        r"Welche Käuferreferenz (z. B. die Leitweg-ID) hat \1 Ihnen gegeben?",
    ),
    (
        r"When is it due\? Please give a due date or payment terms\.",
        r"Wann ist sie fällig? Bitte nennen Sie ein Fälligkeitsdatum oder Zahlungsbedingungen.",
    ),
    (
        r"When were the goods delivered or the service performed\?",
        r"Wann wurde die Ware geliefert oder die Leistung erbracht?",
    ),
    (
        r"Which invoice does this credit note correct\? Please give its number\.",
        r"Welche Rechnung korrigiert diese Gutschrift? Bitte nennen Sie ihre Nummer.",
    ),
    (
        r"Your business profile lacks what an e-invoice needs from the seller: (.+?)\. Please fill (.+?) in the business profile \(PATCH /api/v1/profile\), then ask again\.",
        r"Ihrem Firmenprofil fehlt, was eine E-Rechnung vom Verkäufer braucht: \1. "
        r"Bitte füllen Sie \2 im Firmenprofil aus (PATCH /api/v1/profile) und fragen Sie dann erneut.",
    ),
    (
        r"The e-invoice still lacks (.+?)\. Could you tell me\?",
        r"Der E-Rechnung fehlt noch \1. Können Sie es mir sagen?",
    ),
    (
        r"There is no document yet: tell me what to invoice first\.",
        r"Es gibt noch kein Dokument: sagen Sie mir zuerst, was in Rechnung gestellt werden soll.",
    ),
    (
        rf"The document now has everything {_RULES} e-invoice needs\.",
        r"Das Dokument hat jetzt alles, was eine E-Rechnung nach \1 braucht.",
    ),
    (r"Saved on the customer too\. ", r"Auch beim Kunden gespeichert. "),
    (r"Done: (.+?)'s VAT number is on the document\.", r"Erledigt: die USt-IdNr. von \1 steht im Dokument."),
    (
        r"Done: (.+?)'s electronic address is on the document\.",
        r"Erledigt: die elektronische Adresse von \1 steht im Dokument.",
    ),
    (
        r"Done: (.+?)'s postal address is on the document\.",
        r"Erledigt: die Postanschrift von \1 steht im Dokument.",
    ),
    (
        r"Done: (.+?)'s buyer reference is on the document\.",
        r"Erledigt: die Käuferreferenz von \1 steht im Dokument.",
    ),
    (
        r'\(An e-invoice needs it\. Or say "finalize it anyway"\.\)',
        r"(Eine E-Rechnung braucht es. Oder sagen Sie „trotzdem abschließen“.)",
    ),
    (
        rf"It has everything {_RULES} e-invoice needs\. Finalize it to give it its number, then download (.+?) or (.+)\.$",
        r"Es hat alles, was eine E-Rechnung nach \1 braucht. Schließen Sie es ab, um ihm seine Nummer zu "
        r"geben, und laden Sie dann \2 oder \3 herunter.",
    ),
    (
        rf"It is {_RULES} e-invoice, complete: download (.+?) or (.+)\.$",
        r"Es ist eine vollständige E-Rechnung nach \1: laden Sie \2 oder \3 herunter.",
    ),
    (
        r"A (.+?) is not an e-invoice: only invoices and credit notes are sent as e-invoices\.",
        r"Ein Dokument der Art „\1“ ist keine E-Rechnung: nur Rechnungen und Gutschriften werden als "
        r"E-Rechnung versandt.",
    ),
    (r"This document cannot be an e-invoice: (.+)\.$", r"Dieses Dokument kann keine E-Rechnung sein: \1."),
    (
        r"What is the (\S+) in “(.+?)”: a quantity, a price or something else\? I did not use it, so I have not written the document yet\.",
        r"Was ist die \1 in „\2“: eine Menge, ein Preis oder etwas anderes? Ich habe sie nicht verwendet, "
        r"daher habe ich das Dokument noch nicht erstellt.",
    ),
)

FRENCH: tuple[tuple[str, str], ...] = (
    (
        r"What should change on the (.+?): its quantity or its price\? Say for example .*$",
        r"Que faut-il changer pour « \1 » : la quantité ou le prix ? Dites par exemple « 5 \1 ».",
    ),
    (
        r'Here is a credit note for invoice (.+?) to (.+?): (\d+) lines?, total (.+?)\. Say "finalize it" to give it its number\.',
        r"Voici un avoir sur la facture \1 pour \2 : \3 ligne(s), total \4. "
        r"Dites « finalise-le » pour lui donner son numéro.",
    ),
    (r" It is in a new session\.", r" Il est dans une nouvelle session."),
    (
        r"I found no finalized invoice numbered (\S+) among your documents\. Which invoice should the credit note correct \(its number as printed on it\)\?",
        r"Je n'ai trouvé aucune facture finalisée portant le numéro \1 parmi vos documents. "
        r"Quelle facture l'avoir doit-il corriger (son numéro tel qu'il est imprimé) ?",
    ),
    (
        r'Which invoice should the credit note correct\? Please give its number, e\.g\. "credit note for INV-2026-0007"\.',
        r"Quelle facture l'avoir doit-il corriger ? Donnez son numéro, par exemple « avoir sur INV-2026-0007 ».",
    ),
    (
        r"This session's document is a credit note already\. Which invoice should a new one correct\?",
        r"Le document de cette session est déjà un avoir. Quelle facture un nouvel avoir doit-il corriger ?",
    ),
    (
        r"This invoice was received from (.+?): a credit note for it is .+?'s to issue, not yours\. Which of your own invoices should a credit note correct\?",
        r"Cette facture a été reçue de \1 : c'est à \1 d'émettre un avoir, pas à vous. "
        r"Laquelle de vos propres factures un avoir doit-il corriger ?",
    ),
    (
        r'This invoice is a draft and is not finalized yet, so there is nothing to credit: finalize it first \("finalize it"\), or simply change the draft\.',
        r"Cette facture est un brouillon et n'est pas encore finalisée, il n'y a donc rien à créditer : "
        r"finalisez-la d'abord (« finalise-la ») ou modifiez simplement le brouillon.",
    ),
    (
        r"Invoice (\S+) \((.+?)\) is already fully credited(.*?): there is nothing left to refund\.",
        r"La facture \1 (\2) est déjà entièrement créditée\3 : il ne reste rien à rembourser.",
    ),
    (
        r"Invoice (\S+) totals (.+?) and (.+?) of it is already credited(.*?), so (.+?) is left\.",
        r"La facture \1 s'élève à \2 et \3 en sont déjà crédités\4, il reste donc \5.",
    ),
    (
        r' A credit note for the whole invoice \((.+?)\) would credit more\. Which part should it refund, e\.g\. "refund 2 hours from (\S+)"\?',
        r" Un avoir sur toute la facture (\1) créditerait davantage. Quelle partie doit-il rembourser, "
        r"par exemple « rembourse 2 heures de \2 » ?",
    ),
    (
        r" This one would refund (.+?)\. How much should it refund\?",
        r" Celui-ci rembourserait \1. Combien doit-il rembourser ?",
    ),
    (
        r"(\S+) is a (.+?), not an invoice: only an invoice can be credited\. Which invoice did you mean\?",
        r"\1 est un document de type « \2 », pas une facture : seule une facture peut être créditée. "
        r"Quelle facture vouliez-vous dire ?",
    ),
    (
        r"Which line of (\S+) should the credit note refund (\S+) of\? It lists: (.+)\.$",
        r"De quelle ligne de \1 l'avoir doit-il rembourser \2 ? Elle contient : \3.",
    ),
    (
        r"(\S+) bills (\S+) of (.+?): a credit note can refund between 0 and that much, not (\S+)\. How much should it refund\?",
        r"\1 facture \2 de \3 : un avoir peut rembourser entre 0 et cette quantité, pas \4. "
        r"Combien doit-il rembourser ?",
    ),
    (r" \(credit notes? ([^)]+)\)", r" (avoir(s) \1)"),
    (
        r"Who is the e-invoice for\? Please tell me the buyer's name\.",
        r"Pour qui est la facture électronique ? Donnez-moi le nom de l'acheteur.",
    ),
    (r"What is (.+?)'s VAT number\?", r"Quel est le numéro de TVA de \1 ?"),
    (
        r"What is (.+?)'s postal address \(street, postal code, city, country\)\?",
        r"Quelle est l'adresse postale de \1 (rue, code postal, ville, pays) ?",
    ),
    (
        r"What is (.+?)'s electronic address\? Please give it with its scheme, (e\.g\. .+?), or an e-mail address\.",
        r"Quelle est l'adresse électronique de \1 ? Donnez-la avec son schéma, \2, ou une adresse e-mail.",
    ),
    (
        r"What buyer reference \(e\.g\. the Leitweg-ID\) did (.+?) give you\?",
        r"Quelle référence acheteur (par exemple la Leitweg-ID) \1 vous a-t-il donnée ?",
    ),
    (
        r"When is it due\? Please give a due date or payment terms\.",
        r"Quand est-elle due ? Donnez une date d'échéance ou des conditions de paiement.",
    ),
    (
        r"When were the goods delivered or the service performed\?",
        r"Quand les biens ont-ils été livrés ou la prestation réalisée ?",
    ),
    (
        r"Which invoice does this credit note correct\? Please give its number\.",
        r"Quelle facture cet avoir corrige-t-il ? Donnez son numéro.",
    ),
    (
        r"Your business profile lacks what an e-invoice needs from the seller: (.+?)\. Please fill (.+?) in the business profile \(PATCH /api/v1/profile\), then ask again\.",
        r"Il manque à votre profil d'entreprise ce dont une facture électronique a besoin du vendeur : \1. "
        r"Remplissez \2 dans le profil d'entreprise (PATCH /api/v1/profile), puis redemandez.",
    ),
    (
        r"The e-invoice still lacks (.+?)\. Could you tell me\?",
        r"Il manque encore à la facture électronique \1. Pouvez-vous me le dire ?",
    ),
    (
        r"There is no document yet: tell me what to invoice first\.",
        r"Il n'y a pas encore de document : dites-moi d'abord quoi facturer.",
    ),
    (
        rf"The document now has everything {_RULES} e-invoice needs\.",
        r"Le document a maintenant tout ce dont une facture électronique \1 a besoin.",
    ),
    (r"Saved on the customer too\. ", r"Enregistré aussi sur le client. "),
    (
        r"Done: (.+?)'s VAT number is on the document\.",
        r"C'est fait : le numéro de TVA de \1 est sur le document.",
    ),
    (
        r"Done: (.+?)'s electronic address is on the document\.",
        r"C'est fait : l'adresse électronique de \1 est sur le document.",
    ),
    (
        r"Done: (.+?)'s postal address is on the document\.",
        r"C'est fait : l'adresse postale de \1 est sur le document.",
    ),
    (
        r"Done: (.+?)'s buyer reference is on the document\.",
        r"C'est fait : la référence acheteur de \1 est sur le document.",
    ),
    (
        r'\(An e-invoice needs it\. Or say "finalize it anyway"\.\)',
        r"(Une facture électronique en a besoin. Ou dites « finalise-le quand même ».)",
    ),
    (
        rf"It has everything {_RULES} e-invoice needs\. Finalize it to give it its number, then download (.+?) or (.+)\.$",
        r"Il a tout ce dont une facture électronique \1 a besoin. Finalisez-le pour lui donner son numéro, "
        r"puis téléchargez \2 ou \3.",
    ),
    (
        rf"It is {_RULES} e-invoice, complete: download (.+?) or (.+)\.$",
        r"C'est une facture électronique \1 complète : téléchargez \2 ou \3.",
    ),
    (
        r"A (.+?) is not an e-invoice: only invoices and credit notes are sent as e-invoices\.",
        r"Un document de type « \1 » n'est pas une facture électronique : seuls les factures et les avoirs "
        r"sont envoyés comme factures électroniques.",
    ),
    (
        r"This document cannot be an e-invoice: (.+)\.$",
        r"Ce document ne peut pas être une facture électronique : \1.",
    ),
    (
        r"What is the (\S+) in “(.+?)”: a quantity, a price or something else\? I did not use it, so I have not written the document yet\.",
        r"Que représente le \1 dans « \2 » : une quantité, un prix ou autre chose ? Je ne l'ai pas utilisé, "
        r"je n'ai donc pas encore établi le document.",
    ),
)
