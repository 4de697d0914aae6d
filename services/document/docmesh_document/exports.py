"""Exports of an MSC document: XLSX (live formulas with cached values, print-ready), CSV
(values), HTML (escaped table), MSC. The PDF is laid out from the invoice instead
(:mod:`docmesh_document.pdf`); it shares only the file naming here (:func:`exported`).

Every exporter takes a parsed :class:`~docmesh_document.msc.model.Document` whose cached values
are current (the service recalculates first) and returns an :class:`ExportedFile`.

Formula injection: text that starts with ``=``, ``+``, ``-`` or ``@`` is data, never a formula.
In XLSX it is written as a string cell (openpyxl would otherwise take ``"=…"`` for a formula);
in CSV every text field that starts with one of those characters, a tab or a carriage return
is prefixed with a single quote and every field is quoted, as the OWASP "CSV Injection" page
recommends. In HTML every text is escaped and style values from the sheet are used only when
they match a strict pattern, so no part of the document becomes markup.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from docmesh_document.msc import (
    Cell,
    CellKind,
    Document,
    Sheet,
    col_name,
    col_number,
    format_number,
    is_valid_col,
    parse_coord,
    serialize,
)
from docmesh_document.sheet_layout import PRINT_TITLES

__all__ = [
    "ExportFormat",
    "ExportedFile",
    "XlsxProperties",
    "display_text",
    "excel_formula",
    "export_document",
    "exported",
    "sheet_title",
    "to_csv",
    "to_html",
    "to_msc",
    "to_xlsx",
]

_EPOCH = dt.date(1899, 12, 30)
_INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_RGB_RE = re.compile(r"^\s*rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)\s*$", re.IGNORECASE)
_HEX_RE = re.compile(r"^\s*#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\s*$")
_BORDER_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)px\s+(solid|dashed|dotted|double)\s+(.+)$", re.IGNORECASE)
_FIXED_RE = re.compile(r"^(#,##)?0(?:\.(0+))?$")
_PERCENT_RE = re.compile(r"^0(?:\.(0+))?%$")
_LITERAL_RE = re.compile(r'^(|"[^"]*")$')
_DATE_FORMATS = {"yyyy-mm-dd", "m/d/yy", "m/d/yyyy", "d-mmm-yyyy", "dd/mm/yyyy", "mm/dd/yyyy"}
_TEXT_FORMATS = ("text-", "hidden", "formula")


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"
    HTML = "html"
    MSC = "msc"
    PDF = "pdf"  # laid out from the invoice by docmesh_document.pdf, not from the sheet
    # EN 16931 e-invoices, written from the invoice by docmesh_document.einvoice
    UBL = "ubl.xml"
    CII = "cii.xml"


_CONTENT_TYPES = {
    ExportFormat.PDF: "application/pdf",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.HTML: "text/html; charset=utf-8",
    ExportFormat.MSC: "text/x-socialcalc; charset=utf-8",
    ExportFormat.UBL: "application/xml",
    ExportFormat.CII: "application/xml",
}
# The formats written from the invoice rather than from the sheet.
INVOICE_FORMATS = frozenset({ExportFormat.PDF, ExportFormat.UBL, ExportFormat.CII})


@dataclass(frozen=True)
class ExportedFile:
    content: bytes
    content_type: str
    file_name: str


@dataclass(frozen=True)
class XlsxProperties:
    """What a workbook says about itself: the sheet's tab, the document properties, the paper."""

    sheet_name: str = "Sheet1"
    title: str = ""
    author: str = ""
    letter: bool = False  # US Letter instead of A4


def exported(content: bytes, fmt: ExportFormat, base_name: str) -> ExportedFile:
    return ExportedFile(
        content=content, content_type=_CONTENT_TYPES[fmt], file_name=f"{base_name}.{fmt.value}"
    )


