"""The MSC document data model (reference §3–§6, §9).

Plain, typed dataclasses with value equality, so ``parse(serialize(doc)) == doc`` can be
checked directly. The model mirrors what SocialCalc keeps in memory after ``ParseSheetSave``
(not the text), with one deliberate difference: style indexes are kept exactly as written
(the engine renumbers them on save; :func:`docmesh_document.msc.serialize.canonicalize` does
that explicitly when wanted).

Source line numbers found by the parser are kept in ``Sheet.cell_lines`` and friends; they
do not take part in equality.

Cell content (``Cell.kind``):

=========  ==============  ==========================================================
kind       save form       fields used
=========  ==============  ==========================================================
``""``     (none)          formatting-only cell; ``valuetype`` is ``"b"``
``"v"``    ``v:`` / ``vt``  ``valuetype`` starting with ``n``, ``value`` a float
``"t"``    ``t:`` / ``vt``  ``valuetype`` starting with ``t``, ``value`` a str
``"f"``    ``vtf:``        ``formula`` (no ``=``), ``valuetype``/``value`` = cached result
``"c"``    ``vtc:``        ``source`` (the typed text), ``valuetype``/``value`` its reading
=========  ==============  ==========================================================

For ``vt``/``vtf``/``vtc`` the value is a float when ``valuetype`` starts with ``n`` and a str
otherwise (this is how the engine reads it). Error values have a valuetype starting with
``e`` (``e#DIV/0!``) and keep their message text as value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "BOUNDARY",
    "STYLE_TABLES",
    "Cell",
    "CellKind",
    "ColAttrs",
    "Document",
    "Name",
    "Part",
    "RowAttrs",
    "Sheet",
    "SheetAttrs",
]

#: Boundary the SocialCalc spreadsheet control writes in the multipart wrapper (§9).
BOUNDARY = "SocialCalcSpreadsheetControlSave"

#: Style table line types, in the order the engine writes them (§8), mapped to Sheet fields.
STYLE_TABLES: dict[str, str] = {
    "border": "borders",
    "cellformat": "cellformats",
    "color": "colors",
    "font": "fonts",
    "layout": "layouts",
    "valueformat": "valueformats",
}


class CellKind(StrEnum):
    """What a cell holds (the engine's ``datatype``)."""

    EMPTY = ""
    VALUE = "v"
    TEXT = "t"
    FORMULA = "f"
    CONSTANT = "c"


@dataclass
class Cell:
    """One ``cell:`` line (§4). Index attributes use 0 for "default / not set"."""

    coord: str
    kind: CellKind = CellKind.EMPTY
    valuetype: str = "b"
    value: float | str = ""
    formula: str = ""  # kind FORMULA: formula text without "=", decoded
    source: str = ""  # kind CONSTANT: the typed source text, decoded
    error: str = ""  # e: attribute (decoded); set iff the recalculated value is an error
    readonly: bool = False  # ro:yes
    borders: tuple[int, int, int, int] = (0, 0, 0, 0)  # b: top, right, bottom, left
    layout: int = 0  # l:
    font: int = 0  # f:
    color: int = 0  # c:
    bgcolor: int = 0  # bg:
    cellformat: int = 0  # cf:
    textvalueformat: int = 0  # tvf:
    nontextvalueformat: int = 0  # ntvf:
    colspan: int = 0  # 0 = not set (1 = explicit single column)
    rowspan: int = 0
    cssc: str = ""  # not encoded in the save format
    csss: str = ""
    mod: str = ""  # written by the engine; its loader discards it, we keep it for round trips
    comment: str = ""

    def copy(self) -> Cell:
        """An independent copy. Every field is an immutable value (str, float, int, tuple), so
        a shallow copy is a full copy."""
        if type(self) is not Cell:
            # A subclass may have fields of its own: copy the instance dictionary.
            clone = object.__new__(type(self))
            clone.__dict__.update(self.__dict__)
            return clone
        # Through __init__ (~10x cheaper than copy.copy), not by copying the instance dictionary:
        # that is cheaper still, but leaves a materialised dictionary whose attributes read ~5x
        # slower than those __init__ stores, and copied cells are read many times afterwards.
        return Cell(
            self.coord,
            self.kind,
            self.valuetype,
            self.value,
            self.formula,
            self.source,
            self.error,
            self.readonly,
            self.borders,
            self.layout,
            self.font,
            self.color,
            self.bgcolor,
            self.cellformat,
            self.textvalueformat,
            self.nontextvalueformat,
            self.colspan,
            self.rowspan,
            self.cssc,
            self.csss,
            self.mod,
            self.comment,
        )

    @property
    def is_formula(self) -> bool:
        return self.kind is CellKind.FORMULA

    @property
    def is_error(self) -> bool:
        return self.valuetype.startswith("e")

    @property
    def has_content(self) -> bool:
        return self.kind is not CellKind.EMPTY


@dataclass
class ColAttrs:
    """``col:<COL>:w:<width>:hide:<yes>`` — width is text (pixels, ``auto``, ``N%``)."""

    width: str = ""
    hide: str = ""


@dataclass
class RowAttrs:
    """``row:<n>:h:<height>:hide:<yes>``."""

    height: float = 0
    hide: str = ""


@dataclass
class SheetAttrs:
    """The ``sheet:`` line (§6). Zero / empty means "not set"."""

    lastcol: int = 1
    lastrow: int = 1
    defaultcolwidth: str = ""  # w
    defaultrowheight: float = 0  # h
    defaulttextformat: int = 0  # tf  (cellformat index)
    defaultnontextformat: int = 0  # ntf (cellformat index)
    defaulttextvalueformat: int = 0  # tvf (valueformat index)
    defaultnontextvalueformat: int = 0  # ntvf (valueformat index)
    defaultcolor: int = 0  # color
    defaultbgcolor: int = 0  # bgcolor
    defaultfont: int = 0  # font
    defaultlayout: int = 0  # layout
    circularreferencecell: str = ""
    recalc: str = ""
    needsrecalc: str = ""
    usermaxcol: int = 0
    usermaxrow: int = 0


@dataclass
class Name:
    """A named range: ``name:<NAME>:<description>:<definition>`` (all decoded).

    ``definition`` is ``B5``, ``A1:B7`` or ``=formula``.
    """

    name: str
    description: str = ""
    definition: str = ""


@dataclass
class Sheet:
    """A sheet save (the bare ``version:1.5`` form)."""

    cells: dict[str, Cell] = field(default_factory=dict)
    cols: dict[str, ColAttrs] = field(default_factory=dict)  # keyed by column name ("A")
    rows: dict[int, RowAttrs] = field(default_factory=dict)  # keyed by row number
    attribs: SheetAttrs = field(default_factory=SheetAttrs)
    # Style tables: 1-based index -> style string (decoded for cellformat/valueformat).
    fonts: dict[int, str] = field(default_factory=dict)
    colors: dict[int, str] = field(default_factory=dict)
    borders: dict[int, str] = field(default_factory=dict)
    layouts: dict[int, str] = field(default_factory=dict)
    cellformats: dict[int, str] = field(default_factory=dict)
    valueformats: dict[int, str] = field(default_factory=dict)
    names: dict[str, Name] = field(default_factory=dict)  # keyed by upper-case name
    copiedfrom: str = ""  # "A1:B3" in clipboard saves
    version: str = "1.5"  # "" when the text had no version line
    # False when the text had no sheet: line; ``attribs`` then keeps its defaults (a document
    # with other attributes always writes the line).
    has_sheet_line: bool = True
    # Source positions (1-based line numbers in the parsed text); not part of equality.
    cell_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    sheet_line: int = field(default=0, compare=False, repr=False)
    style_lines: dict[tuple[str, int], int] = field(
        default_factory=dict, compare=False, repr=False
    )  # ("font", 1)
    name_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def style_table(self, kind: str) -> dict[int, str]:
        """The table for a style line type (``"font"``, ``"valueformat"``, ...)."""
        return getattr(self, STYLE_TABLES[kind])

    def cell(self, coord: str) -> Cell:
        """The cell at ``coord``, created (empty) when missing."""
        c = self.cells.get(coord)
        if c is None:
            c = self.cells[coord] = Cell(coord)
        return c


@dataclass
class Part:
    """An extra part of the multipart wrapper, listed in its header after sheet/edit/audit."""

    name: str
    content: str


@dataclass
class Document:
    """A parsed MSC text: a sheet, and (for the multipart wrapper) the other parts.

    ``multipart`` tells which container the text used; :func:`serialize` writes the same one.
    ``edit`` and ``audit`` are kept as raw text (each ends with a newline when non-empty);
    ``None`` means the part is not listed in the header.
    """

    sheet: Sheet = field(default_factory=Sheet)
    multipart: bool = False
    edit: str | None = None
    audit: str | None = None
    extra_parts: list[Part] = field(default_factory=list)
    boundary: str = BOUNDARY
