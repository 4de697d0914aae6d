"""MSC text → :class:`~docmesh_document.msc.model.Document` (reference §2–§4, §6, §9).

Both containers are read: the bare sheet save (``version:1.5`` …) and the
``socialcalc:version:1.0`` multipart wrapper. The line grammar follows SocialCalc's own
``ParseSheetSave``/``CellFromStringParts`` (split on every ``:``, decode the fields the engine
decodes, apply lines in any order, later cell lines on top of earlier ones).

Unlike the engine, which throws at the first bad line and stops loading, the parser keeps
going and records every problem as a :class:`ParseIssue` with its 1-based line number, so a
caller sees all of them at once. :func:`parse` raises :class:`MscParseError` when any issue has
severity ``"error"``; :func:`parse_lenient` returns the document together with the issues
(the validator and the corrector build on it). Nothing is dropped silently: every line that
is not applied in full produces an issue.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from docmesh_document.msc.coords import cell_position, is_valid_col
from docmesh_document.msc.escaping import decode
from docmesh_document.msc.jsnum import PLAIN_NUMBER_RE, is_plain_number, js_number
from docmesh_document.msc.model import Cell, CellKind, ColAttrs, Document, Name, Part, RowAttrs, Sheet

__all__ = ["MscParseError", "ParseIssue", "ParseResult", "parse", "parse_lenient", "parse_sheet"]

_STYLE_FIELD = {
    "font": "fonts",
    "color": "colors",
    "border": "borders",
    "cellformat": "cellformats",
    "valueformat": "valueformats",
}
_INDEX_RE = re.compile(r"^\d+$")
_MIME_RE = re.compile(r"^MIME-Version:\s*1\.0", re.IGNORECASE)
_BOUNDARY_RE = re.compile(r"^Content-Type:\s*multipart/mixed;\s*boundary=(\S+)", re.IGNORECASE)


@dataclass(frozen=True)
class ParseIssue:
    """One problem found while reading the text. ``line`` is 1-based (0 = whole document)."""

    line: int
    code: str
    message: str
    cell: str = ""
    severity: str = "error"  # "error" | "warning"


class MscParseError(ValueError):
    """The text is not a valid MSC document. ``errors`` lists every problem with its line."""

    def __init__(self, errors: list[ParseIssue]) -> None:
        self.errors = errors
        first = errors[0] if errors else None
        summary = f"line {first.line}: {first.message}" if first else "invalid MSC document"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(summary + more)


@dataclass
class ParseResult:
    """What :func:`parse_lenient` found: the best-effort document and all issues."""

    document: Document
    issues: list[ParseIssue] = field(default_factory=list)

    @property
    def errors(self) -> list[ParseIssue]:
        return [i for i in self.issues if i.severity == "error"]


def parse(text: str) -> Document:
    """Parse MSC text strictly: raise :class:`MscParseError` listing every error."""
    result = parse_lenient(text)
    errors = result.errors
    if errors:
        raise MscParseError(errors)
    return result.document


def parse_lenient(text: str) -> ParseResult:
    """Parse MSC text, collecting problems instead of raising. Never raises for any ``str``."""
    issues: list[ParseIssue] = []
    if text.startswith("\ufeff"):
        issues.append(ParseIssue(1, "bom", "byte order mark at the start: SocialCalc does not strip it"))
        # A text saved twice with a BOM starts with several: one defect, reported once, and the
        # corrector removes them all; the lines behind them are checked as what they are.
        text = text.lstrip("\ufeff")
    lines = _split_lines(text)
    if _is_multipart(lines):
        doc = _parse_multipart(lines, issues)
    else:
        sheet = _SheetReader(issues, 0).read(lines)
        doc = Document(sheet=sheet, multipart=False)
    return ParseResult(doc, issues)


def parse_sheet(text: str) -> Sheet:
    """Parse a bare sheet save strictly (no wrapper detection)."""
    issues: list[ParseIssue] = []
    sheet = _SheetReader(issues, 0).read(_split_lines(text))
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise MscParseError(errors)
    return sheet


def _split_lines(text: str) -> list[str]:
    # SocialCalc splits on /\r\n|\n/; a lone CR stays inside the line (as the engine does).
    lines = text.split("\n")
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def _is_multipart(lines: list[str]) -> bool:
    first = next((ln for ln in lines if ln.strip()), "")
    if first.startswith("socialcalc:version:"):
        return True
    return any(_MIME_RE.match(ln) for ln in lines[:10])


def _parse_multipart(lines: list[str], issues: list[ParseIssue]) -> Document:
    doc = Document(multipart=True, sheet=Sheet(version="", has_sheet_line=False))
    first = next((ln for ln in lines if ln.strip()), "")
    if not first.startswith("socialcalc:version:"):
        issues.append(
            ParseIssue(1, "multipart-header", "first line is not socialcalc:version:1.0", severity="warning")
        )
    if not any(_MIME_RE.match(ln) for ln in lines):
        issues.append(ParseIssue(1, "multipart", "no 'MIME-Version: 1.0' line: the reader finds no parts"))
        return doc
    boundary = ""
    for ln in lines:
        m = _BOUNDARY_RE.match(ln)
        if m:
            boundary = m.group(1)
            break
    if not boundary:
        issues.append(ParseIssue(1, "multipart", "no 'Content-Type: multipart/mixed; boundary=' line"))
        return doc
    doc.boundary = boundary
    # Sections: (index of the first body line, body lines) between boundary lines.
    sep, end = "--" + boundary, "--" + boundary + "--"
    sections: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    start = 0
    closed = False
    for i, ln in enumerate(lines):
        if ln.startswith(sep):
            if current is not None:
                sections.append((start, current))
            if ln.rstrip() == end:
                closed = True
                current = None
                break
            current, start = [], i + 1
        elif current is not None:
            current.append(ln)
    if current is not None:
        sections.append((start, current))
    if not closed:
        issues.append(ParseIssue(len(lines), "multipart", f"missing closing boundary line '{end}'"))
    bodies: list[tuple[int, list[str]]] = []
    for start, sec in sections:
        # MIME headers end at the first blank line; the body follows it.
        try:
            blank = sec.index("")
        except ValueError:
            issues.append(ParseIssue(start + 1, "multipart", "part has no blank line after its headers"))
            blank = len(sec) - 1
        bodies.append((start + blank + 1, sec[blank + 1 :]))
    if not bodies:
        issues.append(ParseIssue(1, "multipart", "no parts found"))
        return doc
    names = [ln[5:] for ln in bodies[0][1] if ln.startswith("part:")]
    if "sheet" not in names:
        issues.append(ParseIssue(bodies[0][0] + 1, "multipart", "header part does not list part:sheet"))
    if len(bodies) - 1 < len(names):
        issues.append(
            ParseIssue(
                len(lines), "multipart", f"header lists {len(names)} parts but {len(bodies) - 1} follow"
            )
        )
    for name, (body_start, body) in zip(names, bodies[1:], strict=False):
        content = "".join(ln + "\n" for ln in body)
        if name == "sheet":
            doc.sheet = _SheetReader(issues, body_start).read(body)
        elif name == "edit":
            doc.edit = content
        elif name == "audit":
            doc.audit = content
        else:
            doc.extra_parts.append(Part(name, content))
    return doc


class _SheetReader:
    """Applies the lines of one sheet save to a :class:`Sheet`, recording issues."""

    def __init__(self, issues: list[ParseIssue], offset: int) -> None:
        self.issues = issues
        self.offset = offset  # index of the first line in the whole text (0-based)
        self.sheet = Sheet(version="", has_sheet_line=False)
        self.lineno = 0

    def issue(self, code: str, message: str, cell: str = "", severity: str = "error") -> None:
        self.issues.append(ParseIssue(self.lineno, code, message, cell, severity))

    def read(self, lines: list[str]) -> Sheet:
        seen_cells: set[str] = set()
        for i, line in enumerate(lines):
            self.lineno = self.offset + i + 1
            if not line:
                continue
            parts = line.split(":")
            kind = parts[0]
            handler = _HANDLERS.get(kind)
            if handler is None:
                self.issue("unknown-line-type", f"unknown line type '{kind}'")
                continue
            if kind == "cell" and len(parts) > 1:
                if parts[1] in seen_cells:
                    self.issue("duplicate-cell", f"cell {parts[1]} appears twice", parts[1], "warning")
                seen_cells.add(parts[1])
            handler(self, line, parts)
        return self.sheet

    # -- helpers ---------------------------------------------------------------------------

    def number(self, text: str, what: str, cell: str = "") -> float:
        # Fast path for the usual field, ASCII digits with at most one "." and an optional "-"
        # (all plain decimals, so the regular expression below would match; it costs more).
        digits = text[1:] if text[:1] == "-" else text
        if digits.isascii() and digits.replace(".", "", 1).isdigit():
            return float(text)
        if not PLAIN_NUMBER_RE.match(text):
            self.issue("bad-number", f"{what}: '{text}' is not a plain decimal number", cell)
            v = js_number(text)
            return 0.0 if math.isnan(v) else v
        return float(text)

    def index(self, text: str, what: str, cell: str = "") -> int:
        if text.isdigit() and text.isascii():
            return int(text)
        if text == "":
            return 0  # blank means "none" (e.g. b:::1:)
        self.issue("bad-index", f"{what}: '{text}' is not a non-negative integer", cell)
        v = js_number(text)
        return int(v) if v == v and v not in (math.inf, -math.inf) and v >= 0 else 0

    # -- line types ------------------------------------------------------------------------

    def line_version(self, line: str, parts: list[str]) -> None:
        self.sheet.version = parts[1] if len(parts) > 1 else ""

    def line_cell(self, line: str, parts: list[str]) -> None:
        if len(parts) < 2 or not parts[1]:
            self.issue("bad-coordinate", "cell line without a coordinate")
            return
        coord = parts[1]
        cells = self.sheet.cells
        cell = cells.get(coord)
        if cell is None:
            if cell_position(coord) is None:  # cached: cheaper than matching COORD_RE
                self.issue(
                    "bad-coordinate", f"cell coordinate '{coord}' is not A1..ZZn (upper case, no $)", coord
                )
            self.sheet.cell_lines[coord] = self.lineno
            cell = cells[coord] = Cell(coord)
        self.cell_attributes(cell, parts, 2)

    def cell_attributes(self, cell: Cell, parts: list[str], j: int) -> None:
        """Apply the attributes ``parts[j:]`` of a cell line to ``cell``.

        Writers put the value attribute first (``v``, ``t``, ``vt``, ``vtf``, ``vtc``) and the
        style attributes after it, and a sheet repeats a few style tails over hundreds of
        cells. So the value attribute is read here, and the tail is read once per distinct
        text into the list of assignments it makes (recorded on a stand-in for the cell),
        which is replayed for every cell that has the same tail. A tail that produces issues
        is read again each time: its issues name the cell.
        """
        n = len(parts)
        if j < n and parts[j] in _VALUE_ATTRS:
            j = self.attributes(cell, parts, j, first_only=True)
        if j >= n:
            return
        tail = tuple(parts[j:])
        assignments = _TAIL_ASSIGNMENTS.get(tail)
        if assignments is None:
            recorder = _Recorder(cell.coord)
            issues = len(self.issues)
            self.attributes(recorder, parts, j, first_only=False)
            assignments = tuple(recorder.assignments)
            # Kept only without issues, and only short tails: style attributes are a few small
            # numbers, while a long tail (a comment, an error text) is the cell's own and would
            # only hold memory.
            if len(self.issues) == issues and sum(map(len, tail)) <= _TAIL_MAX_CHARS:
                if len(_TAIL_ASSIGNMENTS) >= _TAIL_CACHE_SIZE:
                    _TAIL_ASSIGNMENTS.clear()  # a crude bound: distinct tails are few in practice
                _TAIL_ASSIGNMENTS[tail] = assignments
        for name, value in assignments:
            setattr(cell, name, value)

    def attributes(self, cell: Cell | _Recorder, parts: list[str], j: int, *, first_only: bool) -> int:
        """Apply attributes from ``parts[j]`` on (only the first with ``first_only``); return
        the index after the last field read, or ``len(parts)`` when the list ended or stopped."""
        coord = cell.coord
        n = len(parts)
        while j < n:
            key = parts[j]
            j += 1
            arity = _CELL_ARITY.get(key)
            if arity is None:
                if key == "":
                    if any(parts[j:]):
                        self.issue(
                            "empty-attribute",
                            "empty attribute name '::' silently ends the attribute list",
                            coord,
                        )
                else:
                    self.issue("unknown-cell-attribute", f"unknown cell attribute '{key}'", coord)
                return n
            if j + arity > n:
                self.issue("missing-value", f"attribute '{key}' needs {arity} value field(s)", coord)
                return n
            first = parts[j]
            j += arity
            if key == "v":
                cell.kind, cell.valuetype = CellKind.VALUE, "n"
                cell.value = self.number(decode(first), "v", coord)
            elif key == "t":
                cell.kind, cell.valuetype, cell.value = CellKind.TEXT, "t", decode(first)
            elif arity > 1 and key != "b":  # vt, vtf, vtc
                vtype = first
                raw = decode(parts[j - arity + 1])
                if not vtype:
                    self.issue("bad-value-type", f"{key}: empty value type", coord)
                value: float | str
                if vtype.startswith("n"):
                    if key != "vtf":
                        value = self.number(raw, key, coord)
                    elif is_plain_number(raw):
                        value = float(raw)  # what self.number does with a plain number
                    else:
                        # A cached formula value is replaced by recalc, so it is only a warning.
                        self.issue(
                            "bad-number", f"vtf cached value '{raw}' is not a number", coord, "warning"
                        )
                        v = js_number(raw)
                        value = 0.0 if math.isnan(v) else v
                else:
                    value = raw
                cell.valuetype, cell.value = vtype, value
                if key == "vt":
                    cell.kind = CellKind.VALUE if vtype.startswith("n") else CellKind.TEXT
                elif key == "vtf":
                    cell.kind, cell.formula = CellKind.FORMULA, decode(parts[j - 1])
                else:
                    cell.kind, cell.source = CellKind.CONSTANT, decode(parts[j - 1])
            elif key == "b":
                cell.borders = (
                    self.index(first, "b", coord),
                    self.index(parts[j - 3], "b", coord),
                    self.index(parts[j - 2], "b", coord),
                    self.index(parts[j - 1], "b", coord),
                )
            elif key in _CELL_INDEX_ATTRS:
                setattr(cell, _CELL_INDEX_ATTRS[key], self.index(first, key, coord))
            elif key == "e":
                cell.error = decode(first)
            elif key == "csss":
                cell.csss = decode(first)
            elif key == "comment":
                cell.comment = decode(first)
            elif key == "cssc":
                cell.cssc = first
            elif key == "mod":
                cell.mod = first
            else:  # ro
                cell.readonly = decode(first).lower() == "yes"
            if first_only:
                return j
        return n

    def line_col(self, line: str, parts: list[str]) -> None:
        name = parts[1] if len(parts) > 1 else ""
        if not is_valid_col(name):
            self.issue("bad-coordinate", f"column name '{name}' is not A..ZZ")
        attrs = self.sheet.cols.setdefault(name, ColAttrs())
        j = 2
        while j < len(parts) and parts[j]:
            key = parts[j]
            if j + 1 >= len(parts):
                self.issue("missing-value", f"col attribute '{key}' has no value")
                return
            val = parts[j + 1]
            j += 2
            if key == "w":
                attrs.width = val
            elif key == "hide":
                attrs.hide = val
            else:
                self.issue("unknown-col-attribute", f"unknown col attribute '{key}'")
                return
        if j < len(parts) - 1 and any(parts[j:]):
            self.issue("empty-attribute", "empty attribute name '::' silently ends the attribute list")

    def line_row(self, line: str, parts: list[str]) -> None:
        text = parts[1] if len(parts) > 1 else ""
        if not re.match(r"^[1-9]\d*$", text):
            self.issue("bad-coordinate", f"row number '{text}' is not a positive integer")
            return
        attrs = self.sheet.rows.setdefault(int(text), RowAttrs())
        j = 2
        while j < len(parts) and parts[j]:
            key = parts[j]
            if j + 1 >= len(parts):
                self.issue("missing-value", f"row attribute '{key}' has no value")
                return
            val = parts[j + 1]
            j += 2
            if key == "h":
                attrs.height = self.number(val, "row height")
            elif key == "hide":
                attrs.hide = val
            else:
                self.issue("unknown-row-attribute", f"unknown row attribute '{key}'")
                return
        if j < len(parts) - 1 and any(parts[j:]):
            self.issue("empty-attribute", "empty attribute name '::' silently ends the attribute list")

    def line_sheet(self, line: str, parts: list[str]) -> None:
        s = self.sheet
        s.has_sheet_line = True
        s.sheet_line = self.lineno
        a = s.attribs
        j = 1
        while j < len(parts) and parts[j]:
            key = parts[j]
            val = parts[j + 1] if j + 1 < len(parts) else ""
            j += 2
            if key in _SHEET_INT_ATTRS:
                setattr(a, _SHEET_INT_ATTRS[key], self.index(val, f"sheet {key}"))
            elif key == "w":
                a.defaultcolwidth = val
            elif key == "h":
                a.defaultrowheight = self.number(val, "sheet h") if val else 0
            elif key in ("circularreferencecell", "recalc", "needsrecalc"):
                setattr(a, key, val)
            else:
                self.issue(
                    "unknown-sheet-attribute", f"unknown sheet attribute '{key}' skipped", severity="warning"
                )

    def line_style(self, line: str, parts: list[str]) -> None:
        kind = parts[0]
        if len(parts) < 3:
            self.issue("field-count", f"{kind} line needs 3 fields: {kind}:<n>:<value>")
            return
        if len(parts) > 3:
            self.issue(
                "unescaped-colon",
                f"{kind} value contains a raw ':' (the engine keeps only '{parts[2]}'); write it as \\c",
            )
        idx = parts[1]
        if not re.match(r"^[1-9]\d*$", idx):
            self.issue("bad-index", f"{kind} index '{idx}' is not a positive integer")
            return
        value = parts[2] if len(parts) == 3 else ":".join(parts[2:])
        if kind in ("cellformat", "valueformat"):
            value = decode(value)
        getattr(self.sheet, _STYLE_FIELD[kind])[int(idx)] = value
        self.sheet.style_lines[(kind, int(idx))] = self.lineno

    def line_layout(self, line: str, parts: list[str]) -> None:
        m = re.match(r"^layout:(\d+):(.+)$", line)
        if not m or m.group(1) == "0" or m.group(1).startswith("0"):
            self.issue("field-count", "layout line must be layout:<n>:<value> with n >= 1")
            return
        self.sheet.layouts[int(m.group(1))] = m.group(2)
        self.sheet.style_lines[("layout", int(m.group(1)))] = self.lineno

    def line_name(self, line: str, parts: list[str]) -> None:
        if len(parts) != 4:
            self.issue("field-count", f"name line needs exactly 4 fields, has {len(parts)} (unescaped ':'?)")
            if len(parts) < 2:
                return
        name = decode(parts[1]).upper()
        desc = decode(parts[2]) if len(parts) > 2 else ""
        definition = decode(parts[3]) if len(parts) > 3 else ""
        self.sheet.names[name] = Name(name, desc, definition)
        self.sheet.name_lines[name] = self.lineno

    def line_copiedfrom(self, line: str, parts: list[str]) -> None:
        self.sheet.copiedfrom = ":".join(parts[1:3])

    def line_ignored(self, line: str, parts: list[str]) -> None:
        self.issue("obsolete-line", f"obsolete '{parts[0]}' line ignored", severity="warning")


class _Recorder:
    """Stands in for a cell while a style tail is read: records the assignments, in order."""

    coord: str
    assignments: list[tuple[str, object]]

    def __init__(self, coord: str) -> None:
        object.__setattr__(self, "coord", coord)
        object.__setattr__(self, "assignments", [])

    def __setattr__(self, name: str, value: object) -> None:
        self.assignments.append((name, value))


# The assignments each style tail of a cell line makes (see _SheetReader.cell_attributes).
_TAIL_ASSIGNMENTS: dict[tuple[str, ...], tuple[tuple[str, object], ...]] = {}
_TAIL_CACHE_SIZE = 4096
_TAIL_MAX_CHARS = 120
_VALUE_ATTRS = frozenset(("v", "t", "vt", "vtf", "vtc"))

# Value fields taken by each cell attribute (§4).
_CELL_ARITY = {
    "v": 1, "t": 1, "vt": 2, "vtf": 3, "vtc": 3, "e": 1, "b": 4, "l": 1, "f": 1, "c": 1, "bg": 1,
    "cf": 1, "tvf": 1, "ntvf": 1, "colspan": 1, "rowspan": 1, "cssc": 1, "csss": 1, "mod": 1,
    "comment": 1, "ro": 1,
}  # fmt: skip
_CELL_INDEX_ATTRS = {
    "l": "layout",
    "f": "font",
    "c": "color",
    "bg": "bgcolor",
    "cf": "cellformat",
    "tvf": "textvalueformat",
    "ntvf": "nontextvalueformat",
    "colspan": "colspan",
    "rowspan": "rowspan",
}
_SHEET_INT_ATTRS = {
    "c": "lastcol",
    "r": "lastrow",
    "tf": "defaulttextformat",
    "ntf": "defaultnontextformat",
    "layout": "defaultlayout",
    "font": "defaultfont",
    "tvf": "defaulttextvalueformat",
    "ntvf": "defaultnontextvalueformat",
    "color": "defaultcolor",
    "bgcolor": "defaultbgcolor",
    "usermaxcol": "usermaxcol",
    "usermaxrow": "usermaxrow",
}
_HANDLERS = {
    "version": _SheetReader.line_version,
    "cell": _SheetReader.line_cell,
    "col": _SheetReader.line_col,
    "row": _SheetReader.line_row,
    "sheet": _SheetReader.line_sheet,
    "font": _SheetReader.line_style,
    "color": _SheetReader.line_style,
    "border": _SheetReader.line_style,
    "cellformat": _SheetReader.line_style,
    "valueformat": _SheetReader.line_style,
    "layout": _SheetReader.line_layout,
    "name": _SheetReader.line_name,
    "copiedfrom": _SheetReader.line_copiedfrom,
    "clipboardrange": _SheetReader.line_ignored,
    "clipboard": _SheetReader.line_ignored,
}