def export_document(
    doc: Document,
    fmt: ExportFormat,
    base_name: str = "document",
    properties: XlsxProperties | None = None,
) -> ExportedFile:
    """Export ``doc`` (cached values current) as ``fmt``; ``base_name`` names the download."""
    if fmt in INVOICE_FORMATS:
        raise ValueError(f"{fmt.value} is written from the invoice, not from the sheet")
    if fmt is ExportFormat.XLSX:
        content = to_xlsx(doc, properties or XlsxProperties())
    elif fmt is ExportFormat.CSV:
        content = to_csv(doc)
    elif fmt is ExportFormat.HTML:
        content = to_html(doc, title=base_name)
    else:
        content = to_msc(doc)
    return exported(content, fmt, base_name)


# --- shared helpers -----------------------------------------------------------------------


def _hidden_cols(sheet: Sheet) -> set[int]:
    return {col_number(name) for name, attrs in sheet.cols.items() if attrs.hide and is_valid_col(name)}


def _hidden_rows(sheet: Sheet) -> set[int]:
    return {row for row, attrs in sheet.rows.items() if attrs.hide}


def _valueformat(sheet: Sheet, cell: Cell) -> str:
    is_text = not cell.valuetype.startswith("n")
    index = cell.textvalueformat if is_text else cell.nontextvalueformat
    if not index:
        a = sheet.attribs
        index = a.defaulttextvalueformat if is_text else a.defaultnontextvalueformat
    return sheet.valueformats.get(index, "")


def _serial_to_date(serial: float) -> dt.date | None:
    try:
        return _EPOCH + dt.timedelta(days=int(serial))
    except (OverflowError, ValueError):
        return None


def display_text(sheet: Sheet, cell: Cell, *, thousands: bool = True) -> str:
    """The cell's value as a person reads it, for the formats docmesh writes.

    Fixed-decimal formats (``#,##0.00``), percent formats (``0.00%``) and dates are applied;
    any other format shows the plain number. Errors show their code (``#DIV/0!``).
    """
    vt = cell.valuetype
    if vt.startswith("e"):
        return vt[1:] or (str(cell.value) if cell.value != "" else "#ERROR")
    if not vt.startswith("n"):
        return "" if cell.value is None else str(cell.value)
    value = cell.value if isinstance(cell.value, float) else 0.0
    if value != value:  # NaN
        return "NaN"
    fmt = _valueformat(sheet, cell)
    if vt.startswith("nd") or fmt.lower() in _DATE_FORMATS:
        day = _serial_to_date(value)
        if day is not None:
            return day.isoformat()
    if vt == "nl":
        return "TRUE" if value else "FALSE"
    if (literal := _literal_section(fmt, value)) is not None:
        return literal
    if m := _FIXED_RE.match(fmt):
        digits = len(m.group(2) or "")
        return f"{value:{',' if thousands and m.group(1) else ''}.{digits}f}"
    if m := _PERCENT_RE.match(fmt):
        digits = len(m.group(1) or "")
        return f"{value * 100:.{digits}f}%"
    if vt == "n%":
        return format_number(value * 100) + "%"
    return format_number(value)


def _literal_section(fmt: str, value: float) -> str | None:
    """For formats whose sections are all quoted literals (``"✓";;""``): the section's text."""
    sections = fmt.split(";")
    if len(sections) < 2 or not all(_LITERAL_RE.match(s) for s in sections):
        return None
    index = 0 if value > 0 else 1 if value < 0 else 2
    if index >= len(sections) or (index == 1 and not sections[1]):
        index = 0
    return sections[index][1:-1] if sections[index] else ""


def _grid(sheet: Sheet) -> tuple[list[int], list[int]]:
    hidden_c, hidden_r = _hidden_cols(sheet), _hidden_rows(sheet)
    cols = [c for c in range(1, sheet.attribs.lastcol + 1) if c not in hidden_c]
    rows = [r for r in range(1, sheet.attribs.lastrow + 1) if r not in hidden_r]
    return cols, rows


