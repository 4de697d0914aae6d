"""Pure-Python MSC (SocialCalc save format) library: no I/O, usable without the server.

Public API (import from ``docmesh_document.msc``):

Data model (``model``)
    ``Document(sheet, multipart, edit, audit, extra_parts, boundary)``,
    ``Sheet(cells, cols, rows, attribs, fonts, colors, borders, layouts, cellformats,
    valueformats, names, copiedfrom, version)``, ``Cell``, ``CellKind``, ``ColAttrs``,
    ``RowAttrs``, ``SheetAttrs``, ``Name``, ``Part``.
Escaping (``escaping``)
    ``encode(text) -> str``, ``decode(text) -> str``.
Coordinates (``coords``)
    ``col_number("AB") -> 28``, ``col_name(28) -> "AB"``, ``parse_coord("B7") -> (2, 7)``,
    ``coord(2, 7) -> "B7"``, ``is_valid_coord``, ``CoordError``.
Numbers (``jsnum``)
    ``js_number(text) -> float`` (JavaScript ``Number()``), ``format_number(x) -> str``
    (JavaScript ``String(x)``).
Text ↔ model (``parser``, ``serializer``)
    ``parse(text, *, lenient=False) -> Document`` (raises ``MscParseError`` with ``.errors``:
    list of ``ParseIssue(line, code, message, cell)``), ``parse_lenient(text) -> ParseResult``
    (document + issues, never raises), ``serialize(doc) -> str``,
    ``serialize_sheet(sheet) -> str``, ``canonicalize(sheet) -> Sheet``.
Formulas and recalculation (``formula``, ``functions``, ``recalc``)
    ``tokenize``, ``parse_formula(text) -> Node`` (raises ``FormulaSyntaxError``),
    ``FUNCTIONS`` (all 140 SocialCalc names with argument counts),
    ``recalculate(sheet) -> RecalcResult`` (rewrites cached values, returns circular cells).
Validation and correction (``validate``, ``correct``)
    ``validate(text, *, invoice_checks=False) -> list[Finding]``,
    ``correct(text) -> CorrectionResult(text, fixes, findings)``.
"""

from docmesh_document.msc.coords import CoordError, col_name, col_number, coord, is_valid_coord, parse_coord
from docmesh_document.msc.escaping import decode, encode
from docmesh_document.msc.model import (
    BOUNDARY,
    Cell,
    CellKind,
    ColAttrs,
    Document,
    Name,
    Part,
    RowAttrs,
    Sheet,
    SheetAttrs,
)

__all__ = [
    "BOUNDARY",
    "Cell",
    "CellKind",
    "ColAttrs",
    "CoordError",
    "Document",
    "Name",
    "Part",
    "RowAttrs",
    "Sheet",
    "SheetAttrs",
    "col_name",
    "col_number",
    "coord",
    "decode",
    "encode",
    "is_valid_coord",
    "parse_coord",
]
