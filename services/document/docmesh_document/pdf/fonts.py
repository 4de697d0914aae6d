"""The TrueType fonts every PDF embeds (Bitstream Vera, shipped inside ReportLab).

Embedded TrueType, not the 14 standard PDF fonts: a reader without those fonts shows the same
glyphs, and text extraction gets real Unicode (€, ü, ñ) rather than a WinAnsi guess.
"""

from __future__ import annotations

import functools
from pathlib import Path

import reportlab
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "DocmeshSans"
BOLD = "DocmeshSans-Bold"
ITALIC = "DocmeshSans-Italic"
BOLD_ITALIC = "DocmeshSans-BoldItalic"

_FILES = {REGULAR: "Vera.ttf", BOLD: "VeraBd.ttf", ITALIC: "VeraIt.ttf", BOLD_ITALIC: "VeraBI.ttf"}


@functools.cache
def register() -> None:
    """Registers the family once per process (ReportLab keeps fonts in a global registry)."""
    folder = Path(reportlab.__file__).parent / "fonts"
    for name, file in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, ITALIC)
    addMapping(REGULAR, 1, 1, BOLD_ITALIC)
