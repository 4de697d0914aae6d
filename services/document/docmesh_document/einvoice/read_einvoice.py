"""ReadEInvoice's work: a received file (UBL, CII or a Factur-X PDF) into the one invoice model.

The syntax is known from the content, not trusted from the content type: a PDF starts with
``%PDF-``; XML is told by its root element's namespace (UBL Invoice or CreditNote, CII
CrossIndustryInvoice). Anything else is refused, naming what was found.
"""

from __future__ import annotations

from docmesh_common.model.invoice import Invoice
from docmesh_document.einvoice.read_cii import CII_NS, read_cii
from docmesh_document.einvoice.read_facturx import xml_from_pdf
from docmesh_document.einvoice.read_model import ReadDocument, to_invoice
from docmesh_document.einvoice.read_ubl import CREDIT_NOTE_NS, INVOICE_NS, read_ubl
from docmesh_document.einvoice.read_xml import EInvoiceError, check_size, namespace, parse_xml

_PDF_MAGIC = b"%PDF-"
_XML_TYPES = frozenset({"application/xml", "text/xml"})
_PDF_TYPE = "application/pdf"
_UBL_ROOTS = {(INVOICE_NS, "Invoice"), (CREDIT_NOTE_NS, "CreditNote")}


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _read_xml(content: bytes) -> ReadDocument:
    root = parse_xml(content)
    found = (namespace(root), root.tag.rsplit("}", 1)[-1] if isinstance(root.tag, str) else "")
    if found in _UBL_ROOTS:
        return read_ubl(root)
    if found == (CII_NS, "CrossIndustryInvoice"):
        return read_cii(root)
    ns = f" in namespace {found[0][:100]!r}" if found[0] else " without a namespace"
    raise EInvoiceError(
        f"the root element is {found[1][:60]!r}{ns}; expected a UBL 2.1 Invoice or CreditNote "
        "or a CII CrossIndustryInvoice"
    )


def read_einvoice(content: bytes, content_type: str = "") -> tuple[Invoice, str]:
    """(the invoice, "ubl" | "cii" | "factur-x"); EInvoiceError saying why when it cannot be read."""
    check_size(content)
    media = _media_type(content_type)
    is_pdf = content.startswith(_PDF_MAGIC)
    if media == _PDF_TYPE and not is_pdf:
        raise EInvoiceError("the content type is application/pdf but the file is not a PDF")
    if media in _XML_TYPES and is_pdf:
        raise EInvoiceError(f"the content type is {media} but the file is a PDF")
    if is_pdf:
        # Factur-X and ZUGFeRD embed CII; an XRechnung PDF may embed UBL. Either is read.
        return to_invoice(_read_xml(xml_from_pdf(content))), "factur-x"
    read = _read_xml(content)
    return to_invoice(read), read.syntax