# --- CSV ----------------------------------------------------------------------------------


def _csv_safe(text: str) -> str:
    # OWASP CSV injection: a leading quote makes spreadsheet programs read the field as text.
    return "'" + text if text.startswith(_INJECTION_PREFIXES) else text


def to_csv(doc: Document) -> bytes:
    """The recalculated values of the visible cells, one CSV row per sheet row."""
    sheet = doc.sheet
    cols, rows = _grid(sheet)
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for row in rows:
        record = []
        for col in cols:
            cell = sheet.cells.get(f"{col_name(col)}{row}")
            if cell is None or not cell.has_content:
                record.append("")
            elif cell.valuetype.startswith("n"):
                record.append(display_text(sheet, cell, thousands=False))
            else:
                record.append(_csv_safe(display_text(sheet, cell)))
        writer.writerow(record)
    return out.getvalue().encode("utf-8")


# --- MSC ----------------------------------------------------------------------------------


def to_msc(doc: Document) -> bytes:
    """The MSC text in the multipart wrapper EtherCalc stores."""
    if doc.multipart:
        return serialize(doc).encode("utf-8")
    edit = f"version:1.0\nrowpane:0:1:{doc.sheet.attribs.lastrow}\ncolpane:0:1:{doc.sheet.attribs.lastcol}\necell:A1\n"
    return serialize(Document(sheet=doc.sheet, multipart=True, edit=edit, audit="")).encode("utf-8")


# --- style parsing (shared by XLSX and HTML) ----------------------------------------------


def _rgb(color: str) -> tuple[int, int, int] | None:
    if m := _RGB_RE.match(color):
        parts = tuple(int(x) for x in m.groups())
        if all(0 <= x <= 255 for x in parts):
            return parts  # type: ignore[return-value]
        return None
    if m := _HEX_RE.match(color):
        h = m.group(1)
        if len(h) == 3:
            h = "".join(ch * 2 for ch in h)
        return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))
    return None


def _hex(rgb: tuple[int, int, int]) -> str:
    return "{:02X}{:02X}{:02X}".format(*rgb)


@dataclass(frozen=True)
class _FontSpec:
    bold: bool = False
    italic: bool = False
    size_pt: float | None = None


def _font(spec: str) -> _FontSpec:
    # "style weight size family", each may be "*" (default).
    tokens = spec.split()
    size = None
    if len(tokens) >= 3 and (m := re.match(r"^(\d+(?:\.\d+)?)(pt|px)$", tokens[2])):
        size = float(m.group(1)) * (0.75 if m.group(2) == "px" else 1)
    return _FontSpec(
        bold=len(tokens) >= 2 and tokens[1] in ("bold", "bolder", "700", "800", "900"),
        italic=bool(tokens) and tokens[0] in ("italic", "oblique"),
        size_pt=size,
    )


def _border(spec: str) -> tuple[float, str, tuple[int, int, int]] | None:
    if m := _BORDER_RE.match(spec):
        rgb = _rgb(m.group(3))
        if rgb is not None:
            return float(m.group(1)), m.group(2).lower(), rgb
    return None


def _width_px(width: str) -> int | None:
    try:
        return int(float(width))
    except ValueError:
        return None


# --- XLSX ---------------------------------------------------------------------------------


def excel_formula(formula: str) -> str:
    """A SocialCalc formula (no ``=``, decoded) in Excel syntax.

    The two grammars coincide for everything docmesh and business sheets use: ``A1:B2``
    ranges, ``$`` references, ``,`` separators, ``&``, ``%``, ``^`` (unary minus binds tighter
    in both), ``<>`` and the functions' names and argument orders. Comparisons are 1/0 in
    arithmetic in both. So the translation is the leading ``=``.
    """
    return "=" + formula


def _xlsx_number_format(fmt: str) -> str | None:
    if not fmt or fmt.startswith(_TEXT_FORMATS) or fmt == "General":
        return None
    return fmt


