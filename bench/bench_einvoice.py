"""E-invoice benchmark (printed figures): what a UBL, CII or Factur-X download costs, and what
checking one with the official validators costs.

For N different invoices of each size (default 5, 50 and 200 lines; prices, quantities and VAT
rates drawn at random, a document discount and shipping), each operation runs once per invoice
and the table shows p50 / p90 in milliseconds:

* UBL export (``to_ubl``: the VAT breakdown and the UBL 2.1 document) and CII export (``to_cii``);
* Factur-X PDF (``do_export_pdf``: the PDF laid out, the CII written and embedded, the output
  intent and XMP added; "of which Factur-X" is the embedding alone, ``factur_x``);
* schematron validation: the CEN EN 16931 UBL XSLT and the Factur-X EN 16931 CII XSLT run by
  saxonche (compiled once, outside the timing), as the tests run them.

Usage: .venv/bin/python bench/bench_einvoice.py [--invoices 20] [--sizes 5,50,200]
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docmesh_common.model.invoice import Discount, Invoice, LineItem  # noqa: E402
from docmesh_document.einvoice.cii import to_cii  # noqa: E402
from docmesh_document.einvoice.ubl import to_ubl  # noqa: E402
from docmesh_document.pdf import Letterhead, render_pdf  # noqa: E402
from docmesh_document.pdf.factur_x import factur_x  # noqa: E402
from docmesh_document.service import do_export_pdf  # noqa: E402
from tests.document.einvoice_cases import CASES  # noqa: E402
from tests.document.einvoice_validators import CII_SCHEMATRON, UBL_SCHEMATRON, schematron_report  # noqa: E402


def invoice(lines: int, rng: random.Random) -> Invoice:
    """An EN 16931-complete invoice (the test suite's first case) with ``lines`` random lines."""
    items = [
        LineItem(
            description=f"Item {i}",
            quantity=Decimal(rng.randint(1, 40)) / 2,
            unit_price=Decimal(rng.randint(1, 500_000)) / 100,
            tax_names=[rng.choice(["VAT", "Reduced"])],
        )
        for i in range(lines)
    ]
    return CASES[0].model_copy(
        update={
            "line_items": items,
            "discounts": [Discount(percent=Decimal("3.5"))],
            "shipping": Decimal("9.90"),
        }
    )


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def p50_p90(samples: list[float]) -> str:
    if len(samples) < 2:
        return f"{samples[0]:8.2f} {samples[0]:8.2f}"
    deciles = statistics.quantiles(samples, n=10, method="inclusive")
    return f"{statistics.median(samples):8.2f} {deciles[8]:8.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--invoices", type=int, default=20, help="invoices per size")
    parser.add_argument("--sizes", default="5,50,200", help="line counts, comma-separated")
    args = parser.parse_args()
    rng = random.Random(15)
    letterhead = Letterhead(iban="DE89370400440532013000", bic="COBADEFFXXX")

    # Compile both stylesheets and warm the writers once, outside the timing.
    warm = invoice(3, rng)
    schematron_report(to_ubl(warm))
    schematron_report(to_cii(warm), CII_SCHEMATRON)
    factur_x(render_pdf(warm, letterhead), warm)

    operations: dict[str, Callable[[Invoice, bytes, bytes, bytes], object]] = {
        "UBL export": lambda inv, ubl, cii, pdf: to_ubl(inv),
        "CII export": lambda inv, ubl, cii, pdf: to_cii(inv),
        "Factur-X PDF": lambda inv, ubl, cii, pdf: do_export_pdf(inv, letterhead, "en", "invoice"),
        "  of which Factur-X": lambda inv, ubl, cii, pdf: factur_x(pdf, inv),
        "UBL schematron": lambda inv, ubl, cii, pdf: schematron_report(ubl, UBL_SCHEMATRON),
        "CII schematron": lambda inv, ubl, cii, pdf: schematron_report(cii, CII_SCHEMATRON),
    }
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"ms per invoice, {args.invoices} invoices per size (p50 / p90)")
    print(f"{'operation':22}" + "".join(f"{f'{n} lines':>18}" for n in sizes))
    results: dict[str, list[str]] = {name: [] for name in operations}
    for lines in sizes:
        invoices = [invoice(lines, rng) for _ in range(args.invoices)]
        inputs = [(inv, to_ubl(inv), to_cii(inv), render_pdf(inv, letterhead)) for inv in invoices]
        samples: dict[str, list[float]] = {name: [] for name in operations}
        for inv, ubl, cii, pdf in inputs:
            # Interleaved: every operation on one invoice before the next, so load drifts hit all alike.
            for name, op in operations.items():
                samples[name].append(timed(functools.partial(op, inv, ubl, cii, pdf)))
        for name in operations:
            results[name].append(p50_p90(samples[name]))
    for name, cells in results.items():
        print(f"{name:22}" + "".join(f"{cell:>18}" for cell in cells))
    print(f"load average while measuring: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
