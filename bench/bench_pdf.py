"""PDF and XLSX export benchmark (printed figures): what a download of a finished document costs.

* the PDF of a one-page invoice (10 lines) and of a multi-page one (default 120 lines), as
  time per page (``render_pdf``: layout, fonts embedded, page numbers);
* the XLSX export of a 50-line invoice (``do_export``: parse, recalculate, the workbook with
  cached values, page setup and properties), what the Export RPC does.

Usage: .venv/bin/python bench/bench_pdf.py [--long-lines 120] [--iterations 40]
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_document import fifty_line_invoice, measure  # noqa: E402
from docmesh_document.exports import ExportFormat, XlsxProperties  # noqa: E402
from docmesh_document.pdf import Letterhead, render_pdf  # noqa: E402
from docmesh_document.render import render_invoice  # noqa: E402
from docmesh_document.service import do_export  # noqa: E402

_PAGE_RE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def page_count(pdf: bytes) -> int:
    """Page objects in the file (ReportLab writes them uncompressed)."""
    return len(_PAGE_RE.findall(pdf))


LETTERHEAD = Letterhead(iban="DE89370400440532013000", bic="COBADEFFXXX", footer="Docmesh Consulting")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--long-lines", type=int, default=120)
    parser.add_argument("--iterations", type=int, default=40)
    args = parser.parse_args()

    print("PDF (render_pdf):")
    for lines in (10, args.long_lines):
        invoice = fifty_line_invoice(lines)
        pages = page_count(render_pdf(invoice, LETTERHEAD))
        p50, cpu = measure(
            f"{lines} lines, {pages} page(s)",
            functools.partial(render_pdf, invoice, LETTERHEAD),
            args.iterations,
        )
        print(f"    per page: p50 {p50 / pages:.2f} ms (cpu {cpu / pages:.2f} ms)")

    invoice = fifty_line_invoice(50)
    text = render_invoice(invoice).text()
    props = XlsxProperties(
        sheet_name="Invoice INV-2026-0042", title="Invoice INV-2026-0042", author="Docmesh"
    )
    print("XLSX (the Export RPC's work, do_export):")
    measure("50 lines", lambda: do_export(text, ExportFormat.XLSX, "invoice", props), args.iterations)
    print(f"load average while measuring: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