def _set_value(xl: XlCell, sheet: Sheet, cell: Cell) -> None:
    kind = cell.kind
    if kind is CellKind.FORMULA:
        xl.value = excel_formula(cell.formula)
        return
    if cell.valuetype.startswith("n") and isinstance(cell.value, float):
        if cell.valuetype.startswith("nd"):
            day = _serial_to_date(cell.value)
            if day is not None:
                xl.value = day
                xl.number_format = _xlsx_number_format(_valueformat(sheet, cell)) or "yyyy-mm-dd"
                return
        xl.value = cell.value
        return
    if kind in (CellKind.TEXT, CellKind.CONSTANT, CellKind.VALUE):
        # Assigning a str that starts with "=" makes openpyxl write a formula: force a string.
        xl.value = str(cell.value)
        xl.data_type = "s"


_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_NAME_MAX = 31


def sheet_title(name: str) -> str:
    r"""``name`` as Excel accepts a sheet's name: at most 31 characters, none of ``[]:*?/\``,
    no apostrophe at either end, not empty and not the reserved "History"."""
    cleaned = _SHEET_NAME_FORBIDDEN.sub("-", " ".join(name.split()))[:_SHEET_NAME_MAX].strip().strip("'")
    if not cleaned or cleaned.lower() == "history":
        return "Sheet1"
    return cleaned


def to_xlsx(doc: Document, properties: XlsxProperties | None = None) -> bytes:
    """A print-ready workbook: the sheet's live formulas with their values cached, number
    formats, fonts, fills, borders, widths, hidden helper columns, one page wide with the line
    table's header repeated on every printed page, and the document properties."""
    props = properties or XlsxProperties()
    sheet = doc.sheet
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet_title(props.sheet_name)
    fonts = {i: _font(s) for i, s in sheet.fonts.items()}
    colors = {i: _rgb(s) for i, s in sheet.colors.items()}
    borders = {i: _border(s) for i, s in sheet.borders.items()}
    for coord, cell in sheet.cells.items():
        try:
            col, row = parse_coord(coord)
        except ValueError:
            continue
        xl = ws.cell(row=row, column=col)
        if cell.has_content:
            _set_value(xl, sheet, cell)
            fmt = _xlsx_number_format(_valueformat(sheet, cell))
            if fmt and (cell.valuetype.startswith("n") or cell.kind is CellKind.FORMULA):
                xl.number_format = fmt  # type: ignore[assignment]
        f = fonts.get(cell.font)
        fg = colors.get(cell.color)
        if f or fg:
            xl.font = Font(
                bold=bool(f and f.bold),
                italic=bool(f and f.italic),
                size=f.size_pt if f and f.size_pt else None,
                color=_hex(fg) if fg else None,
            )
        bg = colors.get(cell.bgcolor)
        if bg:
            xl.fill = PatternFill("solid", fgColor=_hex(bg))
        if any(cell.borders):
            sides = []
            for index in cell.borders:
                spec = borders.get(index)
                if spec is None:
                    sides.append(Side())
                else:
                    width, style, rgb = spec
                    name = "double" if style == "double" else "medium" if width >= 2 else "thin"
                    if style in ("dashed", "dotted"):
                        name = style
                    sides.append(Side(style=name, color=_hex(rgb)))
            xl.border = Border(top=sides[0], right=sides[1], bottom=sides[2], left=sides[3])
        align = sheet.cellformats.get(cell.cellformat)
        wrap = isinstance(cell.value, str) and "\n" in cell.value
        if align in ("left", "center", "right") or wrap:
            xl.alignment = Alignment(
                horizontal=align if align in ("left", "center", "right") else None,
                vertical="top" if wrap else None,
                wrap_text=wrap or None,
            )
        if cell.colspan > 1 or cell.rowspan > 1:
            ws.merge_cells(
                start_row=row,
                start_column=col,
                end_row=row + max(cell.rowspan, 1) - 1,
                end_column=col + max(cell.colspan, 1) - 1,
            )
    for name, attrs in sheet.cols.items():
        if not is_valid_col(name):
            continue
        dim = ws.column_dimensions[name]
        if (px := _width_px(attrs.width)) is not None:
            dim.width = round(px / 7, 2)  # Excel widths are in characters of ~7 px
        if attrs.hide:
            dim.hidden = True
    for number, rattrs in sheet.rows.items():
        if rattrs.height:
            ws.row_dimensions[number].height = rattrs.height * 0.75  # px → points
        if rattrs.hide:
            ws.row_dimensions[number].hidden = True
    for key, named in sheet.names.items():
        definition = named.definition
        if key == PRINT_TITLES:
            _print_titles(ws, definition)
            continue
        if definition.startswith("="):
            text = definition[1:]
        elif re.fullmatch(r"[A-Z]{1,2}\d+(:[A-Z]{1,2}\d+)?", definition.upper()):
            text = (
                _quoted(ws.title) + "!" + ":".join(_absolute(part) for part in definition.upper().split(":"))
            )
        else:
            continue
        wb.defined_names[key] = DefinedName(key, attr_text=text)
    _page_setup(ws, props)
    wb.properties.title = props.title or None
    wb.properties.creator = props.author or None
    # Readers that calculate (Excel, LibreOffice) still do so on load; those that do not
    # (openpyxl data_only, previewers) read the cached values written below.
    wb.calculation.fullCalcOnLoad = True
    out = io.BytesIO()
    wb.save(out)
    return _with_cached_values(out.getvalue(), sheet)


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _print_titles(ws: Worksheet, definition: str) -> None:
    rows = re.findall(r"\d+", definition)
    if rows:
        ws.print_title_rows = f"{rows[0]}:{rows[-1]}"


