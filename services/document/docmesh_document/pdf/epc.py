"""The EPC QR code ("GiroCode"): a SEPA credit transfer a banking app fills in from a scan.

Payload as the European Payments Council's guideline EPC069-12 (version 002, UTF-8) defines it:
one field per line, trailing empty fields may be left out.
"""

from __future__ import annotations

from decimal import Decimal

import segno
from reportlab.platypus import Flowable

MAX_AMOUNT = Decimal("999999999.99")


def epc_payload(*, name: str, iban: str, bic: str, amount: Decimal, text: str) -> str:
    """The QR text for paying `amount` EUR to `name`'s `iban`, with `text` as remittance information."""
    if not Decimal("0.01") <= amount <= MAX_AMOUNT:
        raise ValueError(f"an EPC QR code carries 0.01 to {MAX_AMOUNT} EUR, not {amount}")
    lines = [
        "BCD",
        "002",
        "1",  # UTF-8
        "SCT",
        bic.replace(" ", ""),
        name[:70],
        iban.replace(" ", "").upper(),
        f"EUR{amount.quantize(Decimal('0.01'))}",
        "",  # purpose code
        "",  # structured creditor reference (we send unstructured text instead)
        text[:140],
    ]
    return "\n".join(lines).rstrip("\n")


class QrCode(Flowable):
    """A square QR code of `size` points, error correction M as the guideline requires.

    Drawn module by module on the canvas: no text state, so no font enters the PDF.
    """

    def __init__(self, payload: str, size: float) -> None:
        super().__init__()
        code = segno.make(payload, error="m", micro=False, boost_error=False)
        self.matrix = code.matrix
        self.quiet = 4  # modules of white border, as the QR standard requires
        self.width = self.height = size

    def draw(self) -> None:
        count = len(self.matrix) + 2 * self.quiet
        module = self.width / count
        canvas = self.canv
        canvas.setFillColorRGB(0, 0, 0)
        top = self.height - self.quiet * module
        for row_index, row in enumerate(self.matrix):
            y = top - (row_index + 1) * module
            for col_index, dark in enumerate(row):
                if dark:
                    canvas.rect((self.quiet + col_index) * module, y, module, module, stroke=0, fill=1)
