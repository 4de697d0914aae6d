"""Page size and the furniture of every page: the footer line and "Page 2 of 3"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfgen.canvas import Canvas

from docmesh_document.pdf import fonts

# Countries whose businesses print on US Letter; everyone else uses A4.
LETTER_COUNTRIES = frozenset(
    {"US", "CA", "MX", "PH", "CL", "CO", "VE", "PR", "GT", "CR", "PA", "DO", "SV", "NI"}
)

MARGIN = 36.0  # half an inch
FOOTER_SIZE = 7.5


def page_size(country_code: str) -> tuple[float, float]:
    return LETTER if country_code.upper() in LETTER_COUNTRIES else A4


def numbered_canvas(footer: str, page_label: str) -> Callable[..., Canvas]:
    """A canvas class that prints `footer` and "Page n of N" on every page.

    The page count is only known once every page is laid out, so pages are kept until `save`
    and the furniture drawn on each then.
    """

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            count = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._furniture(count)
                super().showPage()
            super().save()

        def _furniture(self, count: int) -> None:
            width, _ = self._pagesize
            self.setFont(fonts.REGULAR, FOOTER_SIZE)
            self.setFillGray(0.35)
            if footer:
                self.drawString(MARGIN, MARGIN / 2, footer[:160])
            self.drawRightString(
                width - MARGIN, MARGIN / 2, page_label.format(page=self._pageNumber, pages=count)
            )

    return NumberedCanvas