def _page_setup(ws: Worksheet, props: XlsxProperties) -> None:
    """One page wide, as many pages tall as the lines need; portrait on the seller's paper."""
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_LETTER if props.letter else ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # 0: no limit on the height
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True


# openpyxl writes a formula cell as <c r="D12" s="3"><f>…</f><v></v></c> (or <v/>): it cannot
# write a cached result. The well-known way is to fill the <v> in the sheet's XML afterwards.
_FORMULA_CELL_RE = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*)><f>(.*?)</f><v(?:\s*/>|></v>)</c>', re.S)
_SHEET_XML = "xl/worksheets/sheet1.xml"


def _cached(cell: Cell) -> tuple[str, str] | None:
    """(the cell's t attribute, its <v> text) for a recalculated formula cell."""
    vt, value = cell.valuetype, cell.value
    if vt.startswith("e"):
        return "e", html.escape(vt[1:] or "#VALUE!", quote=False)
    if vt.startswith("n"):
        if not isinstance(value, float) or value != value or value in (float("inf"), float("-inf")):
            return None
        if vt == "nl":
            return "b", "1" if value else "0"
        return "", repr(value)
    if vt.startswith("t"):
        return "str", html.escape(str(value), quote=False)
    return None


def _with_cached_values(xlsx: bytes, sheet: Sheet) -> bytes:
    cached: dict[str, tuple[str, str]] = {}
    for coord, cell in sheet.cells.items():
        if cell.kind is CellKind.FORMULA and (entry := _cached(cell)) is not None:
            cached[coord] = entry

    def fill(match: re.Match[str]) -> str:
        coord, attrs, formula = match.groups()
        entry = cached.get(coord)
        if entry is None:
            return match.group(0)
        kind, text = entry
        type_attr = f' t="{kind}"' if kind else ""
        return f'<c r="{coord}"{attrs}{type_attr}><f>{formula}</f><v>{text}</v></c>'

    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == _SHEET_XML:
                data = _FORMULA_CELL_RE.sub(fill, data.decode("utf-8")).encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


