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
    ``coord(2, 7) -> "B7"``, ``cell_position("B7") -> (2, 7) | None``, ``is_valid_coord``,
    ``is_valid_col``, ``COORD_RE``, ``CoordError``.
Numbers (``jsnum``)
    ``js_number(text) -> float`` (JavaScript ``Number()``), ``format_number(x) -> str``
    (JavaScript ``String(x)``).
Text ↔ model (``parser``, ``serializer``)
    ``parse(text, *, lenient=False) -> Document`` (raises ``MscParseError`` with ``.errors``:
    list of ``ParseIssue(line, code, message, cell)``), ``parse_lenient(text) -> ParseResult``
    (document + issues, never raises), ``serialize(doc) -> str``,
    ``serialize_sheet(sheet) -> str``, ``canonicalize(sheet) -> Sheet``.
Formulas (``compiler``, ``evaluator``, ``functions``, ``fastpath``)
    ``compile_formula(text) -> CompiledFormula`` (cached; ``.error`` set when it does not
    parse), ``parse_formula(text)`` (raises ``FormulaSyntaxError``), ``FUNCTIONS`` (all 140
    SocialCalc names → argument count: n exact, -n at least n, 100 unchecked),
    ``SIDE_EFFECT_FUNCTIONS`` (the EtherCalc widgets among them), ``IMPLEMENTED`` (the ones
    docmesh evaluates), ``evaluate_text(formula, EvalContext(cells, names, lastrow)) ->
    (value, type, error)``, ``evaluate(compiled, ctx)``. The evaluator core lives in
    ``evaluator`` (operands in ``operands``, value types in ``valuetypes``), the functions in
    one module per family under ``functions``; ``fastpath`` runs plain arithmetic as compiled
    Python.
Recalculation (``recalc``)
    ``recalculate(sheet) -> RecalcResult(order, cycles, changed, errors)`` (in place: rewrites
    cached values and ``e:``), ``recalculate_copy(sheet) -> (copy, RecalcResult)``,
    ``clear_caches()`` (forget every formula-keyed cache: a cold start, for measurements).
Validation and correction (``validate``, ``correct``)
    ``validate(text, *, sheet_checks=()) -> list[Finding(level, code, line, cell, severity,
    message)]`` (codes tabled in ``validate``'s docstring; ``sheet_checks`` are further
    ``SheetCheck`` functions run on the recalculated copy, such as the invoice arithmetic of
    ``docmesh_document.invoice_checks``), ``is_valid(findings)``, ``check_document(doc, *,
    sheet_checks=())``, ``correct(text) -> CorrectionResult(text, fixes: list[Fix(code, line,
    cell, description)], findings)`` (fix codes tabled in ``correct``'s docstring).
"""

from docmesh_document.msc.compiler import CompiledFormula, FormulaSyntaxError, compile_formula, parse_formula
from docmesh_document.msc.coords import (
    COORD_RE,
    CoordError,
    cell_position,
    col_name,
    col_number,
    coord,
    is_valid_col,
    is_valid_coord,
    parse_coord,
)
from docmesh_document.msc.correct import CorrectionResult, Fix, correct
from docmesh_document.msc.escaping import decode, encode
from docmesh_document.msc.evaluator import EvalContext, evaluate, evaluate_text
from docmesh_document.msc.functions import FUNCTIONS, IMPLEMENTED, SIDE_EFFECT_FUNCTIONS
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
from docmesh_document.msc.recalc import RecalcResult, clear_caches, recalculate, recalculate_copy
from docmesh_document.msc.serializer import canonicalize, serialize, serialize_sheet
from docmesh_document.msc.validate import Finding, SheetCheck, check_document, is_valid, validate

__all__ = [
    "BOUNDARY",
    "COORD_RE",
    "FUNCTIONS",
    "IMPLEMENTED",
    "SIDE_EFFECT_FUNCTIONS",
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
    "SheetCheck",
    "canonicalize",
    "cell_position",
    "check_document",
    "clear_caches",
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
    "is_valid_col",
    "is_valid_coord",
    "js_number",
    "parse",
    "parse_coord",
    "parse_formula",
    "parse_lenient",
    "parse_sheet",
    "recalculate",
    "recalculate_copy",
    "serialize",
    "serialize_sheet",
    "validate",
]
