"""Inputs for the e-invoice import tests: hostile and malformed files, a Factur-X PDF made with
the factur-x package, and the business content of an e-invoice as a comparable value."""

from __future__ import annotations

import io
from collections import Counter

from lxml import etree

UBL_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>&secret;</cbc:ID>
</Invoice>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol9;</Invoice>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice SYSTEM "http://127.0.0.1:9/evil.dtd">
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>"""

UTF16_DOCTYPE = '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'.encode(
    "utf-16"
)

WRONG_NAMESPACE = b"""<?xml version="1.0"?>
<Invoice xmlns="urn:example:not-ubl"><ID>1</ID></Invoice>"""

NO_NAMESPACE = b"<Invoice><ID>INV-1</ID></Invoice>"

WRONG_ROOT = b"""<?xml version="1.0"?>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>"""

NOT_XML = b"Invoice Acme Corp for 10 hours at $150"

GARBAGE = bytes(range(256)) * 4


def plain_pdf() -> bytes:
    """A one-page PDF without any attachment."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "An invoice without its XML")
    page.showPage()
    page.save()
    return out.getvalue()


def facturx_pdf(cii: bytes) -> bytes:
    """A PDF carrying ``cii`` as factur-x.xml, made by the factur-x package."""
    import facturx

    return bytes(facturx.generate_from_binary(plain_pdf(), cii, check_xsd=False))


# Every malformed or hostile body, by name; each must be refused with nothing written.
HOSTILE: dict[str, tuple[bytes, str]] = {
    "xxe": (XXE, "application/xml"),
    "billion-laughs": (BILLION_LAUGHS, "application/xml"),
    "external-dtd": (EXTERNAL_DTD, "application/xml"),
    "utf16-doctype": (UTF16_DOCTYPE, "application/xml"),
    "wrong-namespace": (WRONG_NAMESPACE, "application/xml"),
    "no-namespace": (NO_NAMESPACE, "text/xml"),
    "wrong-root": (WRONG_ROOT, "application/xml"),
    "not-xml": (NOT_XML, "text/plain"),
    "garbage": (GARBAGE, "application/octet-stream"),
    "truncated-xml": (
        b'<?xml version="1.0"?><Invoice xmlns="' + UBL_NS.encode() + b'"><cbc:ID',
        "application/xml",
    ),
}


def business_content(xml: bytes) -> Counter[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """Every leaf element as (path of local names, text, attributes): equal for two files with the
    same business content whatever their formatting, prefixes or declaration."""
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    leaves: Counter[tuple[str, str, tuple[tuple[str, str], ...]]] = Counter()
    for element in root.iter():
        if not isinstance(element.tag, str) or len(element):
            continue
        path = "/".join(etree.QName(e).localname for e in (*reversed(list(element.iterancestors())), element))
        attributes = tuple(sorted((etree.QName(k).localname, v) for k, v in element.attrib.items()))
        leaves[(path, (element.text or "").strip(), attributes)] += 1
    return leaves
