"""Three-level validator for MSC documents (reference §10, plus logic and invoice checks).

``validate(text)`` never raises for any ``str``; it returns :class:`Finding` objects, each with
``level`` (``syntax``, ``semantic``, ``logic``), a stable ``code``, the 1-based ``line`` (0 when
the finding is about the whole document), the ``cell`` (or ""), ``severity`` (``error`` or
``warning``) and a ``message``. A document is valid when no finding has severity ``error``.

Codes (stable strings):

=========================  ========  ========  ====================================================
code                       level     severity  meaning
=========================  ========  ========  ====================================================
bom                        syntax    error     UTF-8 byte order mark at the start
multipart                  syntax    error     wrapper without a findable sheet part (§9)
multipart-header           syntax    warning   wrapper does not start with socialcalc:version:1.0
bare-sheet                 syntax    warning   no wrapper: EtherCalc loads an empty sheet
unknown-line-type          syntax    error     line type not in §3 (the engine aborts the load)
unknown-cell-attribute     syntax    error     cell attribute not in §4 (e.g. a raw ':' in a value)
unknown-col-attribute      syntax    error     col attribute other than w / hide
unknown-row-attribute      syntax    error     row attribute other than h / hide
unknown-sheet-attribute    syntax    warning   sheet attribute the engine skips
empty-attribute            syntax    error     '::' before further attributes (they are ignored)
missing-value              syntax    error     attribute without its value field(s)
unescaped-colon            syntax    error     raw ':' in a style value (the engine truncates it)
field-count                syntax    error     style/name/layout line with the wrong field count
bad-coordinate             syntax    error     coordinate not A1..ZZn / column not A..ZZ / bad row
bad-number                 syntax    error     numeric field not a plain decimal (warning for vtf)
bad-index                  syntax    error     style index, colspan or rowspan not an integer ≥ 0
bad-value-type             syntax    error     empty value type in vt/vtf/vtc
duplicate-cell             syntax    warning   a cell line appears twice (second applies on top)
obsolete-line              syntax    warning   clipboard/clipboardrange line (ignored)
missing-version            semantic  warning   no version line
missing-sheet-line         semantic  error     no sheet:c:…:r:… line
sheet-size                 semantic  error     c/r do not cover the used cells, or c > 702
undefined-style            semantic  error     style index with no table entry
style-syntax               semantic  warning   font/color/border/layout value not in the §5 form
formula-leading-equals     semantic  error     stored formula starts with '='
formula-syntax             semantic  error     formula does not tokenize/parse
unknown-function           semantic  error     function not in SocialCalc (gives "Unknown function")
wrong-arg-count            semantic  error     known function with the wrong number of arguments
side-effect-function       semantic  warning   EtherCalc widget/side-effect function (§7; not evaluated)
undefined-name             semantic  error     name that is not defined (gives #NAME?)
other-sheet-reference      semantic  warning   Sheet!A1: another EtherCalc room, unavailable here
reference-outside-sheet    semantic  warning   reference beyond sheet c/r (reads as blank)
bad-name-definition        semantic  error     name definition not COORD, COORD:COORD or =formula
merge                      semantic  error     colspan/rowspan < 1, outside the sheet, or covering content
circular-reference         logic     error     cells on a reference loop
formula-error              logic     error     formula evaluates to an error value
stale-value                logic     warning   cached vtf type/value or e: differs from recalculation
invoice-table-missing      logic     warning   invoice checks asked for, but no item table found
invoice-line-amount        logic     error     line amount ≠ quantity × unit price (− discount)
invoice-subtotal           logic     error     subtotal ≠ sum of line amounts
invoice-tax                logic     error     tax amount ≠ base × rate
invoice-total              logic     error     total ≠ subtotal − discounts + taxes + shipping
invoice-balance            logic     error     balance due ≠ total − amount paid
=========================  ========  ========  ====================================================
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from docmesh_document.msc.coords import (
    COORD_RE,
    MAX_COL,
    cell_position,
    col_number,
    is_valid_col,
    parse_coord,
)
from docmesh_document.msc.coords import coord as _coord
from docmesh_document.msc.formula import (
    FUNCTIONS,
    SIDE_EFFECT_FUNCTIONS,
    CompiledFormula,
    TokenType,
    compile_formula,
)
from docmesh_document.msc.model import Cell, CellKind, Document, Sheet
from docmesh_document.msc.parser import ParseIssue, parse_lenient
from docmesh_document.msc.recalc import RecalcResult, recalculate_copy

__all__ = ["LEVELS", "Finding", "check_document", "is_valid", "validate"]

LEVELS = ("syntax", "semantic", "logic")
# The add(code, message, cell="", line=None, severity="error") callback of the checks.
_Add = Callable[..., None]
_SPECIAL = {"#NULL!", "#NUM!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?"}
_STYLE_SYNTAX = {
    "fonts": re.compile(r"^(\*|\S+? \S+?) (\S+?) (\S.*)$"),
    "borders": re.compile(r"^(\S+)\s+(\S+)\s+(\S.+)$"),
    "layouts": re.compile(r"^padding:\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+);vertical-align:\s*(\S+);$"),
    "colors": re.compile(r"^(rgb\(\s*\d+\s*,\s*\d+\s*,\s*\d+\s*\)|#[0-9a-fA-F]{3,6}|[a-zA-Z]+)$"),
}
_NO_BORDERS = (0, 0, 0, 0)
_STYLE_LINE = {"fonts": "font", "borders": "border", "layouts": "layout", "colors": "color"}


@dataclass(frozen=True)
class Finding:
    level: str
    code: str
    line: int
    cell: str
    severity: str
    message: str


def is_valid(findings: list[Finding]) -> bool:
    """True when no finding is an error."""
    return not any(f.severity == "error" for f in findings)


def validate(text: str, *, invoice_checks: bool = False) -> list[Finding]:
    """All findings for an MSC text, syntax first, then semantic, then logic."""
    result = parse_lenient(text)
    findings = [_from_issue(i) for i in result.issues]
    if not result.document.multipart and text.strip():
        findings.append(
            Finding(
                "syntax",
                "bare-sheet",
                0,
                "",
                "warning",
                "bare sheet save: EtherCalc needs the socialcalc:version:1.0 wrapper",
            )
        )
    findings.extend(check_document(result.document, invoice_checks=invoice_checks))
    return findings


def _from_issue(issue: ParseIssue) -> Finding:
    return Finding("syntax", issue.code, issue.line, issue.cell, issue.severity, issue.message)


def check_document(doc: Document, *, invoice_checks: bool = False) -> list[Finding]:
    """Semantic and logic findings for a parsed document (does not modify it)."""
    sheet = doc.sheet
    out: list[Finding] = []
    _semantic(sheet, out)
    work, result = recalculate_copy(sheet)
    _logic(sheet, work, result, out)
    if invoice_checks:
        out.extend(check_invoice(work))
    return out


def _line(sheet: Sheet, coord: str) -> int:
    return sheet.cell_lines.get(coord, 0)


# ---------------------------------------------------------------- semantic


def _semantic(sheet: Sheet, out: list[Finding]) -> None:
    def add(
        code: str, message: str, cell: str = "", line: int | None = None, severity: str = "error"
    ) -> None:
        ln = line if line is not None else (_line(sheet, cell) if cell else 0)
        out.append(Finding("semantic", code, ln, cell, severity, message))

    if not sheet.version:
        add("missing-version", "no version line (the engine writes version:1.5)", line=0, severity="warning")
    a = sheet.attribs
    maxcol = maxrow = 0
    for position in map(cell_position, sheet.cells):
        if position is not None:
            c, r = position
            if c > maxcol:
                maxcol = c
            if r > maxrow:
                maxrow = r
    for name in sheet.cols:
        if is_valid_col(name):
            maxcol = max(maxcol, col_number(name))
    if sheet.rows:
        maxrow = max(maxrow, max(sheet.rows))
    if not sheet.has_sheet_line:
        add("missing-sheet-line", f"no sheet line: write sheet:c:{max(maxcol, 1)}:r:{max(maxrow, 1)}", line=0)
    else:
        if a.lastcol < maxcol or a.lastrow < maxrow:
            add(
                "sheet-size",
                f"sheet:c:{a.lastcol}:r:{a.lastrow} does not cover the used area "
                f"(needs c >= {maxcol}, r >= {maxrow}); cells outside are not rendered or exported",
                line=sheet.sheet_line,
            )
        if a.lastcol > MAX_COL:
            add("sheet-size", f"sheet c {a.lastcol} exceeds {MAX_COL} columns (ZZ)", line=sheet.sheet_line)

    _style_checks(sheet, add)
    _merge_checks(sheet, add)
    for name, entry in sheet.names.items():
        d = entry.definition
        ok = (
            d.startswith("=")
            or COORD_RE.match(d.upper().replace("$", "")) is not None
            or (":" in d and all(COORD_RE.match(p.upper().replace("$", "")) for p in d.split(":", 1)))
        )
        if not ok:
            add(
                "bad-name-definition",
                f"name {name}: definition '{d}' is not COORD, COORD:COORD or =formula",
                line=sheet.name_lines.get(name, 0),
            )
        elif d.startswith("="):
            _formula_checks(sheet, "", d[1:], add, f"name {name}: ")
    formula = CellKind.FORMULA  # bound once: an enum member lookup per cell costs ~70 ns
    for coord, cell in sheet.cells.items():
        if cell.kind is formula:
            _formula_checks(sheet, coord, cell.formula, add, "")


def _style_checks(sheet: Sheet, add: _Add) -> None:
    a = sheet.attribs

    def undefined(key: str, idx: int, table_name: str, coord: str) -> None:
        add("undefined-style", f"{key}:{idx} refers to an undefined {table_name[:-1]} entry", coord)

    # Spelled out field by field, in the order findings are reported: this visits every
    # cell, and a loop over (key, getattr) pairs cost several times as much.
    fonts, colors, layouts = sheet.fonts, sheet.colors, sheet.layouts
    cellformats, valueformats, borders = sheet.cellformats, sheet.valueformats, sheet.borders
    for coord, cell in sheet.cells.items():
        if cell.font and cell.font not in fonts:
            undefined("f", cell.font, "fonts", coord)
        if cell.color and cell.color not in colors:
            undefined("c", cell.color, "colors", coord)
        if cell.bgcolor and cell.bgcolor not in colors:
            undefined("bg", cell.bgcolor, "colors", coord)
        if cell.layout and cell.layout not in layouts:
            undefined("l", cell.layout, "layouts", coord)
        if cell.cellformat and cell.cellformat not in cellformats:
            undefined("cf", cell.cellformat, "cellformats", coord)
        if cell.textvalueformat and cell.textvalueformat not in valueformats:
            undefined("tvf", cell.textvalueformat, "valueformats", coord)
        if cell.nontextvalueformat and cell.nontextvalueformat not in valueformats:
            undefined("ntvf", cell.nontextvalueformat, "valueformats", coord)
        if cell.borders != _NO_BORDERS:
            for side, idx in zip(("top", "right", "bottom", "left"), cell.borders, strict=True):
                if idx and idx not in borders:
                    add("undefined-style", f"b ({side}) {idx} refers to an undefined border entry", coord)
    sheet_refs = {
        "defaultfont": "fonts",
        "defaultcolor": "colors",
        "defaultbgcolor": "colors",
        "defaultlayout": "layouts",
        "defaulttextformat": "cellformats",
        "defaultnontextformat": "cellformats",
        "defaulttextvalueformat": "valueformats",
        "defaultnontextvalueformat": "valueformats",
    }
    for attr, table_name in sheet_refs.items():
        idx = getattr(a, attr)
        if idx and idx not in getattr(sheet, table_name):
            add("undefined-style", f"sheet {attr} {idx} is undefined", line=sheet.sheet_line)
    for table_name, rx in _STYLE_SYNTAX.items():
        for idx, value in getattr(sheet, table_name).items():
            if not rx.match(value):
                add(
                    "style-syntax",
                    f"{_STYLE_LINE[table_name]}:{idx} value '{value}' is not in the form of §5",
                    line=sheet.style_lines.get((_STYLE_LINE[table_name], idx), 0),
                    severity="warning",
                )
    for idx, value in sheet.cellformats.items():
        if value not in ("left", "center", "right"):
            add(
                "style-syntax",
                f"cellformat:{idx} '{value}' is not left/center/right",
                line=sheet.style_lines.get(("cellformat", idx), 0),
                severity="warning",
            )


def _merge_checks(sheet: Sheet, add: _Add) -> None:
    a = sheet.attribs
    for coord, cell in sheet.cells.items():
        if not (cell.colspan or cell.rowspan):
            continue
        position = cell_position(coord)
        if position is None:
            continue
        c, r = position
        cs, rs = cell.colspan or 1, cell.rowspan or 1
        if cs < 1 or rs < 1:
            add("merge", "colspan and rowspan must be >= 1", coord)
            continue
        if c + cs - 1 > a.lastcol or r + rs - 1 > a.lastrow:
            add("merge", f"merge {cs}x{rs} reaches outside the sheet", coord)
        for rr in range(r, r + rs):
            for cc in range(c, c + cs):
                if (cc, rr) == (c, r):
                    continue
                other = sheet.cells.get(_coord(cc, rr))
                if other is not None and other.has_content:
                    add("merge", f"merged area of {coord} covers {other.coord}, which has content", coord)


@lru_cache(maxsize=16384)
def _formula_facts(
    formula: str,
) -> tuple[tuple[tuple[str, int, bool], ...], tuple[tuple[str, int, int], ...]]:
    """What the semantic checks need from a formula that compiles, cached by text.

    An invoice repeats the same formulas sheet after sheet, and the token walks below were a
    large part of the semantic checks. Returns the name tokens as :func:`_arg_counts` gives
    them, and the sheet qualifiers and references in token order: ``("!", 0, 0)`` for a
    ``!`` operator, ``(token text, col, row)`` for a coordinate.
    """
    compiled = compile_formula(formula)
    refs: list[tuple[str, int, int]] = []
    for tok in compiled.tokens:
        if tok.type == TokenType.OP and tok.text == "!":
            refs.append(("!", 0, 0))
        if tok.type == TokenType.COORD:
            c, r = parse_coord(tok.text.replace("$", ""))
            refs.append((tok.text, c, r))
    return tuple(_arg_counts(compiled)), tuple(refs)


def _arg_counts(compiled: CompiledFormula) -> list[tuple[str, int, bool]]:
    """(name, argument count, called with parentheses) for each name token of a formula."""
    toks = compiled.tokens
    out: list[tuple[str, int, bool]] = []
    for i, tok in enumerate(toks):
        if tok.type != TokenType.NAME:
            continue
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if nxt is None or nxt.type != TokenType.OP or nxt.text != "(":
            out.append((tok.text, 0, False))
            continue
        depth = 0
        count = 0
        empty = True
        for t in toks[i + 1 :]:
            if t.type == TokenType.OP and t.text == "(":
                depth += 1
                if depth == 1:
                    continue
            elif t.type == TokenType.OP and t.text == ")":
                depth -= 1
                if depth == 0:
                    break
            elif depth == 1 and t.type == TokenType.OP and t.text == ",":
                count += 1
                continue
            empty = False
        out.append((tok.text, 0 if empty and count == 0 else count + 1, True))
    return out


def _function_findings(name: str, nargs: int, called: bool) -> list[tuple[str, str, str]] | None:
    """(code, message without the prefix, severity) for a function name token; None when the
    name is not a function (a known one, or an unknown one called with parentheses)."""
    if name in FUNCTIONS:
        out: list[tuple[str, str, str]] = []
        want = FUNCTIONS[name]
        ok = want == 100 or (want < 0 and nargs >= -want) or (want >= 0 and nargs == want)
        if not ok:
            need = f"at least {-want}" if want < 0 else f"exactly {want}"
            out.append(("wrong-arg-count", f"{name} takes {need} argument(s), got {nargs}", "error"))
        if name in SIDE_EFFECT_FUNCTIONS:
            message = f"{name} is an EtherCalc widget/side-effect function (docmesh does not evaluate it)"
            out.append(("side-effect-function", message, "warning"))
        return out
    if called:
        return [("unknown-function", f"unknown function {name} (SocialCalc has no such function)", "error")]
    return None


@lru_cache(maxsize=16384)
def _sheet_free_checks(formula: str) -> tuple[tuple[tuple[str, str, str], ...], int, int] | None:
    """The checks of a formula that do not depend on the sheet, cached by text.

    For a formula that compiles (no leading ``=``), whose names are all functions and that has
    no other-sheet reference (nearly every formula): the function findings in token order,
    and the largest column and row it references. None for any other formula, which
    :func:`_formula_checks` checks in full. (The semantic checks visit every formula of every
    document, and an invoice repeats its formula texts.)
    """
    if formula.startswith("=") or compile_formula(formula).error:
        return None
    arg_counts, refs = _formula_facts(formula)
    findings: list[tuple[str, str, str]] = []
    for name, nargs, called in arg_counts:
        found = _function_findings(name, nargs, called)
        if found is None:
            return None
        findings.extend(found)
    max_col = max_row = 0
    for text, c, r in refs:
        if text == "!":
            return None
        max_col, max_row = max(max_col, c), max(max_row, r)
    return tuple(findings), max_col, max_row


def _formula_checks(sheet: Sheet, coord: str, formula: str, add: _Add, prefix: str) -> None:
    a = sheet.attribs
    known = _sheet_free_checks(formula)
    if known is not None:
        findings, max_col, max_row = known
        for code, message, severity in findings:
            add(code, prefix + message, coord, severity=severity)
        if max_col > a.lastcol or max_row > a.lastrow:
            _reference_checks(sheet, coord, formula, add, prefix)
        return
    if formula.startswith("="):
        add(
            "formula-leading-equals",
            f"{prefix}stored formula starts with '=' (the engine reads it as two operators in a row)",
            coord,
        )
    compiled = compile_formula(formula)
    if compiled.error:
        if not formula.startswith("="):
            add("formula-syntax", f"{prefix}formula '{formula}': {compiled.error.strip()}", coord)
        return
    arg_counts, _ = _formula_facts(formula)
    for name, nargs, called in arg_counts:
        found = _function_findings(name, nargs, called)
        if found is not None:
            for code, message, severity in found:
                add(code, prefix + message, coord, severity=severity)
        elif name in sheet.names or name in _SPECIAL:
            pass
        elif re.match(r"^[A-Z]{1,2}$", name):
            pass  # the engine reads a bare column name as row 1 of that column
        else:
            add("undefined-name", f"{prefix}name {name} is not defined", coord)
    _reference_checks(sheet, coord, formula, add, prefix)


def _reference_checks(sheet: Sheet, coord: str, formula: str, add: _Add, prefix: str) -> None:
    a = sheet.attribs
    _, refs = _formula_facts(formula)
    for text, c, r in refs:
        if text == "!":
            add(
                "other-sheet-reference",
                f"{prefix}reference to another sheet: unavailable outside EtherCalc",
                coord,
                severity="warning",
            )
        elif c > a.lastcol or r > a.lastrow:
            add(
                "reference-outside-sheet",
                f"{prefix}{text} is outside the sheet area (reads as blank)",
                coord,
                severity="warning",
            )


# ---------------------------------------------------------------- logic


def _logic(sheet: Sheet, work: Sheet, result: RecalcResult, out: list[Finding]) -> None:
    for cycle in result.cycles:
        for coord in cycle:
            out.append(
                Finding(
                    "logic",
                    "circular-reference",
                    _line(sheet, coord),
                    coord,
                    "error",
                    f"circular reference: {' -> '.join([*cycle, cycle[0]])}",
                )
            )
    circular = set(result.circular_cells)
    for coord in result.order:
        new = work.cells[coord]
        old = sheet.cells[coord]
        if coord in circular:
            continue
        if new.valuetype.startswith("e"):
            out.append(
                Finding(
                    "logic",
                    "formula-error",
                    _line(sheet, coord),
                    coord,
                    "error",
                    f"formula {old.formula} evaluates to {new.valuetype}: {new.error.strip()}",
                )
            )
        if not _same_cached(old.valuetype, old.value, new.valuetype, new.value) or bool(old.error) != bool(
            new.error
        ):
            out.append(
                Finding(
                    "logic",
                    "stale-value",
                    _line(sheet, coord),
                    coord,
                    "warning",
                    f"cached {old.valuetype}:{old.value!s} but recalculation gives "
                    f"{new.valuetype}:{new.value!s}",
                )
            )


def _same_cached(t1: str, v1: object, t2: str, v2: object) -> bool:
    if t1 != t2:
        return False
    if t1.startswith("e"):
        return True  # an error's cached value is informational
    if isinstance(v1, float) and isinstance(v2, float):
        return v1 == v2 or (math.isclose(v1, v2, rel_tol=1e-15, abs_tol=0))
    return v1 == v2


# ---------------------------------------------------------------- invoice arithmetic


# The invoice checks look cells up by (col, row) many times per row; they index the sheet once
# as a grid instead of formatting a coordinate string for every lookup.
_Grid = dict[tuple[int, int], Cell]


def _num(grid: _Grid, c: int, r: int) -> float | None:
    cell = grid.get((c, r))
    if cell is None or not cell.valuetype.startswith("n") or not isinstance(cell.value, float):
        return None
    return cell.value


def _cell_text(cell: Cell | None) -> str:
    if cell is None or not isinstance(cell.value, str) or not cell.valuetype.startswith("t"):
        return ""
    return cell.value.strip().lower()


def _decimals(x: float) -> int:
    s = repr(x)
    if "e" in s or "." not in s:
        return 0
    frac = s.split(".")[1].rstrip("0")
    return min(len(frac), 4)


_TOTAL_LABELS = {"subtotal", "total", "total tax", "total discount", "shipping", "amount paid", "balance due"}


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
        # _cell_text, inlined: this visits every cell.
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
