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
Formulas and recalculation (``formula``, ``engine``, ``recalc``)
    ``compile_formula(text) -> CompiledFormula`` (cached; ``.error`` set when it does not
    parse), ``parse_formula(text)`` (raises ``FormulaSyntaxError``), ``FUNCTIONS`` (all 140
    SocialCalc names → argument count: n exact, -n at least n, 100 unchecked),
    ``IMPLEMENTED`` (the ones docmesh evaluates), ``evaluate_text(formula, EvalContext(cells,
    names, lastrow)) -> (value, type, error)``, ``recalculate(sheet) -> RecalcResult(order,
    cycles, changed, errors)`` (in place: rewrites cached values and ``e:``).
Validation and correction (``validate``, ``correct``)
    ``validate(text, *, invoice_checks=False) -> list[Finding(level, code, line, cell,
    severity, message)]`` (codes tabled in ``validate``'s docstring), ``is_valid(findings)``,
    ``check_document(doc)``, ``correct(text) -> CorrectionResult(text, fixes: list[Fix(code,
    line, cell, description)], findings)`` (fix codes tabled in ``correct``'s docstring).
"""

from docmesh_document.msc.coords import CoordError, col_name, col_number, coord, is_valid_coord, parse_coord
from docmesh_document.msc.correct import CorrectionResult, Fix, correct
from docmesh_document.msc.engine import IMPLEMENTED, EvalContext, evaluate, evaluate_text
from docmesh_document.msc.escaping import decode, encode
from docmesh_document.msc.formula import (
    FUNCTIONS,
    CompiledFormula,
    FormulaSyntaxError,
    compile_formula,
    parse_formula,
)
from docmesh_document.msc.jsnum import format_number, js_number
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
from docmesh_document.msc.parser import (
    MscParseError,
    ParseIssue,
    ParseResult,
    parse,
    parse_lenient,
    parse_sheet,
)
from docmesh_document.msc.recalc import RecalcResult, recalculate
from docmesh_document.msc.serializer import canonicalize, serialize, serialize_sheet
from docmesh_document.msc.validate import Finding, check_document, is_valid, validate

__all__ = [
    "BOUNDARY",
    "FUNCTIONS",
    "IMPLEMENTED",
    "Cell",
    "CellKind",
    "ColAttrs",
    "CompiledFormula",
    "CoordError",
    "CorrectionResult",
    "Document",
    "EvalContext",
    "Finding",
    "Fix",
    "FormulaSyntaxError",
    "MscParseError",
    "Name",
    "ParseIssue",
    "ParseResult",
    "Part",
    "RecalcResult",
    "RowAttrs",
    "Sheet",
    "SheetAttrs",
    "canonicalize",
    "check_document",
    "col_name",
    "col_number",
    "compile_formula",
    "coord",
    "correct",
    "decode",
    "encode",
    "evaluate",
    "evaluate_text",
    "format_number",
    "is_valid",
    "is_valid_coord",
    "js_number",
    "parse",
    "parse_coord",
    "parse_formula",
    "parse_lenient",
    "parse_sheet",
    "recalculate",
    "serialize",
    "serialize_sheet",
    "validate",
]
