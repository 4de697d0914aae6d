"""SVG logos as ReportLab drawings (svglib), so a vector logo prints sharp at any size.

svglib parses with lxml without resolving entities or touching the network, and the SVG is
read from memory, so a reference to a file (``<image href="/etc/…">``) has no base path to
resolve against and is skipped: a logo cannot pull anything from the server into a document.
"""

from __future__ import annotations

import io
import logging

from reportlab.graphics.shapes import Drawing, Group, String
from reportlab.platypus import Flowable
from svglib.svglib import svg2rlg

from docmesh_document.pdf import fonts

__all__ = ["is_svg", "svg_logo"]

log = logging.getLogger(__name__)

SVG_CONTENT_TYPE = "image/svg+xml"


def is_svg(content_type: str, data: bytes) -> bool:
    """SVG by its content type; without one, by its first bytes (raster formats never start with '<')."""
    if content_type:
        return content_type.split(";", 1)[0].strip().lower() == SVG_CONTENT_TYPE
    return data.lstrip()[:1] == b"<"


class _ScaledDrawing(Flowable):
    """A drawing scaled into a box, left-aligned like the raster logo."""

    def __init__(self, drawing: Drawing, scale: float) -> None:
        super().__init__()
        self.drawing = drawing
        self.scale = scale
        self.width = drawing.width * scale
        self.height = drawing.height * scale
        self.hAlign = "LEFT"

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.scale(self.scale, self.scale)
        self.drawing.drawOn(self.canv, 0, 0)
        self.canv.restoreState()


def _embed_text_fonts(group: Group) -> None:
    """Text in the logo in the embedded family: svglib maps every family to the standard
    Helvetica, which a PDF does not embed (see fonts.py)."""
    for node in group.contents:
        if isinstance(node, Group):
            _embed_text_fonts(node)
        elif isinstance(node, String):
            node.fontName = fonts.BOLD if "bold" in node.fontName.lower() else fonts.REGULAR


def svg_logo(data: bytes, box: tuple[float, float]) -> Flowable | None:
    """The SVG scaled into ``box`` (never enlarged), or None when it cannot be drawn."""
    try:
        drawing = svg2rlg(io.BytesIO(data))
    except Exception:  # svglib and lxml raise many kinds on bad input
        drawing = None
    if drawing is None or drawing.width <= 0 or drawing.height <= 0:
        log.warning("logo left out: the SVG cannot be drawn")
        return None
    fonts.register()
    _embed_text_fonts(drawing)
    # The renderer's starting font, otherwise Helvetica (put on the page even with no text).
    drawing.initialFontName = fonts.REGULAR
    scale = min(box[0] / drawing.width, box[1] / drawing.height, 1.0)
    return _ScaledDrawing(drawing, scale)
