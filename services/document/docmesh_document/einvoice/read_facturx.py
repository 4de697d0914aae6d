"""The CII an e-invoice PDF carries (Factur-X, ZUGFeRD 2, XRechnung in a PDF), found with the
``factur-x`` package. The XML it returns is parsed by ``read_xml`` like any received XML."""

from __future__ import annotations

import logging

from docmesh_document.einvoice.read_xml import EInvoiceError, check_size

# The names the Factur-X, ZUGFeRD 2.x and XRechnung specifications give the embedded invoice.
EMBEDDED_NAMES = ["factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"]


def xml_from_pdf(content: bytes) -> bytes:
    """The embedded invoice XML's bytes; EInvoiceError when the PDF carries none or is unreadable."""
    check_size(content)
    # Imported here: only PDF imports need it, and it pulls in pypdf.
    import facturx

    # factur-x logs what it skips (and pypdf warns about damaged files) at length; a received
    # file is not ours to log.
    logging.getLogger("facturx").setLevel(logging.ERROR)
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        name, xml = facturx.get_xml_from_pdf(content, check_xsd=False, filenames=EMBEDDED_NAMES)
    except Exception:
        raise EInvoiceError("the PDF could not be read") from None
    if not name or not xml:
        raise EInvoiceError(
            "the PDF carries no embedded e-invoice (factur-x.xml, zugferd-invoice.xml or xrechnung.xml)"
        )
    return bytes(xml)
