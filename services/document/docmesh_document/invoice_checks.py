"""Invoice checks: the arithmetic of an invoice sheet, and the checks of a rendered invoice.

The generic MSC validation (:func:`docmesh_document.msc.validate`) knows spreadsheets; these
checks know invoices. They run on the recalculated copy the validator makes (as one of its
``sheet_checks``), so they see the values the formulas give, not the cached ones.

Codes (stable strings; level ``logic``):

=========================  ========  ====================================================
code                       severity  meaning
=========================  ========  ====================================================
invoice-table-missing      warning   invoice checks asked for, but no item table found
invoice-line-amount        error     line amount ≠ quantity × unit price (− discount)
invoice-subtotal           error     subtotal ≠ sum of line amounts
invoice-tax                error     tax amount ≠ base × rate
invoice-total              error     total ≠ subtotal − discounts + taxes + shipping
invoice-balance            error     balance due ≠ total − amount paid
float-precision            warning   (rendered invoices) amounts too large for exact doubles
=========================  ========  ====================================================
"""

from __future__ import annotations

from docmesh_document.msc import Cell, Document, Finding, Sheet, cell_position, check_document, validate
from docmesh_document.msc import coord as _coord
from docmesh_document.render import RenderedInvoice, precision_findings

__all__ = ["check_invoice", "check_invoice_document", "check_rendered_invoice", "validate_invoice"]


def validate_invoice(text: str) -> list[Finding]:
    """:func:`~docmesh_document.msc.validate` of an MSC text, with the invoice arithmetic."""
    return validate(text, sheet_checks=(check_invoice,))


def check_invoice_document(doc: Document) -> list[Finding]:
    """:func:`~docmesh_document.msc.check_document` of a parsed document, with the invoice arithmetic."""
    return check_document(doc, sheet_checks=(check_invoice,))


def check_rendered_invoice(rendered: RenderedInvoice) -> list[Finding]:
    """Every check of a rendered invoice: the document with its arithmetic, and the precision
    warnings for amounts beyond what doubles compute exactly."""
    return check_invoice_document(rendered.document) + precision_findings(rendered)


def _line(sheet: Sheet, coord: str) -> int:
    return sheet.cell_lines.get(coord, 0)


# The invoice checks look cells up by (col, row) many times per row; they index the sheet once
# as a grid instead of formatting a coordinate string for every lookup.
_Grid = dict[tuple[int, int], Cell]


def _num(grid: _Grid, c: int, r: int) -> float | None:
    cell = grid.get((c, r))
    if cell is None or not cell.valuetype.startswith("n") or not isinstance(cell.value, float):
        return None
    return cell.value


def _decimals(x: float) -> int:
    s = repr(x)
    if "e" in s or "." not in s:
        return 0
    frac = s.split(".")[1].rstrip("0")
    return min(len(frac), 4)