def _absolute(ref: str) -> str:
    m = re.fullmatch(r"([A-Z]{1,2})(\d+)", ref)
    assert m
    return f"${m.group(1)}${m.group(2)}"


# --- HTML ---------------------------------------------------------------------------------


def _css(sheet: Sheet, cell: Cell) -> str:
    rules: list[str] = []
    f = sheet.fonts.get(cell.font)
    if f:
        spec = _font(f)
        if spec.bold:
            rules.append("font-weight:bold")
        if spec.italic:
            rules.append("font-style:italic")
        if spec.size_pt:
            rules.append(f"font-size:{spec.size_pt:g}pt")
    if (fg := _rgb(sheet.colors.get(cell.color, ""))) is not None:
        rules.append("color:#" + _hex(fg))
    if (bg := _rgb(sheet.colors.get(cell.bgcolor, ""))) is not None:
        rules.append("background:#" + _hex(bg))
    for side, index in zip(("top", "right", "bottom", "left"), cell.borders, strict=True):
        border = _border(sheet.borders.get(index, "")) if index else None
        if border:
            width, style, rgb = border
            rules.append(f"border-{side}:{width:g}px {style} #{_hex(rgb)}")
    align = sheet.cellformats.get(cell.cellformat)
    if align in ("left", "center", "right"):
        rules.append(f"text-align:{align}")
    elif cell.valuetype.startswith("n"):
        rules.append("text-align:right")
    return ";".join(rules)


def _covered(sheet: Sheet) -> set[tuple[int, int]]:
    covered: set[tuple[int, int]] = set()
    for coord, cell in sheet.cells.items():
        if cell.colspan > 1 or cell.rowspan > 1:
            try:
                col, row = parse_coord(coord)
            except ValueError:
                continue
            for r in range(row, row + max(cell.rowspan, 1)):
                for c in range(col, col + max(cell.colspan, 1)):
                    if (c, r) != (col, row):
                        covered.add((c, r))
    return covered


def _html_rows(sheet: Sheet, cols: list[int], rows: list[int]) -> Iterator[str]:
    covered = _covered(sheet)
    visible_cols = set(cols)
    for row in rows:
        parts = []
        for col in cols:
            if (col, row) in covered:
                continue
            cell = sheet.cells.get(f"{col_name(col)}{row}")
            if cell is None:
                parts.append("<td></td>")
                continue
            attrs = ""
            span = sum(1 for c in range(col, col + max(cell.colspan, 1)) if c in visible_cols)
            if span > 1:
                attrs += f' colspan="{span}"'
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            css = _css(sheet, cell)
            if css:
                attrs += f' style="{html.escape(css, quote=True)}"'
            text = display_text(sheet, cell) if cell.has_content else ""
            body = html.escape(text, quote=True).replace("\n", "<br>")
            parts.append(f"<td{attrs}>{body}</td>")
        yield "<tr>" + "".join(parts) + "</tr>"


def to_html(doc: Document, *, title: str = "document") -> bytes:
    """A standalone HTML page with the sheet as a styled table; all text is escaped."""
    sheet = doc.sheet
    cols, rows = _grid(sheet)
    colgroup = []
    for col in cols:
        attrs = sheet.cols.get(col_name(col))
        px = _width_px(attrs.width) if attrs else None
        colgroup.append(f'<col style="width:{px}px">' if px else "<col>")
    body = "\n".join(_html_rows(sheet, cols, rows))
    page = (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        "<style>"
        "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:10pt;margin:24px}"
        "table.msc{border-collapse:collapse;table-layout:fixed}"
        "table.msc td{padding:3px 6px;vertical-align:top;white-space:normal;overflow-wrap:anywhere}"
        "</style></head><body>\n"
        f'<table class="msc"><colgroup>{"".join(colgroup)}</colgroup>\n<tbody>\n{body}\n</tbody></table>\n'
        "</body></html>\n"
    )
    return page.encode("utf-8")
