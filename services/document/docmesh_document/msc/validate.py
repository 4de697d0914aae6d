"""Three-level validator for MSC documents (reference §10, plus logic checks).

``validate(text)`` never raises for any ``str``; it returns :class:`Finding` objects, each with
``level`` (``syntax``, ``semantic``, ``logic``), a stable ``code``, the 1-based ``line`` (0 when
the finding is about the whole document), the ``cell`` (or ""), ``severity`` (``error`` or
``warning``) and a ``message``. A document is valid when no finding has severity ``error``.
Checks that know what a sheet is for (the invoice arithmetic of
:mod:`docmesh_document.invoice_checks`) are passed in as ``sheet_checks`` and run on the
recalculated copy.

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
=========================  ========  ========  ====================================================
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from docmesh_document.msc.compiler import CompiledFormula, TokenType, compile_formula
from docmesh_document.msc.coords import (
    COORD_RE,
    MAX_COL,
    cell_position,
    col_number,
    is_valid_col,
    parse_coord,
)
from docmesh_document.msc.coords import coord as _coord
from docmesh_document.msc.functions.catalog import FUNCTIONS, SIDE_EFFECT_FUNCTIONS
from docmesh_document.msc.model import CellKind, Document, Sheet
from docmesh_document.msc.parser import ParseIssue, parse_lenient
from docmesh_document.msc.recalc import RecalcResult, recalculate_copy

__all__ = ["LEVELS", "Finding", "SheetCheck", "check_document", "is_valid", "validate"]

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


#: A check of the recalculated copy of a sheet, run after the logic checks.
SheetCheck = Callable[[Sheet], list[Finding]]


def is_valid(findings: list[Finding]) -> bool:
    """True when no finding is an error."""
    return not any(f.severity == "error" for f in findings)


def validate(text: str, *, sheet_checks: Sequence[SheetCheck] = ()) -> list[Finding]:
    """All findings for an MSC text, syntax first, then semantic, then logic, then ``sheet_checks``."""
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
    findings.extend(check_document(result.document, sheet_checks=sheet_checks))
    return findings


def _from_issue(issue: ParseIssue) -> Finding:
    return Finding("syntax", issue.code, issue.line, issue.cell, issue.severity, issue.message)


def check_document(doc: Document, *, sheet_checks: Sequence[SheetCheck] = ()) -> list[Finding]:
    """Semantic and logic findings for a parsed document, then those of ``sheet_checks`` on its
    recalculated copy (does not modify it)."""
    sheet = doc.sheet
    out: list[Finding] = []
    _semantic(sheet, out)
    work, result = recalculate_copy(sheet)
    _logic(sheet, work, result, out)
    for check in sheet_checks:
        out.extend(check(work))
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