def check_invoice(sheet: Sheet) -> list[Finding]:
    """Invoice arithmetic on a recalculated sheet, finding the table by its header labels.

    The header row has Item/Description, Qty/Quantity, Unit price and Amount labels (a
    currency suffix such as "Amount (USD)" is fine); line rows follow until a row without
    quantity and price; the totals rows are labelled Subtotal, <tax name>, Shipping, Total,
    Amount paid, Balance due, with the amount in the Amount column and a tax rate (percent
    value) in the row.
    """
    out: list[Finding] = []
    grid: _Grid = {}
    rows: dict[int, dict[int, str]] = {}
    for k, cell in sheet.cells.items():
        position = cell_position(k)
        if position is None:
            continue
        grid[position] = cell
        # The labels: every text cell's text, trimmed and lower-case.
        value = cell.value
        if isinstance(value, str) and cell.valuetype.startswith("t"):
            t = value.strip().lower()
            if t:
                c, r = position
                rows.setdefault(r, {})[c] = t
    header = None
    for r in sorted(rows):
        labels = rows[r]
        cols: dict[str, int] = {}
        for c, t in labels.items():
            if t in ("qty", "quantity") or t.startswith("qty "):
                cols["qty"] = c
            elif t.startswith("unit price") or t == "price" or t.startswith("price "):
                cols["price"] = c
            elif t == "amount" or t.startswith("amount ("):
                cols["amount"] = c
            elif t in ("item", "description", "item description"):
                cols["desc"] = c
            elif t == "discount":
                cols["disc"] = c
        if {"qty", "price", "amount"} <= cols.keys():
            header = (r, cols)
            break
    if header is None:
        return [
            Finding(
                "logic",
                "invoice-table-missing",
                0,
                "",
                "warning",
                "no invoice item table (header row with Qty, Unit price and Amount) found",
            )
        ]
    hrow, cols = header
    qc, pc, ac = cols["qty"], cols["price"], cols["amount"]
    dc = cols.get("disc")
    lines: list[tuple[int, float]] = []
    quantity_price: dict[int, tuple[float | None, float | None]] = {}  # read once, checked below
    r = hrow + 1
    maxrow = max(rows) if rows else hrow
    while r <= max(maxrow, hrow + 1):
        q, p, a = _num(grid, qc, r), _num(grid, pc, r), _num(grid, ac, r)
        if q is None and p is None:
            break
        if a is not None:
            lines.append((r, a))
            quantity_price[r] = (q, p)
        r += 1
    amounts = [a for _, a in lines]
    # Amounts are rounded to the currency's minor units; their decimals tell the tolerance.
    totals_rows = {}
    for rr in range(r, (max(rows) if rows else r) + 1):
        labels = rows.get(rr, {})
        label = next((labels[c] for c in sorted(labels) if c < ac), "")
        amount = _num(grid, ac, rr)
        if label and amount is not None:
            totals_rows[rr] = (label, amount)
    digits = max([_decimals(x) for x in amounts + [v for _, v in totals_rows.values()]] + [0])
    # One minor unit: the invoice may round half-up, half-even or towards zero.
    tol = 10**-digits + 1e-9

    def add(code: str, row: int, message: str) -> None:
        coord = _coord(ac, row)
        out.append(Finding("logic", code, _line(sheet, coord), coord, "error", message))

    for row, amount in lines:
        q_read, p_read = quantity_price[row]
        q = q_read or 0.0
        p = p_read or 0.0
        gross = q * p
        expected = gross
        if dc is not None:
            dcell = grid.get((dc, row))
            d = _num(grid, dc, row)
            if d is not None and dcell is not None:
                expected = gross - gross * d if dcell.valuetype == "n%" else max(gross - d, 0.0)
        if abs(amount - expected) > tol + abs(expected) * 1e-12:
            add(
                "invoice-line-amount",
                row,
                f"line amount {amount} != quantity {q} x unit price {p} = {expected}",
            )

    subtotal = total = paid = balance = None
    discounts = 0.0
    taxes: list[tuple[int, float, float | None]] = []
    total_tax = None
    shipping = 0.0
    for rr, (label, amount) in sorted(totals_rows.items()):
        rate = next(
            (grid[c, rr].value for c in range(1, ac) if (c, rr) in grid and grid[c, rr].valuetype == "n%"),
            None,
        )
        if label == "subtotal":
            subtotal = (rr, amount)
        elif label == "total":
            total = (rr, amount)
        elif label == "total tax":
            total_tax = amount
        elif label == "total discount":
            discounts = amount
        elif label == "shipping":
            shipping = amount
        elif label == "amount paid":
            paid = amount
        elif label == "balance due":
            balance = (rr, amount)
        elif subtotal is not None and total is None:
            if amount < 0 or "discount" in label:
                discounts += (
                    0.0 if any(lab == "total discount" for lab, _ in totals_rows.values()) else amount
                )
            else:
                taxes.append((rr, amount, rate if isinstance(rate, float) else None))
    if subtotal is not None:
        s = sum(amounts)
        if abs(subtotal[1] - s) > tol * max(1, len(amounts)):
            add("invoice-subtotal", subtotal[0], f"subtotal {subtotal[1]} != sum of line amounts {s}")
        base_all = subtotal[1] + discounts
        for rr, amount, rate in taxes:
            if rate is None:
                continue
            # A tax may apply to a subset of the lines; it can never exceed the full base.
            expected = base_all * rate
            if amount - expected > tol or (
                not dc and abs(amount - expected) > tol and _all_taxed(sheet, rows, hrow, lines)
            ):
                add("invoice-tax", rr, f"tax {amount} != base {base_all} x rate {rate} = {expected}")
        if total is not None:
            tax_sum = total_tax if total_tax is not None else sum(a for _, a, _ in taxes)
            expected_total = subtotal[1] + discounts + tax_sum + shipping
            if abs(total[1] - expected_total) > tol * 4:
                add(
                    "invoice-total",
                    total[0],
                    f"total {total[1]} != subtotal {subtotal[1]} + discounts {discounts} + taxes {tax_sum}"
                    f" + shipping {shipping} = {expected_total}",
                )
    if total is not None and paid is not None and balance is not None:
        if abs(balance[1] - (total[1] - paid)) > tol * 2:
            add("invoice-balance", balance[0], f"balance due {balance[1]} != total {total[1]} - paid {paid}")
    return out


def _all_taxed(
    sheet: Sheet, rows: dict[int, dict[int, str]], hrow: int, lines: list[tuple[int, float]]
) -> bool:
    """True when the table has no per-tax flag columns (every tax applies to every line)."""
    header = rows.get(hrow, {})
    known = (
        "qty",
        "quantity",
        "unit price",
        "price",
        "amount",
        "item",
        "description",
        "discount",
        "#",
        "sku",
        "unit",
    )
    extra = [t for t in header.values() if not any(t == k or t.startswith(k + " ") for k in known)]
    return not extra
