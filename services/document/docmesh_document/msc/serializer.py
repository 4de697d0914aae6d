""":class:`~docmesh_document.msc.model.Document` → MSC text, in the engine's canonical order (§8, §9).

Lines come out in the order ``CreateSheetSave`` writes them: ``version``, cells row by row and
left to right, ``col``, ``row``, ``sheet``, the style tables (border, cellformat, color, font,
layout, valueformat), sorted ``name`` lines, ``copiedfrom``, and a final newline. Within a
cell line, attributes follow ``CellToString``.

Style indexes are written exactly as they are in the model, so ``parse(serialize(doc)) == doc``
holds. :func:`canonicalize` applies the engine's own renumbering (unused entries dropped,
kept entries numbered in the sorted order of their strings, ``c``/``r`` shrunk to the used
area) when a byte-for-byte engine-identical save is wanted.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from operator import attrgetter

from docmesh_document.msc.coords import COORD_RE, col_number, is_valid_col, parse_coord
from docmesh_document.msc.escaping import encode
from docmesh_document.msc.jsnum import format_number
from docmesh_document.msc.model import Cell, CellKind, Document, Sheet, SheetAttrs

__all__ = ["canonicalize", "cell_to_string", "serialize", "serialize_sheet"]

_HEADER = "Content-type: text/plain; charset=UTF-8\n\n"


def serialize(doc: Document) -> str:
    """Write the document in the container it came from (bare sheet save or multipart)."""
    sheet_text = serialize_sheet(doc.sheet)
    if not doc.multipart:
        return sheet_text
    b = doc.boundary
    parts: list[tuple[str, str]] = [("sheet", sheet_text)]
    if doc.edit is not None:
        parts.append(("edit", doc.edit))
    if doc.audit is not None:
        parts.append(("audit", doc.audit))
    parts.extend((p.name, p.content) for p in doc.extra_parts)
    out = [
        "socialcalc:version:1.0\n",
        "MIME-Version: 1.0\n",
        f"Content-Type: multipart/mixed; boundary={b}\n",
        f"--{b}\n",
        _HEADER,
        "# SocialCalc Spreadsheet Control Save\n",
        "version:1.0\n",
    ]
    out.extend(f"part:{name}\n" for name, _ in parts)
    for _, content in parts:
        # Each part must end with a newline so that the boundary starts a line (§9).
        if content and not content.endswith("\n"):
            content += "\n"
        out.append(f"--{b}\n")
        out.append(_HEADER)
        out.append(content)
    out.append(f"--{b}--\n")
    return "".join(out)


# Enum members bound once: ``CellKind.VALUE`` is a class attribute lookup (~70 ns) and
# cell_to_string runs for every cell of every save.
_EMPTY, _VALUE, _TEXT = CellKind.EMPTY, CellKind.VALUE, CellKind.TEXT
_FORMULA, _CONSTANT = CellKind.FORMULA, CellKind.CONSTANT

# The attributes CellToString writes after the value part, in its order, read in one C call.
# They describe a cell's style far more often than its content, and a sheet repeats a handful
# of styles across hundreds of cells, so their text is built once per distinct combination.
_STYLE_FIELDS = attrgetter(
    "readonly",
    "error",
    "borders",
    "layout",
    "font",
    "color",
    "bgcolor",
    "cellformat",
    "textvalueformat",
    "nontextvalueformat",
    "colspan",
    "rowspan",
    "cssc",
    "csss",
    "mod",
    "comment",
)
_StyleKey = tuple[
    bool, str, tuple[int, int, int, int], int, int, int, int, int, int, int, int, int, str, str, str, str
]
# (borders, layout, font, color, bgcolor, cellformat, nontextvalueformat, colspan)
_CommonKey = tuple[tuple[int, int, int, int], int, int, int, int, int, int, int]


# Common style key -> its text. A plain dictionary rather than lru_cache: the lookup runs for
# every cell, and the LRU bookkeeping cost a third of it. Cleared when it grows past a bound.
_STYLE_TEXTS: dict[_CommonKey, str] = {}
_STYLE_TEXTS_MAX = 4096


def _style_text(key: _StyleKey) -> str:
    """The attributes after the value part (``:ro:yes``, ``:e:``, ``:b:``, ``:l:``, …)."""
    (readonly, error, borders, layout, font, color, bgcolor, cellformat, tvf, ntvf) = key[:10]
    colspan, rowspan, cssc, csss, mod, comment = key[10:]
    out: list[str] = []
    if readonly:
        out.append(":ro:yes")
    if error:
        out.append(f":e:{encode(error)}")
    if any(borders):
        out.append(":b:" + ":".join(str(x) if x else "" for x in borders))
    for name, index in (
        ("l", layout),
        ("f", font),
        ("c", color),
        ("bg", bgcolor),
        ("cf", cellformat),
        ("tvf", tvf),
        ("ntvf", ntvf),
        ("colspan", colspan),
        ("rowspan", rowspan),
    ):
        if index:
            out.append(f":{name}:{index}")
    if cssc:
        out.append(f":cssc:{cssc}")
    if csss:
        out.append(f":csss:{encode(csss)}")
    if mod:
        out.append(f":mod:{mod}")
    if comment:
        out.append(f":comment:{encode(comment)}")
    return "".join(out)


# The style attributes nearly every styled cell uses are (borders, layout, font, color,
# bgcolor, cellformat, nontextvalueformat, colspan); the others (ro, e, tvf, rowspan, cssc,
# csss, mod, comment) are rarely set, and a cell without them is keyed by these eight alone: a
# shorter key is cheaper to read and to hash, and this runs for every cell.


def _common_style_text(key: _CommonKey) -> str:
    borders, layout, font, color, bgcolor, cellformat, ntvf, colspan = key
    return _style_text(
        (False, "", borders, layout, font, color, bgcolor, cellformat, 0, ntvf, colspan, 0, "", "", "", "")
    )


def cell_to_string(cell: Cell) -> str:
    """The attribute part of a cell line (everything after ``cell:<coord>``), as CellToString."""
    if (
        cell.readonly
        or cell.error
        or cell.textvalueformat
        or cell.rowspan
        or cell.cssc
        or cell.csss
        or cell.mod
        or cell.comment
    ):
        # Rare, and their texts (errors, comments) are the cell's own: not worth keeping.
        style = _style_text(_STYLE_FIELDS(cell))
    else:
        # Spelled out rather than an attrgetter: Python's specialised attribute reads build
        # this tuple in half the time of attrgetter's generic lookups.
        key = (
            cell.borders,
            cell.layout,
            cell.font,
            cell.color,
            cell.bgcolor,
            cell.cellformat,
            cell.nontextvalueformat,
            cell.colspan,
        )
        cached = _STYLE_TEXTS.get(key)
        if cached is None:
            if len(_STYLE_TEXTS) >= _STYLE_TEXTS_MAX:
                _STYLE_TEXTS.clear()
            cached = _STYLE_TEXTS[key] = _common_style_text(key)
        style = cached
    kind = cell.kind
    if kind is _EMPTY:
        return style
    vt = cell.valuetype
    value = cell.value
    text = encode(value) if isinstance(value, str) else format_number(value)
    if kind is _VALUE:
        return f":v:{text}{style}" if vt == "n" else f":vt:{vt}:{text}{style}"
    if kind is _TEXT:
        return f":t:{text}{style}" if vt == "t" else f":vt:{vt}:{text}{style}"
    if kind is _FORMULA:
        return f":vtf:{vt}:{text}:{encode(cell.formula)}{style}"
    if kind is _CONSTANT:
        return f":vtc:{vt}:{text}:{encode(cell.source)}{style}"
    return style


@lru_cache(maxsize=65536)
def _cell_order(coord: str) -> tuple[int, int, int]:
    # Cached like parse_coord: every save sorts all its cells, and coordinates repeat.
    if COORD_RE.match(coord):
        col, row = parse_coord(coord)
        return (0, row, col)
    return (1, 0, 0)  # invalid coordinates (lenient parses) keep their insertion order at the end


def serialize_sheet(sheet: Sheet) -> str:
    """Write a bare sheet save (``version:1.5`` …) in canonical line order."""
    lines: list[str] = []
    if sheet.version:
        lines.append(f"version:{sheet.version}")
    cells = sheet.cells
    lines.extend(f"cell:{coord}{cell_to_string(cells[coord])}" for coord in sorted(cells, key=_cell_order))
    for name in sorted(sheet.cols, key=lambda n: (0, col_number(n)) if is_valid_col(n) else (1, 0)):
        attrs = sheet.cols[name]
        if attrs.width:
            lines.append(f"col:{name}:w:{attrs.width}")
        if attrs.hide:
            lines.append(f"col:{name}:hide:{attrs.hide}")
        if not attrs.width and not attrs.hide:
            lines.append(f"col:{name}")
    for row in sorted(sheet.rows):
        rattrs = sheet.rows[row]
        if rattrs.height:
            lines.append(f"row:{row}:h:{format_number(rattrs.height)}")
        if rattrs.hide:
            lines.append(f"row:{row}:hide:{rattrs.hide}")
        if not rattrs.height and not rattrs.hide:
            lines.append(f"row:{row}")
    if sheet.has_sheet_line or sheet.attribs != SheetAttrs():
        lines.append(_sheet_line(sheet))
    for kind, table, encoded in (
        ("border", sheet.borders, False),
        ("cellformat", sheet.cellformats, True),
        ("color", sheet.colors, False),
        ("font", sheet.fonts, False),
        ("layout", sheet.layouts, False),
        ("valueformat", sheet.valueformats, True),
    ):
        for idx in sorted(table):
            value = encode(table[idx]) if encoded else table[idx]
            lines.append(f"{kind}:{idx}:{value}")
    for name in sorted(sheet.names):
        n = sheet.names[name]
        lines.append(f"name:{encode(n.name).upper()}:{encode(n.description)}:{encode(n.definition)}")
    if sheet.copiedfrom:
        lines.append(f"copiedfrom:{sheet.copiedfrom}")
    lines.append("")
    return "\n".join(lines)


def _sheet_line(sheet: Sheet) -> str:
    a = sheet.attribs
    line = f"sheet:c:{a.lastcol}:r:{a.lastrow}"
    for key, value in (
        ("h", format_number(a.defaultrowheight) if a.defaultrowheight else ""),
        ("w", a.defaultcolwidth),
        ("circularreferencecell", a.circularreferencecell),
        ("recalc", a.recalc),
        ("needsrecalc", a.needsrecalc),
        ("usermaxcol", str(a.usermaxcol) if a.usermaxcol else ""),
        ("usermaxrow", str(a.usermaxrow) if a.usermaxrow else ""),
    ):
        if value:
            line += f":{key}:{encode(value)}"
    for key, ivalue in (
        ("tf", a.defaulttextformat),
        ("ntf", a.defaultnontextformat),
        ("tvf", a.defaulttextvalueformat),
        ("ntvf", a.defaultnontextvalueformat),
        ("color", a.defaultcolor),
        ("bgcolor", a.defaultbgcolor),
        ("font", a.defaultfont),
        ("layout", a.defaultlayout),
    ):
        if ivalue:
            line += f":{key}:{ivalue}"
    return line


# (cell attribute, sheet default attribute, table) triples used by the renumbering.
_CELL_STYLE_REFS = {
    "fonts": (["font"], ["defaultfont"]),
    "colors": (["color", "bgcolor"], ["defaultcolor", "defaultbgcolor"]),
    "layouts": (["layout"], ["defaultlayout"]),
    "cellformats": (["cellformat"], ["defaulttextformat", "defaultnontextformat"]),
    "valueformats": (
        ["textvalueformat", "nontextvalueformat"],
        ["defaulttextvalueformat", "defaultnontextvalueformat"],
    ),
}


def canonicalize(sheet: Sheet) -> Sheet:
    """A copy renumbered like the engine's ``CanonicalizeSheet`` and with c/r shrunk to the used area."""
    s = copy.deepcopy(sheet)
    tables = ["borders", *_CELL_STYLE_REFS]
    for table_name in tables:
        table: dict[int, str] = getattr(s, table_name)
        used: set[int] = set()
        if table_name == "borders":
            for c in s.cells.values():
                used.update(x for x in c.borders if x)
        else:
            cell_attrs, sheet_attrs = _CELL_STYLE_REFS[table_name]
            for c in s.cells.values():
                used.update(getattr(c, a) for a in cell_attrs if getattr(c, a))
            used.update(getattr(s.attribs, a) for a in sheet_attrs if getattr(s.attribs, a))
        kept = sorted({table[i] for i in used if i in table})
        new_index = {v: i + 1 for i, v in enumerate(kept)}
        xlat = {i: new_index[table[i]] for i in used if i in table}
        setattr(s, table_name, {i + 1: v for i, v in enumerate(kept)})
        if table_name == "borders":
            for c in s.cells.values():
                c.borders = tuple(xlat.get(x, 0) for x in c.borders)  # type: ignore[assignment]
        else:
            cell_attrs, sheet_attrs = _CELL_STYLE_REFS[table_name]
            for c in s.cells.values():
                for a in cell_attrs:
                    if getattr(c, a):
                        setattr(c, a, xlat.get(getattr(c, a), 0))
            for a in sheet_attrs:
                if getattr(s.attribs, a):
                    setattr(s.attribs, a, xlat.get(getattr(s.attribs, a), 0))
    maxcol, maxrow = 1, 1
    for coord, c in s.cells.items():
        if COORD_RE.match(coord):
            col, row = parse_coord(coord)
            maxcol = max(maxcol, col + max(c.colspan, 1) - 1)
            maxrow = max(maxrow, row + max(c.rowspan, 1) - 1)
    for name in s.cols:
        if is_valid_col(name):
            maxcol = max(maxcol, col_number(name))
    if s.rows:
        maxrow = max(maxrow, max(s.rows))
    s.attribs.lastcol, s.attribs.lastrow = maxcol, maxrow
    return s
