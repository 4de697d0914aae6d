"""Spanish: Factura / Presupuesto / Recibo / Orden de compra, "a 40 € la hora", IVA, "pagado con tarjeta"."""

from __future__ import annotations

from docmesh_agent.builtin.languages import Language, document_replies
from docmesh_agent.builtin.words import MONTH_NAMES, TAX_WORDS

_N = r"\d+(?:\.\d+)?"
_MONEY = rf"{_N}\s*(?:€|\$|(?-i:[A-Z]{{3}})\b)?"
# An amount with its currency: a price, never a quantity ("cambia la mesa a 500 €").
_MONEY_MARKED = rf"{_N}\s*(?:€|\$|(?-i:[A-Z]{{3}})\b)"

# A rate per hour or per day said later in the same clause ("... a 30 € la hora").
_PER_HOUR = r"(?=[^,;\n]*?(?:\b(?:la|por|cada)\s+hora\b|/\s*h(?:ora)?\b))"
_PER_DAY = r"(?=[^,;\n]*?(?:\b(?:el|por|al|cada)\s+d[ií]a\b|\b(?:la|por)\s+jornada\b|/\s*d[ií]a\b))"

SPANISH = Language(
    code="es",
    markers=frozenset(
        "quiero facturar necesito hola buenas gracias factura presupuesto recibo orden compra pedido para por horas hora días día de del la las los "
        "el con y iva pagado pagada tarjeta efectivo vence vencimiento entrega descuento envío cada "
        "una exenta exento añade agrega cambia elimina quita línea semana que viene hasta válido".split()
    ),
    kind_words=("factura", "presupuesto", "recibo", "pedido", "cotización"),
    terms=(
        (
            r"(\d+(?:\.\d+)?)% discount if paid within (\d+) days",
            r"\1 % de descuento por pronto pago en \2 días",
        ),
    ),
    note_labels={"Deliver to:": "Entregar en:"},
    kind_phrases=("orden de compra",),
    months={
        "enero": 1,
        "febrero": 2,
        "marzo": 3,
        "abril": 4,
        "mayo": 5,
        "junio": 6,
        "julio": 7,
        "agosto": 8,
        "septiembre": 9,
        "setiembre": 9,
        "octubre": 10,
        "noviembre": 11,
        "diciembre": 12,
    },
    weekdays={
        "lunes": "Monday",
        "martes": "Tuesday",
        "miércoles": "Wednesday",
        "miercoles": "Wednesday",
        "jueves": "Thursday",
        "viernes": "Friday",
        "sábado": "Saturday",
        "sabado": "Saturday",
        "domingo": "Sunday",
    },
    rules=(
        # "1.000 € + IVA 21 %, es decir 1.210 € con IVA", "= 1.210 €": the total restated, never a line.
        (
            rf"(?:,[ \t]*|[ \t]+)(?:es\s+decir|o\s+sea|lo\s+que\s+hace|total\s+con\s+iva|=)[ \t]*(?:un\s+total\s+de\s+)?({_MONEY_MARKED})"
            r"(?:[ \t]*(?:con\s+iva|iva\s+inclu[ií]do))?",
            r", total \1",
        ),
        # ", precio cerrado 940 €", ", tarifa plana de 940 €": a flat price after its line, as English says it.
        (
            r"([,;]\s*)(?:precio\s+cerrado|tarifa\s+plana|a\s+tanto\s+alzado)\s*:?\s+(?:de\s+)?(?=\d)",
            r"\1flat ",
        ),
        # "a pagar en 30 días sin deducciones": the whole amount, said after the terms.
        (r"\bsin\s+(?:deducci[oó]n(?:es)?|descuento\s+por\s+pronto\s+pago)\b", "without deduction"),
        # "que venza a final de mes" (subjunctive) is "vence a final de mes".
        (r"\bque\s+venza\b", "vence"),
        # "Concepto: diseño web" / "Importe: 1.200 €": a form's line, as English labels it.
        (r"(?m)^(\s*)(?:concepto|descripci[oó]n|servicio)\s*:\s*", r"\1Description: "),
        (r"(?m)^(\s*)(?:importe|precio|monto|cantidad\s+a\s+pagar)\s*:\s*(?=\S*\d)", r"\1Amount: "),
        # "Cliente: Hotel Mar", "Facturar a: ...": the buyer's label, as English writes it.
        (r"(?m)^(\s*)(?:cliente|destinatario|facturar\s+a)\s*:\s*", r"\1Client: "),
        # "número de factura 2026-017", "nº de presupuesto 17": the document's number.
        (
            r"\b(?:n[uú]mero|n[º°]\.?|num\.)\s+de\s+(?:factura|presupuesto|recibo|pedido)\s*:?\s*(?=[\w/-]*\d)",
            "#",
        ),
        # "su pedido nº 4521", "vuestra referencia": the client's own order, as a reference.
        (r"\b(?:su|vuestro|vuestra)\s+(?=pedido|orden|referencia)", ""),
        # "RFC TES850101AB1", "CUIT 20-12345678-9", "NIT ...": the buyer's tax id (Latin America).
        (r"\b(?:RFC|CUIT|CUIL|RUT|RUC|NIT)\s*:?\s*(?=[A-Z0-9])", "tax id "),
        # "2 % de descuento por pronto pago en 10 días": a payment term, never taken off (it was a
        # discount of 2 %: a wrong total); without the days, a discount for early payment.
        (
            r"(\d+(?:\.\d+)?%)\s+(?:de\s+)?(?:descuento|dto\b\.?)\s+(?:por\s+)?pronto\s+pago\s+(?:en|a|dentro\s+de)\s+(?:los\s+)?(?:primeros\s+)?(\d+)\s+d[ií]as",
            r"\1 discount if paid within \2 days",
        ),
        (
            r"(\d+(?:\.\d+)?%)\s+(?:de\s+)?(?:descuento|dto\b\.?)\s+(?:por\s+)?pronto\s+pago",
            r"\1 discount for early payment",
        ),
        # "envío gratis", "portes gratis": free shipping.
        (r"\b(?:env[ií]o|portes|entrega)\s+(?:gratis|gratuit[oa])\b", "free shipping"),
        # "limpieza en enero de 2026", "Reinigung im Jänner 2026": the month the work was in, as English
        # says it (the word stayed in the description: "Limpieza en").
        (rf"\ben\s+(?=(?:{MONTH_NAMES})\b)", "in "),
        # "nº 4521", "n° 4521": a number sign, never a quantity or a price.
        (r"\bn[º°]\.?\s*(?=\d)", "#"),
        # A greeting, then "necesito / quiero / me haces una factura ...": the request itself.
        (r"^\s*¡?(?:hola|buenas(?:\s+tardes|\s+noches)?|buenos\s+d[ií]as)\b[\s,.!]*", ""),
        (
            r"^\s*¿?\s*(?:necesito|necesitar[ií]a|quiero|quisiera|me\s+haces|me\s+har[ií]as|me\s+puedes\s+hacer|"
            r"puedes\s+hacerme|podr[ií]as\s+hacerme)\s+(?=(?:una?|nuev[oa]|otr[oa])\s+(?:factura|presupuesto|recibo|orden|pedido|cotizaci))",
            "",
        ),
        # "quiero facturar a Clínica Sol: ...", "tengo que facturar a ...": an invoice for them.
        (r"^\s*(?:quiero|tengo\s+que|hay\s+que|necesito)\s+facturar(?:le)?\s+(?:a|al)\s+", "Factura a "),
        # First-person prose, as English says it: "a mi cliente X el mes pasado", "trabajé 32 horas
        # en el rediseño", "también me deben 120 € de licencias" (the count was left in a line's
        # name and the line priced once: a wrong total).
        (r"(\bpara\s+)mi\s+cliente\s+", r"\1client "),
        (r"\b(?:a\s+)?mi\s+cliente\s+", "my client "),
        (r"\s+(?:por\s+)?el\s+mes\s+pasado\b", " for last month"),
        (
            r"\b(?:trabaj[eé]|he\s+trabajado|hice|he\s+hecho|dediqu[eé])\s+(\d+(?:[.,]\d+)?)\s+(horas?|d[ií]as?)\s+(?:en|a|para)\s+",
            r"I worked \1 \2 on ",
        ),
        (
            r"\b(?:tambi[eé]n\s+|adem[aá]s\s+)?me\s+deben\s+(?:tambi[eé]n\s+)?(\d[\d.,]*\s*(?:€|\$|(?-i:[A-Z]{3})\b)?)\s+(?:de|por|en)\s+",
            r"they also owe me \1 for ",
        ),
        # "media hora ... a 30 € la hora", "hora y media", "medio día ... a 600 € el día": a fraction
        # of the unit its rate is per (it was one hour, one day: a wrong total). Without a rate per
        # unit, "media jornada de formación a 600 €" is the price of the half day, left as it is.
        (rf"\b(?:una\s+)?media\s+hora\b{_PER_HOUR}", "0.5 horas"),
        (rf"\b(?:una\s+)?hora\s+y\s+media\b{_PER_HOUR}", "1.5 horas"),
        (rf"\b(\d+)\s+horas?\s+y\s+media\b{_PER_HOUR}", r"\1.5 horas"),
        (rf"\b(?:una\s+)?hora\s+y\s+cuarto\b{_PER_HOUR}", "1.25 horas"),
        (rf"\b(?:un\s+)?medio\s+d[ií]a\b{_PER_DAY}", "0.5 días"),
        (rf"\b(?:una\s+)?media\s+jornada\b{_PER_DAY}", "0.5 días"),
        # "Recibí de Juan Pérez la cantidad de 300 € en concepto de alquiler de marzo": a receipt for
        # them, the thing and its amount (the words became the buyer's name).
        (
            rf"^\s*(?:recibo\s*:\s*)?(?:recib[ií]|he\s+recibido|hemos\s+recibido)\s+de\s+(?:don\s+|doña\s+|d\.\s+|dña\.\s+)?(.+?)\s+"
            rf"(?:la\s+cantidad\s+de\s+|la\s+suma\s+de\s+|el\s+importe\s+de\s+)?({_MONEY_MARKED})\s+"
            r"(?:en\s+concepto\s+de|por|para)\s+(?:el\s+|la\s+|los\s+|las\s+)?([^,;\n]+)",
            r"Recibo para \1: \3 \2",
        ),
        # The same with "Recibo" first ("Recibí" one slip from it was corrected to it).
        (
            rf"^\s*recibo\s+de\s+(?:don\s+|doña\s+|d\.\s+|dña\.\s+)?(.+?)\s+(?:la\s+cantidad\s+de|la\s+suma\s+de|el\s+importe\s+de)\s+"
            rf"({_MONEY_MARKED})\s+(?:en\s+concepto\s+de|por|para)\s+(?:el\s+|la\s+|los\s+|las\s+)?([^,;\n]+)",
            r"Recibo para \1: \3 \2",
        ),
        # ", en efectivo", ", con tarjeta" ending a receipt: how it was paid.
        (r",\s*(?:en\s+)?(?:efectivo|met[aá]lico)\s*[.!]*$", ", paid cash"),
        (r",\s*(?:con|por)\s+tarjeta\s*[.!]*$", ", paid by card"),
        # Before the kind: "ahora un nuevo presupuesto ..." is "now a new quote ...".
        # "hazme una factura ...", "¿me preparas un presupuesto?": the asking verb before the kind.
        (
            r"^\s*¿?\s*(?:(?:me\s+)?(?:puedes|podrías|podria|podrías)\s+)?(?:me\s+)?(?:hazme|haz|hágame|haga|"
            r"prepárame|prepara(?:r|s)?|créame|crea(?:r|s)?|emite|emitir|genera(?:r)?)\s+(?=(?:una?|nuev[oa]|otr[oa])\s)",
            "",
        ),
        (r"^\s*(?:y\s+)?ahora\s*,?\s+", "now "),
        (r"^(now\s+)?(?:una?\s+)?(?:nuev[oa]|otr[oa])\s+", r"\1a new "),
        (r"^(now\s+)?(?:una?)\s+(?=(?:factura|presupuesto|recibo|pedido|orden|cotizaci))", r"\1a "),
        # Document kinds.
        (r"^(\s*(?:now\s+)?(?:a\s+)?(?:new\s+)?)(?:orden\s+de\s+compra|pedido)\b", r"\1Purchase order"),
        (r"^(\s*(?:now\s+)?(?:a\s+)?(?:new\s+)?)(?:presupuesto|cotizaci[oó]n|oferta)\b", r"\1Quote"),
        # "Factura proforma para ...": an invoice (the word was read as the buyer).
        (r"^(\s*(?:now\s+)?(?:a\s+)?(?:new\s+)?factura)\s+pro[\s-]?forma\b", r"\1"),
        (r"^(\s*(?:now\s+)?(?:a\s+)?(?:new\s+)?)recibo\b", r"\1Receipt"),
        (r"^(\s*(?:now\s+)?(?:a\s+)?(?:new\s+)?)factura\b", r"\1Invoice"),
        # "Factura a nombre de Lucía Romero", "450 € por ..., factura a nombre de Lucía Romero": whom
        # it is for (mid-sentence, the kind after the lines; the buyer was asked).
        (
            r"^(\s*(?:now\s+)?(?:a\s+|another\s+)?(?:new\s+)?(?:Invoice|Quote|Receipt|Purchase\s+order))\s+a\s+nombre\s+de\s+",
            r"\1 to ",
        ),
        (
            r"(?<=[,;.]\s)(?:la\s+)?factura\s+(?:a\s+nombre\s+de|para|a)\s+(?=(?-i:[A-ZÁÉÍÓÚÑ]))",
            "invoice to ",
        ),
        # Edits, before "a 4" is read as a price.
        # "conviértelo en presupuesto", "que sea un recibo": another kind of document.
        (
            r"^\s*(?:convi[eé]rte(?:lo|la)|c[aá]mbia(?:lo|la)|haz(?:lo|la)|p[aá]sa(?:lo|la)|que\s+sea)\s+(?:en\s+|a\s+)?(?:una?\s+)?"
            r"(presupuesto|cotizaci[oó]n|recibo|factura|orden\s+de\s+compra|pedido)\s*[.!]*$",
            r"make it a \1",
        ),
        (r"^(make it a )(?:presupuesto|cotizaci[oó]n)$", r"\1quote"),
        (r"^(make it a )recibo$", r"\1receipt"),
        (r"^(make it a )factura$", r"\1invoice"),
        (r"^(make it a )(?:orden\s+de\s+compra|pedido)$", r"\1purchase order"),
        # "en dólares", "pásalo a euros": the document's currency (amounts kept).
        (
            r"^\s*(?:(?:p[aá]salo|c[aá]mbialo|ponlo|mejor)\s+)?(?:en|a)\s+(d[oó]lares|euros|libras(?:\s+esterlinas)?|pesos(?:\s+mexicanos)?|francos\s+suizos)\s*[.!]*$",
            r"make it \1",
        ),
        (r"^(make it )d[oó]lares$", r"\1USD"),
        (r"^(make it )euros$", r"\1EUR"),
        (r"^(make it )libras(?:\s+esterlinas)?$", r"\1GBP"),
        (r"^(make it )pesos(?:\s+mexicanos)?$", r"\1MXN"),
        (r"^(make it )francos\s+suizos$", r"\1CHF"),
        # "el cliente es Hotel Mar", "factúrale a Hotel Mar": another buyer.
        (
            r"^\s*(?:el\s+cliente\s+es|el\s+cliente\s+ser[aá]|fact[uú]ra(?:le|selo)\s+a)\s+",
            "change the client to ",
        ),
        (r"^\s*(?:deshacer|deshaz(?:lo)?|anula(?:r|lo)?)\s*[.!]*$", "undo"),
        (r"^\s*(?:eran|era|fueron|son)\s+", "it was "),
        (r",?\s+no\s+(\d)", r", not \1"),
        (r"^\s*(?:que\s+sean|mejor|d[eé]jalo\s+en)\s+(\d)", r"make that \1"),
        (rf"^\s*sin\s+({TAX_WORDS})\s+(?:en|para)\s+(?:las?\s+|los?\s+|el\s+)?", r"no \1 on the "),
        (r"^\s*(?:cambia|pon)\s+el\s+cliente\s+a\s+", "change the client to "),
        # "añade también el transporte, 50 €": the words before what is added are not its name.
        (
            r"^\s*(?:añade|agrega|añadir|agregar|suma)\s+(?:tambi[eé]n\s+|adem[aá]s\s+)?(?:el|la|los|las)\s+",
            "add the ",
        ),
        (r"^\s*(?:añade|agrega|añadir|agregar|suma)\s+(?:tambi[eé]n|adem[aá]s)\b", "add"),
        (r"^\s*(?:añade|agrega|añadir|agregar|suma)\b", "add"),
        (r"^\s*(?:elimina|quita|borra|eliminar|quitar)\s+la\s+l[ií]nea\b", "remove line"),
        (r"^\s*(?:elimina|quita|borra)\s+(?:el|la|los|las)\b", "remove the"),
        (r"^\s*(?:elimina|quita|borra)\b", "remove"),
        (
            r"^\s*(?:cambia|pon|cambiar)\s+el\s+precio\s+de\s+(?:las?\s+|los?\s+|el\s+)?(.+?)\s+a\s+(\d)",
            r"change the price of the \1 to \2",
        ),
        (
            rf"^\s*(?:cambia|pon|cambiar)\s+(?:las?|los?|el)\s+(.+?)\s+a\s+({_MONEY_MARKED})",
            r"change the price of the \1 to \2",
        ),
        (r"^\s*(?:cambia|pon|cambiar)\s+(?:las?|los?|el)\s+(.+?)\s+a\s+(\d)", r"change the \1 to \2"),
        (r"^\s*(?:pon|ponme|deja)\s+(\d)", r"make that \1"),
        (
            rf"^\s*(?:(?:cambia|pon|ponme|deja|sube|baja)\s+)?(?:el\s+)?({TAX_WORDS})\s+(?:es\s+)?(?:del?|al|a|en)\s+(\d[\d.]*%)",
            r"change the \1 to \2",
        ),
        # "las sillas cuestan 90 €", "las sillas son a 90 € cada una": that line's price.
        (
            rf"^\s*(?:las?|los?|el)\s+(.+?)\s+(?:cuestan|cuesta|valen|vale|salen|sale|son|es)\s+(?:a\s+)?({_MONEY_MARKED})"
            r"(?:\s+(?:cada\s+un[oa]|la\s+unidad|c/u))?\s*[.!]*$",
            r"change the price of the \1 to \2",
        ),
        (r"\b(\d+)\s+([^\W\d_]+)\s+más\b", r"\1 more \2"),
        # "ponle un 15% de descuento a las cámaras", "hazle un 10 % de descuento al montaje".
        (
            rf"^\s*(?:ponle|ponles|dale|dales|hazle|hazles|aplica)\s+(?:un\s+)?({_N})\s*%\s+de\s+descuento\s+(?:a\s+(?:las?|los)|al|en\s+(?:las?|los|el))\s+",
            r"\1% off the ",
        ),
        # Dates and terms, before the words in them are read as connectives.
        # "pedido nº 4521": the order's number is the reference, never a price.
        (
            r"\b(?:pedido|orden(?:\s+de\s+compra)?|n[uú]mero\s+de\s+pedido)\s*(?:\#|n[uú]m\.?|n[uú]mero)?\s*:?\s*(?=\d)",
            "order # ",
        ),
        (
            r"\b(?:vence|vencimiento|con\s+vencimiento|a\s+pagar)\s+(?:el\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s+de\s+la\s+(?:semana\s+que\s+viene|pr[oó]xima\s+semana)",
            r"due next \1",
        ),
        (
            r"\b(?:vence|vencimiento|a\s+pagar|pagadero|pago)\s+(?:en|a)\s+(\d+)\s+d[ií]as(?:\s+netos?)?",
            r"due in \1 days",
        ),
        (r"\b(?:vence|vencimiento|a\s+pagar|pagadero)\s+(?:en|a)\s+(\d+)\s+semanas?", r"due in \1 weeks"),
        (
            r"\b(?:vence|vencimiento|a\s+pagar|pagadero)\s+(?:a\s+|el\s+)?fin(?:al)?\s+de(?:l)?\s+mes",
            "due end of month",
        ),
        (r"\bplazo\s+de\s+pago\s*:?\s*(\d+)\s+d[ií]as", r"due in \1 days"),
        # "30 días netos", "neto 30 días": payment terms, never a price.
        (r"\b(\d+)\s+d[ií]as\s+netos?\b", r"net \1"),
        (r"\bneto\s+(\d+)\s+d[ií]as\b", r"net \1"),
        (
            r"\b(?:fecha\s+de\s+vencimiento|vence|vencimiento|a\s+pagar\s+antes\s+del?)\s*:?\s+(?:el\s+)?",
            "due ",
        ),
        # "fecha de emisión 1 de marzo", "fecha: 01/03/2026", "emitida el ...": the issue date.
        (
            rf"\b(?:fecha\s+de\s+(?:emisi[oó]n|factura)|fecha|emitida\s+el|emitido\s+el)\s*:?\s+(?:el\s+)?(?=(?:{MONTH_NAMES})\b)",
            "dated ",
        ),
        # "validez 30 días", "validez: hasta el 30 de abril": the quote's validity.
        (r"\bvalidez\s*:?\s+(?:de\s+)?(?=\d+\s+d[ií]as)", "valid for "),
        (r"\bvalidez\s*:?\s+hasta\s+(?:el\s+)?", "valid until "),
        (r"\ba\s+(\d+)\s+d[ií]as\b", r"due in \1 days"),
        # "entrega el viernes de la semana que viene": the weekday of next week, however it is led.
        (
            r"\b(?:el\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s+(?:de\s+la\s+semana\s+que\s+viene|de\s+la\s+pr[oó]xima\s+semana)\b",
            r"next \1",
        ),
        # "presupuesto válido 30 días": the document's validity, not a line.
        (r"(^|[,;\n]\s*)(?:el\s+)?(?:presupuesto|oferta)\s+(?=v[aá]lid[oa])", r"\1"),
        (r"\bv[aá]lid[oa]\s+hasta\s+(?:el\s+)?", "valid until "),
        # "finales de abril", "fin de mes": the month's last day, as English says it.
        (rf"\b(?:a\s+)?(?:finales|fin)\s+de\s+(?=(?:{MONTH_NAMES})\b)", "end of "),
        (r"\b(?:a\s+)?(?:finales|fin)\s+de(?:l)?\s+mes\b", "end of month"),
        (r"\b(?:v[aá]lid[oa]|valid\s+for)\s+(?:(?:durante|por)\s+)?(\d+)\s+d[ií]as", r"valid for \1 days"),
        # "entrega 15 €": an amount is what the delivery costs; a date is the delivery date.
        (r"\b(?:la\s+)?entrega\s*:?\s*(?=\d+(?:\.\d+)?\s*(?:€|\$|(?-i:[A-Z]{3})\b))", "shipping "),
        (
            r"\b(?:fecha\s+de\s+)?entrega\s*:?\s+(?:el\s+|para\s+el\s+|antes\s+del?\s+)?(?=(?:January|February|March|April|May|June|July|August|September|October|November|December|next)\b)",
            "delivery on ",
        ),
        (r"\b(?:fecha\s+de\s+)?entrega\s+(?:el|para\s+el|antes\s+del?)\s+", "delivery on "),
        # "entrega el viernes de la semana que viene" (read "next Friday" above): a day right after.
        (
            r"\b(?:fecha\s+de\s+)?entrega\s+(?=next\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b)",
            "delivery on ",
        ),
        # "entregar en nuestro almacén de Getafe el 20 de marzo": where, then when (a "Deliver to" note).
        (
            r"\b(?:a\s+|para\s+)?entregar\s+en\s+([^,\n]+?)\s+(?:el|antes\s+del?|para\s+el)\s+",
            r"deliver to \1 by ",
        ),
        # "Pedido al proveedor Papelería Sol": the supplier's name, without the word.
        (r"\b(?:el\s+)?proveedor\s*:?\s+(?=(?-i:[A-ZÁÉÍÓÚÑ]))", ""),
        # "entregar el lunes 16 de marzo", "a entregar antes del 20": the delivery date, as a verb.
        (r"\b(?:a\s+|para\s+)?entregar\s+(?:el|para\s+el|antes\s+del?)\s+", "delivery on "),
        (r"\bper[ií]odo(?:\s+de\s+(?:servicio|prestaci[oó]n))?\s*:?\s+(?:del?\s+)?", "service period "),
        # "del 1 al 15 de marzo", "servicio del 1 al 15 de marzo": the service period.
        (
            r"\b(?:servicios?\s+|prestaci[oó]n\s+)?(?:del|desde\s+el)\s+(?=(?:January|February|March|April|May|June|July|August|September|October|November|December)\b)",
            "service period ",
        ),
        # Payment on receipts.
        # "me pagó 10 € en efectivo", "nos pagó con tarjeta": who was paid is no part of it (the
        # payment was a second line of 10: a wrong total).
        (r"\b(?:me|nos|le|les)\s+(?=(?:pag[oó]|abon[oó]|ha\s+pagado|han\s+pagado|pagaron)\b)", ""),
        # "pagó 50 € de señal con tarjeta", "señal de 50 € con tarjeta": a deposit paid, never a line
        # (it was a line "Paid" of 50 on top of the total, a wrong total).
        (
            rf"\b(?:pag[oó]|ha\s+pagado|abon[oó]|dej[oó])\s+(?:una?\s+)?({_MONEY_MARKED})\s+(?:de|como)\s+"
            r"(?:se[ñn]al|anticipo|adelanto|entrada|dep[oó]sito)\b",
            r"paid \1 deposit",
        ),
        (
            rf"\b(?:pag[oó]|ha\s+pagado|abon[oó]|dej[oó])\s+(?:una?\s+)?(?:se[ñn]al|anticipo|adelanto|entrada|dep[oó]sito)\s+de\s+({_MONEY_MARKED})",
            r"paid \1 deposit",
        ),
        (
            rf"\b(?:una?\s+)?(?:se[ñn]al|anticipo|adelanto|entrada|dep[oó]sito)\s+de\s+({_MONEY_MARKED})\s+(?:pagad[oa]\s+|abonad[oa]\s+)?(?=con\b|por\b|en\s+efectivo)",
            r"paid \1 deposit ",
        ),
        (r"(\bdeposit)\s+(?:con|por)\s+tarjeta\b", r"\1 by card"),
        (r"(\bdeposit)\s+en\s+(?:efectivo|met[aá]lico)\b", r"\1 in cash"),
        # "pagó 20 € en efectivo": part of the total paid.
        (
            rf"\b(?:pag[oó]|ha\s+pagado|abon[oó])\s+({_MONEY_MARKED})\s+(?:en\s+)?(?:efectivo|met[aá]lico)",
            r"paid \1 in cash",
        ),
        (
            rf"\b(?:pag[oó]|ha\s+pagado|abon[oó])\s+({_MONEY_MARKED})\s+(?:con|por)\s+tarjeta",
            r"paid \1 by card",
        ),
        (rf"\b(?:pag[oó]|ha\s+pagado|abon[oó])\s+({_MONEY_MARKED})", r"paid \1"),
        (
            r"\b(?:pagad[oa]|pago|pag[oó]|ha\s+pagado|pagaron)\s+(?:con|por)\s+tarjeta(?:\s+de\s+(?:cr[eé]dito|d[eé]bito))?",
            "paid by card",
        ),
        (
            r"\b(?:pagad[oa]|pago|pag[oó]|ha\s+pagado|pagaron)\s+(?:en\s+)?(?:efectivo|met[aá]lico)",
            "paid cash",
        ),
        (r"\bpagad[oa]\s+(?:por|con)\s+transferencia(?:\s+bancaria)?", "paid by bank transfer"),
        # "pagado por Bizum", "pagado con PayPal": how it was paid, whatever the name.
        (r"\bpagad[oa]\s+(?:por|con|v[ií]a|mediante)\s+", "paid by "),
        (r"\bpagad[oa]\b", "paid"),
        # "30 % de anticipo sobre 4.000 €", "anticipo del 30 % sobre 4.000 €": that share is the line
        # (it was a line of 4.000: a wrong total).
        (
            r"(\d+(?:\.\d+)?%)\s+(?:de\s+)?(?:anticipo|adelanto|se[ñn]al|entrada|dep[oó]sito)\s+(?:sobre|de)\s+(?:el\s+total\s+de\s+)?",
            r"\1 deposit on ",
        ),
        (
            r"\b(?:una?\s+|el\s+)?(?:anticipo|adelanto|se[ñn]al|entrada)\s+del\s+(\d+(?:\.\d+)?%)\s+(?:sobre|de)\s+(?:el\s+total\s+de\s+)?",
            r"\1 deposit on ",
        ),
        # Paid before or taken away: "anticipo de 500 € recibido", "ya pagado 500 €", "menos 100 €".
        (
            r"\b(?:anticipo|adelanto|se[ñn]al)\s+(?:de\s+)?(\d[\d.]*\s*(?:€|\$|[A-Z]{3})?)\s+(?:recibid[oa]|pagad[oa]|cobrad[oa])",
            r"deposit \1 received",
        ),
        (r"\bya\s+(?:pagad[oa]s?|abonad[oa]s?|paid)\b", "already paid"),
        (r"\bpago\s+en\s+(\d+)\s+(?:plazos|cuotas|pagos)\b", r"payment in \1 installments"),
        (r"\bmenos\b", "minus"),
        (r"\b(?:reembolso|devoluci[oó]n)\b", "refund"),
        # Discounts, taxes, shipping, exempt lines.
        # "con 1 día de descuento": time off, asked about (never a discount of 1).
        (r"\b(?:con\s+)?(\d+)\s+d[ií]as?\s+(?:de\s+descuento|libres?|gratis)\b", r"with \1 days off"),
        (rf"\bcon\s+(?:un\s+)?({_N}%|{_MONEY_MARKED})\s+de\s+descuento", r"with \1 off"),
        (rf"\b({_MONEY_MARKED})\s+de\s+descuento", r"\1 discount"),
        (rf"\bdescuento\s+de\s+({_MONEY_MARKED})", r"\1 discount"),
        (r"\bm[aá]s\s+(iva)\b", r"plus \1"),
        # "más el 21 % de IVA", "+ 21 % de IVA": the tax and its rate.
        (r"(?:\bm[aá]s|\+)\s+(?:el\s+)?(\d+(?:\.\d+)?%)\s+(?:de\s+)?(iva)\b", r", \2 \1"),
        # "(IVA no incluido)", "IVA aparte": a tax to add whose rate was not said (asked).
        (r"\(?\s*(iva)\s+(?:no\s+incluido|aparte|no\s+incluida)\s*\)?", r"plus \1"),
        # "más 80 € de desplazamiento", "más álbum 350 €": one more thing on the list.
        (r"(^|,\s*|\s)m[aá]s\s+(?=\S)", r"\1plus "),
        # "(10% dto.)": the usual abbreviation of "descuento".
        (r"\bdto\b\.?", "discount"),
        (r"\b(?:con\s+)?iva\s+inclu[ií]do\b", "including tax"),
        (rf"\b({_N})%\s+de\s+descuento", r"\1% discount"),
        (rf"\bdescuento\s+del?\s+({_N})%", r"\1% discount"),
        (r"\((?:(?:exent[oa]|libre)\s+de|sin)\s+iva\)", "(tax-exempt)"),
        (r"\b(?:exent[oa]s?|libres?)\s+de\s+iva\b", "tax-exempt"),
        # "tasas 30 € no sujetas a IVA": outside VAT, said of its line.
        (r"\bno\s+sujet[oa]s?\s+al?\s+iva\b", "tax-exempt"),
        (rf"\bcon\s+(?:un\s+)?iva\s+del?\s+({_N})%", r"IVA \1%"),
        (rf"\biva\s+del?\s+({_N})%", r"IVA \1%"),
        (r"\b(?:gastos\s+de\s+)?env[ií]o(?:\s+de(?=\s+\d))?\b", "shipping"),
        # "entre 300 y 400 €": a range of prices, asked which (its 400 was asked about).
        (r"\bentre\s+(\d[\d.]*\s*(?:€|\$|(?-i:[A-Z]{3})\b)?)\s+y\s+(?=\d)", r"\1 or "),
        # "1.450 € o 1.600 €": two prices, one or the other (asked, never added up).
        (r"(\d(?:\s*(?:€|\$|(?-i:[A-Z]{3})\b))?)\s+[ou]\s+(?=\d)", r"\1 or "),
        # "à CHF 150", "a USD 90": the code after the amount, as the price rules read it.
        (r"(\ba)\s+(?-i:([A-Z]{3}))\s*(\d(?:[\d'’.,]*\d)?)", r"\1 \3 \2"),
        # Prices: "a 40 € la hora", "a 900 € por día", "48 €/hora", "a 99 € cada una".
        (rf"\b(?:a|por)\s+({_MONEY})\s*(?:la|por|/)\s*hora\b", r"at \1 per hour"),
        (rf"\b(?:a|por)\s+({_MONEY})\s*(?:el|por|/)\s*d[ií]a\b", r"at \1 per day"),
        (rf"({_MONEY})\s*/\s*hora\b", r"\1 per hour"),
        # "tarifa 95 €/hora", "tarifa por hora 95 €", "tarifa diaria 800 €": the rate, as English says it.
        (r"\b(?:tarifa|precio)\s+(?:por\s+hora|horaria)\s*:?\s*", "hourly rate "),
        (r"\b(?:tarifa|precio)\s+(?:por\s+d[ií]a|diaria)\s*:?\s*", "day rate "),
        (
            rf"\b(?:tarifa|precio)\s*:?\s+({_MONEY_MARKED})\s*(?:(?:/|por|la)\s*hora|per\s+hour)\b",
            r"hourly rate \1",
        ),
        # "80 € la hora", "600 € el día" (an answer with its rate): per hour, per day.
        (rf"({_MONEY_MARKED})\s*(?:la|por|cada)\s+hora\b", r"\1 per hour"),
        (rf"({_MONEY_MARKED})\s*(?:el|por|al|cada)\s+d[ií]a\b", r"\1 per day"),
        # "a 45 € cada una", "por 80,50 € c/u", "por 1.200 € la unidad": the price of each (with
        # "por" and no "each" it stays "for": the total for all of them).
        (
            rf"\b(?:a|por)\s+((?:\$\s?)?{_MONEY})\s*(?:cada\s+un[oa]|la\s+unidad|por\s+unidad|c/u|cada\s+uno)",
            r"at \1 each",
        ),
        (rf"\ba\s+((?:\$\s?)?{_MONEY})", r"at \1"),
        # "4 neumáticos de 80 €": a count of things priced each (the "de" stayed in the description).
        (
            rf"\b(\d+\s+[^\W\d_]+)\s+de\s+((?:\$\s?)?{_MONEY_MARKED})(?!\s*(?:de\s+(?:descuento|remise)|discount|off)\b)",
            r"\1 at \2",
        ),
        # "1.250 € de materiales": an amount "of" what is sold.
        (rf"\b({_MONEY_MARKED})\s+de\s+(?=[^\W\d_])(?!descuento)", r"\1 of "),
        # "10 horas de consultoría": the quantity, its unit and "of" the description.
        (
            # Only a word that counts or measures ("15 centros de mesa" is 15 centrepieces, not 15
            # "centros" of "mesa").
            rf"\b({_N}\s*(?:h|hrs?)\.?|{_N}\s+(?:horas?|d[ií]as?|semanas?|meses|mes|noches?|sesiones|sesi[oó]n|clases?|visitas?|cajas?|bolsas?|"
            r"paquetes?|botellas?|latas?|sacos?|rollos?|hojas?|p[aá]ginas?|palabras?|personas?|raciones|litros?|kilos?|kg|"
            r"metros?|m2|m²|m|km|cm|g|l|ml|unidades|unidad|piezas?|palets?|juegos?|pares?|docenas?|tandas?|rondas?|jornadas?))\s+de\s+",
            r"\1 of ",
        ),
        (r"\bhoras?\b", "hours"),
        # "curso de yoga, 8 sesiones a 12 €": what a service is counted in, as English says it.
        (r"(?=\d)(?<!\bde )(?<!\bd’)(?<!\bd')\b(\d+\s*)sesi(?:ones|ón|on)\b", r"\1sessions"),
        (r"(?=\d)(?<!\bde )(?<!\bd’)(?<!\bd')\b(\d+\s*)clases\b", r"\1classes"),
        (r"(?=\d)(?<!\bde )(?<!\bd’)(?<!\bd')\b(\d+\s*)visitas\b", r"\1visits"),
        (r"(?=\d)(?<!\bde )(?<!\bd’)(?<!\bd')\b(\d+\s*)fotos\b", r"\1photos"),
        (r"(?=\d)(?<!\bde )(?<!\bd’)(?<!\bd')\b(\d+\s*)im[aá]genes\b", r"\1images"),
        (r"\bpalabras\b", "words"),
        (r"\bpalabra\b", "word"),
        (r"\bd[ií]as?\b", "days"),
        # Connectives.
        # "Factura por diseño ...": "por" right after the kind names what is sold, not a buyer.
        (
            r"^((?:now\s+)?(?:a\s+|another\s+)?(?:new\s+)?(?:Invoice|Quote|Receipt|Purchase\s+order)(?:\s+\#\s*[\w/-]+)?)\s+por\s+",
            r"\1: ",
        ),
        # An answer naming the buyer: "a Hotel Sol", "para Hotel Sol".
        (r"^\s*(?:a|al|para)\s+(?!(?:Invoice|Quote|Receipt|Purchase\s+order)\b)(?=(?-i:[A-ZÁÉÍÓÚÑ]))", "to "),
        (r"\bpara\b", "for"),
        (
            r"^((?:now\s+)?(?:a\s+|another\s+)?(?:new\s+)?(?:Invoice|Quote|Receipt|Purchase\s+order)(?:\s+\#\s*[\w/-]+)?)\s+al?\s+",
            r"\1 to ",
        ),
        # "Factura para Eventos Luna por el DJ de la fiesta": what is billed, after the buyer.
        (
            r"^((?:now\s+)?(?:a\s+|another\s+)?(?:new\s+)?(?:Invoice|Quote|Receipt|Purchase\s+order)(?:\s+\#\s*[\w/-]+)?\s+(?:for|to)\s+[^\n:,]+?)\s+por\s+(?:el|la|los|las)\s+",
            r"\1 for the ",
        ),
        (r"\bpor\b", "for"),
        # "la limpieza y la lavandería": the article after "y" as English says it ("and the").
        (r"\by\s+(?:el|la|los|las)\s+", "and the "),
        (r"\by\b", "and"),
        (r"(?<!['’])\b(?:un|una)\b", "a"),
    ),
    units={
        "hour": ("hora", "horas"),
        "hours": ("hora", "horas"),
        "day": ("día", "días"),
        "days": ("día", "días"),
        "week": ("semana", "semanas"),
        "weeks": ("semana", "semanas"),
        "month": ("mes", "meses"),
        "months": ("mes", "meses"),
        "word": ("palabra", "palabras"),
        "session": ("sesión", "sesiones"),
        "sessions": ("sesión", "sesiones"),
        "class": ("clase", "clases"),
        "classes": ("clase", "clases"),
        "visit": ("visita", "visitas"),
        "visits": ("visita", "visitas"),
        "photos": ("foto", "fotos"),
        "images": ("imagen", "imágenes"),
        "words": ("palabra", "palabras"),
    },
    replies=(
        # Credit notes, e-invoices and the accounting question (languages/document_replies.py):
        # whole sentences, before the patterns for words that would change them.
        *document_replies.SPANISH,
        (r"(the total for the \S+) hours\b", r"\1 horas"),
        (r"(the total for the \S+) days\b", r"\1 días"),
        (r"(or the price per) hour\?", r"\1 hora?"),
        (r"(or the price per) day\?", r"\1 día?"),
        (r"(the total or per) hour\?", r"\1 hora?"),
        (r"(the total or per) day\?", r"\1 día?"),
        (
            r"Is (\S+) the total for the (\S+) (\w+) of (.+?), or the price per (\w+)\?",
            r"¿\1 es el total de las \2 \3 de «\4», o el precio por \5?",
        ),
        (
            r"Is the price of the (.+?) the total or per (\w+)\?",
            r"¿El precio de «\1» es el total o por \2?",
        ),
        (
            r"What is the quantity of “(.+?)”(?: at (\S+))?\? Answer with a number.*$",
            r"¿Cuál es la cantidad de «\1»? Responde con un número.",
        ),
        (
            r"Is (\S+) the price of the (\S+) (\S+) of (.+?), or per (\S+)\?",
            r"¿\1 es el precio de los \2 \3 de «\4», o por \5?",
        ),
        (
            r"How should “(.+?)” change the total\?.*$",
            r"¿Cómo debe cambiar el total «\1»? Dilo como descuento (por ejemplo «50 € de descuento» o «10 % de descuento»), o di «no».",
        ),
        (r"“(\d+(?:\.\d+)?) hours? of (.+?)”, or per hour\?", r"“\1 horas de \2”, or per hora?"),
        (r"“(\d+(?:\.\d+)?) days? of (.+?)”, or per day\?", r"“\1 días de \2”, or per día?"),
        (
            r"Is (\S+) the number of (.+?), or part of the name “(.+?)”\?",
            r"¿\1 es la cantidad de \2, o parte del nombre «\3»?",
        ),
        (
            r"Is (\S+) the price of each “(.+?)”, or per (\w+)\?",
            r"¿\1 es el precio de cada «\2», o por \3?",
        ),
        (
            r"Should the (.+?) cost (\S+) instead of (\S+), or is it a new line\?.*$",
            r"¿«\1» debe costar \2 en lugar de \3, o es una línea nueva?",
        ),
        (r"“(\d+) days? off”", r"“\1 día(s) de descuento”"),
        (
            r"How much should “(.+?)” take off: an amount \(for example “500 off”\) or a percentage \(“10% off”\)\?",
            r"¿Cuánto debe descontar «\1»: un importe (por ejemplo «500 de descuento») o un porcentaje («10 % de descuento»)?",
        ),
        (
            r"Is (\S+) the quantity or the price of the (.+?)\? It is (\S+) at (\S+) now\.",
            r"¿\1 es la cantidad o el precio de «\2»? Ahora es \3 a \4.",
        ),
        (
            r"Which line should change to (\S+), and is \S+ its quantity or its price\?.*$",
            r"¿Qué línea debe pasar a \1, y es \1 su cantidad o su precio? Por ejemplo: «cambia la cantidad de la línea 1 a \1».",
        ),
        (
            r"\bdelivery date (\d{4}-\d\d-\d\d)",
            r"fecha de entrega \1",
        ),
        (
            r"\bservice period (\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)",
            r"periodo de servicio del \1 al \2",
        ),
        (
            r"Note: prices that include tax are not supported: [^.]*\.",
            "Nota: no admito precios con impuestos incluidos; tomo los importes sin impuestos y no añado ninguno.",
        ),
        (r"line (\d+) \((.+?)\) is now tax exempt", r"«\2» queda exenta de impuestos"),
        (r"What tax rate should I apply\?", "¿Qué tipo de impuesto aplico?"),
        (r"What rate of (.+?) should I apply\?", r"¿Qué tipo de \1 aplico?"),
        (r"What is the price per hour of the (.+?)\?", r"¿Cuál es el precio por hora de «\1»?"),
        (r"What is the price per day of the (.+?)\?", r"¿Cuál es el precio por día de «\1»?"),
        (r"Which price for the (.+?): (.+?) or (.+?)\?", r"¿Qué precio para «\1»: \2 o \3?"),
        (r"What are the (\S+) × (\S+) for\?", r"¿A qué corresponden los \1 × \2?"),
        (r"What are the (\S+) hours? for\?", r"¿A qué corresponden las \1 horas?"),
        (r"What are the (\S+) days? for\?", r"¿A qué corresponden los \1 días?"),
        (r"What are the (\S+) (\S+) for\?", r"¿A qué corresponden las \1 \2?"),
        (r"\bI did not understand: (.+)\.$", r"No he entendido: \1."),
        (r"^Who should I bill\?", "¿A quién facturo?"),
        (r"^Who is the quote for\?", "¿Para quién es el presupuesto?"),
        (r"^Who is the purchase order for\?", "¿A quién va la orden de compra?"),
        (r"What is the price per (\w+) of the (.+?)\?", r"¿Cuál es el precio por \1 de «\2»?"),
        (r"What is the unit price of the (.+?)\?", r"¿Cuál es el precio unitario de «\1»?"),
        (r"What is the price of the (.+?)\?", r"¿Cuál es el precio de «\1»?"),
        (
            r"What should the \w+(?: order)? be for\?",
            "¿Qué debo incluir? Por ejemplo: «10 horas de consultoría a 40 € la hora».",
        ),
        (r"For example: “10 hours of consulting at \$150”\.", ""),
        (r"^Here is your invoice", "Aquí tienes tu factura"),
        (r"^Here is your quote", "Aquí tienes tu presupuesto"),
        (r"^Here is your receipt", "Aquí tienes tu recibo"),
        (r"^Here is your purchase order", "Aquí tienes tu orden de compra"),
        (r" for (.+?): (\d+) lines?, total ", r" para \1: \2 línea(s), total "),
        (r": (\d+) lines?, total ", r": \1 línea(s), total "),
        (r"\badded a (\S+) discount", r"añadido un descuento del \1"),
        (r"\badded (\d[\d.]*) hours? of (.+?) at ", r"añadidas \1 horas de \2 a "),
        (r"\badded (\d[\d.]*) days? of (.+?) at ", r"añadidos \1 días de \2 a "),
        (r"\badded ", "añadido "),
        (r"\bremoved line (\d+)", r"eliminada la línea \1"),
        (r"\bremoved ", "eliminado "),
        (r"line \d+ \((.+?)\) quantity (\S+) → (\S+)", r"cantidad de \1: \2 → \3"),
        (r"(\S+) quantity (\S+) → (\S+)", r"cantidad de \1: \2 → \3"),
        (r"(\S+) price (\S+) → (\S+)", r"precio de \1: \2 → \3"),
        (r"\bshipping (\d)", r"envío \1"),
        (r"\bdue (\d{4}-\d\d-\d\d)", r"vence el \1"),
        (r" at (\d)", r" a \1"),
        (r"\bpaid in full\b", "pagado en su totalidad"),
        (r"\bpaid by (\w+)", r"pagado con \1"),
        (r"\bnow a quote\b", "ahora es un presupuesto"),
        (r"\bnow a receipt\b", "ahora es un recibo"),
        (r"\bnow an? invoice\b", "ahora es una factura"),
        (r"\bnow a purchase order\b", "ahora es una orden de compra"),
        (
            r"\bcurrency (\S+) → (\S+) \(amounts kept as written, not converted\)",
            r"moneda \1 → \2 (importes tal cual, sin convertir)",
        ),
        (r"\bbuyer (.+?) → (.+?)\. ", r"cliente \1 → \2. "),
        (r"\bnote: ", "nota: "),
        (
            r"^Which line\? Say “item 2” or part of its description\.",
            "¿Qué línea? Di «línea 2» o parte de su descripción.",
        ),
        (r"\b(\S+) off line (\d+) \((.+?)\)", r"\1 de descuento en la línea \2 (\3)"),
        (
            r"^I didn't understand how to change the [\w ]+? from “(.+?)”\. I understand edits like .*$",
            r"No he entendido qué cambiar con «\1». Entiendo cambios como «añade 2 horas de consultoría a 80 €», "
            r"«elimina la línea 2», «pon el IVA al 10 %», «cambia las sillas a 4», «vence en 30 días» o «deshaz».",
        ),
        (r"^Undone: back to the previous version\.", "Deshecho: vuelvo a la versión anterior."),
        (r"^Done: ", "Hecho: "),
        (r"New total: ", "Nuevo total: "),
        (r"\bDue (\w+) (\d{4}-\d\d-\d\d)\.", r"Vence el \2."),
    ),
    payment_methods={"card": "Tarjeta", "cash": "Efectivo", "bank transfer": "Transferencia bancaria"},
    descriptions={"Services": "Servicios", "Deposit": "Anticipo"},
)
