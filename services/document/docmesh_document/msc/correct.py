"""Deterministic corrector for MSC documents (no LLM, no guessing).

``correct(text)`` applies the fixes below, reports each one as a :class:`Fix`, and returns the
corrected text together with the findings that remain (``validate`` of the result). A fix is
applied only when the intended meaning is unambiguous; anything else stays a finding.

Text-level fixes (line by line, before parsing):

=====================  ==========================================================================
code                   fix
=====================  ==========================================================================
bom                    remove a leading UTF-8 byte order mark
crlf                   CRLF (and trailing CR) line endings → LF
lowercase-coordinate   ``cell:c9`` / ``cell:$C$9`` → ``cell:C9`` (only if no cell C9 exists)
unescaped-colon        raw ``:`` inside a cell value/formula/comment, a ``cellformat`` /
                       ``valueformat`` value, or a ``name`` range definition → ``\\c``; for a
                       formula only when exactly one reading of the fields gives a formula that
                       parses
leading-equals         ``vtf`` formula ``=SUM(…)`` → ``SUM(…)`` (only when the rest parses)
=====================  ==========================================================================

Model-level fixes (applied only when the document then re-serializes without losing any line;
the text is then written in the engine's canonical order):

=====================  ==========================================================================
missing-version        add ``version:1.5``
missing-sheet-line     add ``sheet:c:<C>:r:<R>`` covering the used cells
sheet-size             enlarge ``c``/``r`` to cover the used cells
undefined-style        clear a style index that has no table entry (it already renders as the
                       default, so the look does not change; the engine would write
                       ``f:undefined`` on re-save)
stale-value            recalculate and rewrite cached ``vtf`` values and ``e:`` attributes
=====================  ==========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docmesh_document.msc.compiler import compile_formula
from docmesh_document.msc.coords import COORD_RE, col_number, is_valid_col, parse_coord
from docmesh_document.msc.escaping import encode
from docmesh_document.msc.jsnum import is_plain_number
from docmesh_document.msc.model import Sheet
from docmesh_document.msc.parser import parse_lenient
from docmesh_document.msc.recalc import recalculate
from docmesh_document.msc.serializer import serialize
from docmesh_document.msc.validate import Finding, validate

__all__ = ["CorrectionResult", "Fix", "correct"]

# Codes of parse problems that mean the model does not hold everything the text says; the
# corrector then must not rewrite the text from the model (that would drop lines silently).
_LOSSY = {
    "unknown-line-type",
    "unknown-cell-attribute",
    "unknown-col-attribute",
    "unknown-row-attribute",
    "empty-attribute",
    "missing-value",
    "field-count",
    "unescaped-colon",
    "bad-coordinate",
    "bad-number",
    "bad-index",
    "bad-value-type",
    "multipart",
}

# Number of value fields of each cell attribute (§4).
_ARITY = {
    "v": 1, "t": 1, "vt": 2, "vtf": 3, "vtc": 3, "e": 1, "b": 4, "l": 1, "f": 1, "c": 1, "bg": 1,
    "cf": 1, "tvf": 1, "ntvf": 1, "colspan": 1, "rowspan": 1, "cssc": 1, "csss": 1, "mod": 1,
    "comment": 1, "ro": 1,
}  # fmt: skip
# Attributes whose (last) value is free text that may legitimately contain a colon.
_TEXTUAL = {"t", "vt", "vtf", "vtc", "e", "comment", "csss"}


@dataclass(frozen=True)
class Fix:
    code: str
    line: int
    cell: str
    description: str


@dataclass
class CorrectionResult:
    text: str
    fixes: list[Fix] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def correct(text: str) -> CorrectionResult:
    """Fix what can be fixed deterministically; report every fix and what remains."""
    fixes: list[Fix] = []
    if text.startswith("\ufeff"):
        text = text.lstrip("\ufeff")  # all of them, as the parser reads a doubled BOM as one defect
        fixes.append(Fix("bom", 1, "", "removed the byte order mark"))
    if "\r" in text:
        lines = text.split("\n")
        crlf_lines = [i + 1 for i, ln in enumerate(lines) if ln.endswith("\r")]
        if crlf_lines:
            text = "\n".join(ln[:-1] if ln.endswith("\r") else ln for ln in lines)
            fixes.append(
                Fix("crlf", crlf_lines[0], "", f"converted {len(crlf_lines)} CRLF line ending(s) to LF")
            )
    text = _fix_lines(text, fixes)

    result = parse_lenient(text)
    if not any(i.code in _LOSSY and i.severity == "error" for i in result.issues):
        doc = result.document
        before = serialize(doc)
        _fix_model(doc.sheet, fixes)
        after = serialize(doc)
        if after != before or fixes:
            text = after
    return CorrectionResult(text, fixes, validate(text))


# ---------------------------------------------------------------- line fixes


def _fix_lines(text: str, fixes: list[Fix]) -> str:
    lines = text.split("\n")
    existing = {ln.split(":", 2)[1] for ln in lines if ln.startswith("cell:") and ln.count(":") >= 1}
    for i, line in enumerate(lines):
        lineno = i + 1
        if line.startswith("cell:"):
            lines[i] = _fix_cell_line(line, lineno, existing, fixes)
        elif line.startswith(("cellformat:", "valueformat:")):
            parts = line.split(":")
            if len(parts) > 3:
                value = ":".join(parts[2:])
                lines[i] = f"{parts[0]}:{parts[1]}:{encode(value)}"
                fixes.append(Fix("unescaped-colon", lineno, "", f"escaped ':' in {parts[0]} value '{value}'"))
        elif line.startswith("name:"):
            parts = line.split(":")
            # name:N:desc:A1:B7 — a raw range colon in the definition (both halves coordinates).
            if len(parts) == 5 and all(COORD_RE.match(p.upper().replace("$", "")) for p in parts[3:5]):
                lines[i] = f"name:{parts[1]}:{parts[2]}:{parts[3]}\\c{parts[4]}"
                fixes.append(Fix("unescaped-colon", lineno, "", f"escaped the range ':' in name {parts[1]}"))
    return "\n".join(lines)


def _tail_ok(parts: list[str], j: int) -> bool:
    """True when parts[j:] is a clean attribute list (known keys, enough fields)."""
    n = len(parts)
    while j < n:
        key = parts[j]
        if key == "":
            return not any(parts[j:])
        if key not in _ARITY:
            return False
        j += 1 + _ARITY[key]
        if j > n:
            return False
    return True


def _fix_cell_line(line: str, lineno: int, existing: set[str], fixes: list[Fix]) -> str:
    parts = line.split(":")
    if len(parts) < 2:
        return line
    coord = parts[1]
    if not COORD_RE.match(coord):
        fixed = coord.upper().replace("$", "")
        if COORD_RE.match(fixed) and fixed not in existing:
            fixes.append(
                Fix("lowercase-coordinate", lineno, fixed, f"coordinate '{coord}' written as '{fixed}'")
            )
            parts[1] = coord = fixed
            existing.add(fixed)
    out = parts[:2]
    j = 2
    n = len(parts)
    while j < n:
        key = parts[j]
        if key == "" or key not in _ARITY:
            break
        arity = _ARITY[key]
        end = j + 1 + arity
        if end <= n and _tail_ok(parts, end):
            fields = parts[j + 1 : end]
        elif key in _TEXTUAL and (end > n or (parts[end] != "" and parts[end] not in _ARITY)):
            # Only an unknown word right after the value means a raw ':' split it; an empty
            # attribute name ("::") is a different mistake whose meaning we cannot know.
            merged = _merge_fields(key, parts, j + 1, arity)
            if merged is None:
                break
            fields, end = merged
            fixes.append(Fix("unescaped-colon", lineno, coord, f"escaped ':' inside the {key} value"))
        else:
            break
        if key == "vtf" and fields[2].startswith("=") and not compile_formula(fields[2][1:]).error:
            fixes.append(
                Fix("leading-equals", lineno, coord, f"removed the leading '=' of formula {fields[2]}")
            )
            fields = [fields[0], fields[1], fields[2][1:]]
        out.append(key)
        out.extend(fields)
        j = end
    out.extend(parts[j:])
    return ":".join(out)


def _merge_fields(key: str, parts: list[str], start: int, arity: int) -> tuple[list[str], int] | None:
    """Re-split the fields of a text attribute that contain raw colons; None if ambiguous."""
    n = len(parts)
    # Candidate ends: where the rest of the line is a clean attribute list.
    ends = [k for k in range(start + arity, n + 1) if _tail_ok(parts, k)]
    candidates: list[tuple[list[str], int]] = []
    for k in ends:
        run = parts[start:k]
        if key in ("t", "e", "comment", "csss"):
            candidates.append(([encode(":".join(run))], k))
        elif key == "vt":
            candidates.append(([run[0], encode(":".join(run[1:]))], k))
        else:  # vtf / vtc: type, value, formula-or-source
            vtype = run[0]
            for s in range(2, len(run)):
                value, tail = ":".join(run[1:s]), ":".join(run[s:])
                if vtype.startswith("n") and not is_plain_number(value):
                    continue
                if key == "vtf" and compile_formula(tail.removeprefix("=")).error:
                    continue
                candidates.append(([vtype, encode(value), encode(tail)], k))
    # Only an unambiguous reading is applied; the shortest tail that parses wins ties of the
    # same split so that trailing attributes (":f:1") stay attributes.
    if not candidates:
        return None
    by_end: dict[int, list[tuple[list[str], int]]] = {}
    for c in candidates:
        by_end.setdefault(c[1], []).append(c)
    # Prefer the earliest end where the rest of the line is clean; it must have one reading.
    first = by_end[min(by_end)]
    if len(first) != 1:
        return None
    return first[0]


# ---------------------------------------------------------------- model fixes


def _used_area(sheet: Sheet) -> tuple[int, int]:
    maxcol = maxrow = 1
    for coord in sheet.cells:
        if COORD_RE.match(coord):
            c, r = parse_coord(coord)
            maxcol, maxrow = max(maxcol, c), max(maxrow, r)
    for name in sheet.cols:
        if is_valid_col(name):
            maxcol = max(maxcol, col_number(name))
    if sheet.rows:
        maxrow = max(maxrow, max(sheet.rows))
    return maxcol, maxrow


def _fix_model(sheet: Sheet, fixes: list[Fix]) -> None:
    if not sheet.version:
        sheet.version = "1.5"
        fixes.append(Fix("missing-version", 0, "", "added version:1.5"))
    maxcol, maxrow = _used_area(sheet)
    a = sheet.attribs
    if not sheet.has_sheet_line:
        sheet.has_sheet_line = True
        a.lastcol, a.lastrow = maxcol, maxrow
        fixes.append(Fix("missing-sheet-line", 0, "", f"added sheet:c:{maxcol}:r:{maxrow}"))
    elif a.lastcol < maxcol or a.lastrow < maxrow:
        old = (a.lastcol, a.lastrow)
        a.lastcol, a.lastrow = max(a.lastcol, maxcol), max(a.lastrow, maxrow)
        fixes.append(
            Fix(
                "sheet-size",
                sheet.sheet_line,
                "",
                f"sheet:c:{old[0]}:r:{old[1]} → c:{a.lastcol}:r:{a.lastrow}",
            )
        )
    refs = {
        "font": "fonts",
        "color": "colors",
        "bgcolor": "colors",
        "layout": "layouts",
        "cellformat": "cellformats",
        "textvalueformat": "valueformats",
        "nontextvalueformat": "valueformats",
    }
    for coord, cell in sheet.cells.items():
        for attr, table in refs.items():
            idx = getattr(cell, attr)
            if idx and idx not in getattr(sheet, table):
                setattr(cell, attr, 0)
                fixes.append(
                    Fix("undefined-style", sheet.cell_lines.get(coord, 0), coord,
                        f"cleared {attr} {idx}: no such {table[:-1]} entry (it rendered as default)")
                )  # fmt: skip
        if any(b and b not in sheet.borders for b in cell.borders):
            cell.borders = tuple(b if b in sheet.borders else 0 for b in cell.borders)  # type: ignore[assignment]
            fixes.append(
                Fix(
                    "undefined-style",
                    sheet.cell_lines.get(coord, 0),
                    coord,
                    "cleared undefined border indexes",
                )
            )
    for attr, table in (
        ("defaultfont", "fonts"),
        ("defaultcolor", "colors"),
        ("defaultbgcolor", "colors"),
        ("defaultlayout", "layouts"),
        ("defaulttextformat", "cellformats"),
        ("defaultnontextformat", "cellformats"),
        ("defaulttextvalueformat", "valueformats"),
        ("defaultnontextvalueformat", "valueformats"),
    ):
        idx = getattr(a, attr)
        if idx and idx not in getattr(sheet, table):
            setattr(a, attr, 0)
            fixes.append(
                Fix("undefined-style", sheet.sheet_line, "", f"cleared sheet {attr} {idx}: undefined")
            )
    result = recalculate(sheet)
    for coord in result.changed:
        cell = sheet.cells[coord]
        fixes.append(
            Fix("stale-value", sheet.cell_lines.get(coord, 0), coord,
                f"cached value of {cell.formula} rewritten as {cell.valuetype}:{cell.value}")
        )  # fmt: skip
