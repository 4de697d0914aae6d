"""Factur-X (ZUGFeRD 2.x), profile EN 16931: the PDF a person reads with the CII a machine reads.

The ``factur-x`` package does the embedding: it attaches the CII as ``factur-x.xml`` with
AFRelationship ``Data``, writes the XMP metadata (PDF/A-3 identification and the Factur-X
extension schema) and checks the XML against the Factur-X EN 16931 XSD before it embeds it.
PDF/A also wants the colours' meaning declared: ReportLab declares none, so an sRGB output
intent (an ICC profile Pillow builds, no file shipped) is added first.
"""

from __future__ import annotations

import functools
import io

import facturx
from PIL import ImageCms
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from docmesh_common.model.invoice import Invoice
from docmesh_document.einvoice.cii import to_cii

__all__ = ["factur_x"]

_SRGB = "sRGB IEC61966-2.1"


@functools.cache
def _srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()  # type: ignore[no-any-return]


def _with_output_intent(pdf: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    profile = StreamObject()
    profile.set_data(_srgb_profile())
    profile[NameObject("/N")] = NumberObject(3)
    intent = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/OutputIntent"),
            NameObject("/S"): NameObject("/GTS_PDFA1"),
            NameObject("/OutputConditionIdentifier"): TextStringObject(_SRGB),
            NameObject("/Info"): TextStringObject(_SRGB),
            NameObject("/DestOutputProfile"): writer._add_object(profile),
        }
    )
    writer.root_object[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(intent)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def factur_x(pdf: bytes, invoice: Invoice) -> bytes:
    """``pdf`` (the invoice laid out) as a Factur-X EN 16931 PDF/A-3 carrying ``invoice`` as CII.

    The caller checks first that the invoice is EN 16931-complete (``terms.missing_terms``).
    """
    return facturx.generate_from_binary(  # type: ignore[no-any-return]
        _with_output_intent(pdf),
        to_cii(invoice),
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        lang=invoice.language,
        afrelationship="data",
    )
