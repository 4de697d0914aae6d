"""The document as a PDF a business can send: ReportLab, fonts embedded, text extractable."""

from docmesh_document.pdf.document import Letterhead, render_pdf

__all__ = ["Letterhead", "render_pdf"]
