"""Lays out one document: letterhead, parties, lines, totals, payment, notes.

Every amount printed comes from `compute_totals`, the one arithmetic the spreadsheet's
formulas also follow, so the PDF and the sheet of a revision agree to the cent.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from docmesh_common.model.invoice import DocumentKind, Invoice, LineItem, Party
from docmesh_common.model.totals import InvoiceTotals, compute_totals
from docmesh_document.labels import Labels, date_facts, labels, locale, party_lines, preceding_invoice_fact
from docmesh_document.pdf import fonts
from docmesh_document.pdf.epc import QrCode, epc_payload
from docmesh_document.pdf.logo import is_svg, svg_logo
from docmesh_document.pdf.pages import MARGIN, numbered_canvas, page_size
from docmesh_document.pdf.text import Formatter

log = logging.getLogger(__name__)

BODY_SIZE = 9.0
RULE = colors.HexColor("#D0D5DD")
HEADER_FILL = colors.HexColor("#F2F4F7")
ACCENT = colors.HexColor("#1D2939")
LOGO_MAX = (150.0, 60.0)
QR_SIZE = 72.0
TOTALS_WIDTH = 290.0


@dataclass(frozen=True)
class Letterhead:
    """What the seller's profile adds to every document: logo, bank details and footer."""

    logo: bytes | None = None  # PNG, JPEG or SVG
    logo_content_type: str = ""  # "image/svg+xml" draws the logo as vector graphics
    iban: str = ""
    bic: str = ""
    bank_text: str = ""  # free-text bank details where there is no IBAN
    footer: str = ""


def render_pdf(
    invoice: Invoice,
    letterhead: Letterhead | None = None,
    *,
    language: str = "en",
    totals: InvoiceTotals | None = None,
) -> bytes:
    """The PDF of `invoice`: A4, or Letter where the seller's country prints on Letter."""
    fonts.register()
    layout = _Layout(invoice, letterhead or Letterhead(), language, totals or compute_totals(invoice))
    return layout.build()


class _Styles:
    def __init__(self) -> None:
        base = ParagraphStyle("body", fontName=fonts.REGULAR, fontSize=BODY_SIZE, leading=BODY_SIZE * 1.25)
        self.body = base
        self.small = ParagraphStyle(
            "small", parent=base, fontSize=BODY_SIZE - 1, leading=(BODY_SIZE - 1) * 1.25
        )
        self.right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
        self.label = ParagraphStyle("label", parent=self.small, textColor=colors.HexColor("#667085"))
        self.strong = ParagraphStyle("strong", parent=base, fontName=fonts.BOLD)
        self.title = ParagraphStyle(
            "title", parent=base, fontName=fonts.BOLD, fontSize=20, leading=24, textColor=ACCENT
        )
        self.head = ParagraphStyle("head", parent=self.small, fontName=fonts.BOLD)
        self.head_right = ParagraphStyle("head_right", parent=self.head, alignment=TA_RIGHT)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


_LAYOUT_ONLY = [
    # A table draws even an empty cell with its own font, Helvetica unless told: a font the PDF
    # would not embed.
    ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
]


def _layout_table(rows: list[list], widths: list[float | None], **kwargs: object) -> Table:
    """A table that only places things side by side: no rules, no inner left padding."""
    return Table(rows, colWidths=widths, style=TableStyle(_LAYOUT_ONLY), **kwargs)


class _Layout:
    def __init__(
        self, invoice: Invoice, letterhead: Letterhead, language: str, totals: InvoiceTotals
    ) -> None:
        self.inv = invoice
        self.head = letterhead
        self.language = language
        self.words: Labels = labels(language)
        self.fmt = Formatter(invoice.currency_code, locale(language))
        self.totals = totals
        self.styles = _Styles()
        self.size = page_size(invoice.seller.country_code)
        self.width = self.size[0] - 2 * MARGIN

    def build(self) -> bytes:
        out = io.BytesIO()
        doc = BaseDocTemplate(
            out,
            pagesize=self.size,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=self._title_text(),
            author=self.inv.seller.name,
            subject=self.words.titles[self.inv.kind],
            creator="docmesh",
            # Otherwise the canvas starts in Helvetica, a standard font PDFs do not embed.
            initialFontName=fonts.REGULAR,
        )
        frame = Frame(
            MARGIN,
            MARGIN,
            self.width,
            self.size[1] - 2 * MARGIN,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        doc.build(self._story(), canvasmaker=numbered_canvas(self.head.footer, self.words.page))
        return out.getvalue()

    def _title_text(self) -> str:
        number = self.inv.number or self.words.draft
        return f"{self.words.titles[self.inv.kind]} {number}"

    # --- the story ------------------------------------------------------------------

    def _story(self) -> list[Flowable]:
        story: list[Flowable] = [self._masthead(), Spacer(1, 12), self._parties(), Spacer(1, 12)]
        story.append(self._lines_table())
        story.append(Spacer(1, 8))
        # Payment details beside the totals, as a reader expects them and so that a full page of
        # lines still leaves room for both.
        totals = self._totals_table()
        payment = self._payment()
        story.append(_layout_table([[payment, totals]], [self.width - TOTALS_WIDTH, TOTALS_WIDTH]))
        if self.inv.notes:
            story.append(Spacer(1, 10))
            story.append(
                KeepTogether([_p(self.words.notes, self.styles.label), _p(self.inv.notes, self.styles.body)])
            )
        return story

    def _masthead(self) -> Table:
        """Logo and title on the left, number and dates on the right."""
        left: list[Flowable] = []
        logo = self._logo()
        if logo is not None:
            left.extend([logo, Spacer(1, 6)])
        left.append(_p(self.inv.title or self.words.titles[self.inv.kind], self.styles.title))
        facts = self._facts()
        right = _layout_table(
            [[_p(label, self.styles.label), _p(value, self.styles.right)] for label, value in facts],
            [90, 110],
        )
        return _layout_table([[left, right]], [self.width - 200, 200])

    def _logo(self) -> Flowable | None:
        """The logo scaled into its box, or None: a logo that cannot be drawn is left out,
        the document is still sent."""
        if not self.head.logo:
            return None
        if is_svg(self.head.logo_content_type, self.head.logo):
            return svg_logo(self.head.logo, LOGO_MAX)
        try:
            image = Image(io.BytesIO(self.head.logo))
            scale = min(LOGO_MAX[0] / image.imageWidth, LOGO_MAX[1] / image.imageHeight, 1.0)
        except Exception:  # any undecodable picture: PIL and ReportLab raise many kinds
            log.warning("logo left out: the image cannot be decoded")
            return None
        image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
        image.hAlign = "LEFT"
        return image

    def _facts(self) -> list[tuple[str, str]]:
        inv, words, kind = self.inv, self.words, self.inv.kind
        facts = [(words.number[kind], inv.number or words.draft)]
        for label, value in date_facts(inv, words):
            if isinstance(value, tuple):
                facts.append(
                    (label, f"{self.fmt.date(value[0])} –\n{self.fmt.date(value[1])}")
                )  # one date a line
            else:
                facts.append((label, self.fmt.date(value)))
        if inv.reference:
            facts.append((words.reference, inv.reference))
        corrects = preceding_invoice_fact(inv, words, self.fmt.date)
        if corrects is not None:
            facts.append(corrects)
        return facts

    def _parties(self) -> Table:
        cells = []
        for label, which in self.words.party_blocks[self.inv.kind]:
            party: Party = getattr(self.inv, which)
            cells.append([_p(label, self.styles.label), *self._party_lines(party)])
        return _layout_table([cells], [self.width / 2, self.width / 2])

    def _party_lines(self, party: Party) -> list[Paragraph]:
        lines = [_p(party.name, self.styles.strong)] if party.name else []
        return lines + [_p(line, self.styles.body) for line in party_lines(party, self.language)]

    # --- lines ----------------------------------------------------------------------

    def _lines_table(self) -> Table:
        words, styles = self.words, self.styles
        show_discount = any(item.discount is not None for item in self.inv.line_items)
        show_tax = bool(self.inv.taxes) or any(item.tax_exempt for item in self.inv.line_items)
        columns: list[tuple[str, float, bool]] = [  # (header, width, right-aligned)
            (words.quantity, 40, True),
            (words.unit, 40, False),
            (words.unit_price, 66, True),
        ]
        if show_discount:
            columns.append((words.discount, 52, True))
        if show_tax:
            columns.append((words.tax, 50, False))
        columns.append((f"{words.amount} ({self.inv.currency_code})", 78, True))
        description_width = self.width - sum(width for _, width, _ in columns)
        header = [_p(words.description, styles.head)] + [
            _p(text, styles.head_right if right else styles.head) for text, _, right in columns
        ]
        rows = [header]
        for item, line in zip(self.inv.line_items, self.totals.lines, strict=True):
            row = [
                _p(item.description, styles.body),
                _p(self.fmt.quantity(item.quantity), styles.right),
                _p(item.unit, styles.body),
                _p(self.fmt.money(item.unit_price), styles.right),
            ]
            if show_discount:
                row.append(_p(self._line_discount(item, line.discount), styles.right))
            if show_tax:
                row.append(_p(self._line_taxes(item), styles.body))
            row.append(_p(self.fmt.money(line.amount), styles.right))
            rows.append(row)
        table = Table(rows, colWidths=[description_width] + [w for _, w, _ in columns], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
                    ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.75, ACCENT),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                    ("LEFTPADDING", (0, 0), (-1, -1), 4),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return table

    def _line_discount(self, item: LineItem, amount: Decimal) -> str:
        if item.discount is None:
            return ""
        if item.discount.percent is not None:
            return f"{self.fmt.percent(item.discount.percent)}%"
        return f"−{self.fmt.money(amount)}"

    def _line_taxes(self, item: LineItem) -> str:
        if item.tax_exempt:
            return self.words.exempt
        names = item.tax_names or [tax.name for tax in self.inv.taxes]
        return ", ".join(names)

    # --- totals ---------------------------------------------------------------------

    def _totals_table(self) -> Table:
        words, t, fmt = self.words, self.totals, self.fmt
        rows: list[tuple[str, str, bool]] = [(words.subtotal, fmt.money(t.subtotal), False)]
        if sum(t.discounts, Decimal(0)) == t.discount_total:
            for discount, amount in zip(self.inv.discounts, t.discounts, strict=True):
                rows.append(
                    (
                        self._discount_label(discount.description, discount.percent),
                        f"−{fmt.money(amount)}",
                        False,
                    )
                )
        else:  # the discounts were capped at the subtotal: one line with what was applied
            rows.append((words.discount, f"−{fmt.money(t.discount_total)}", False))
        if self.inv.shipping is not None:
            rows.append((words.shipping, fmt.money(t.shipping), False))
        for tax in t.taxes:
            label = words.tax_on.format(
                name=tax.name, rate=fmt.percent(tax.rate_percent), base=fmt.money(tax.base)
            )
            rows.append((label, fmt.money(tax.amount), False))
        rows.append((words.total, fmt.money_with_code(t.total), True))
        if self.inv.amount_paid is not None or self.inv.kind is DocumentKind.RECEIPT:
            rows.append((words.amount_paid, fmt.money(t.amount_paid), False))
            rows.append((words.balance_due, fmt.money_with_code(t.balance_due), True))
        styles = self.styles
        data = [
            [
                _p(label, styles.strong if bold else styles.body),
                _p(value, styles.strong if bold else styles.body),
            ]
            for label, value, bold in rows
        ]
        for cell in data:
            cell[1].style = ParagraphStyle("amount", parent=cell[1].style, alignment=TA_RIGHT)
        table = Table(data, colWidths=[TOTALS_WIDTH - 110, 110], hAlign="RIGHT")
        commands: list[tuple] = [
            ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        for index, (_, _, bold) in enumerate(rows):
            if bold:
                commands.append(("LINEABOVE", (0, index), (-1, index), 0.75, ACCENT))
        table.setStyle(TableStyle(commands))
        return table

    def _discount_label(self, description: str, percent: Decimal | None) -> str:
        label = description or self.words.discount
        return f"{label} ({self.fmt.percent(percent)}%)" if percent is not None else label

    # --- payment --------------------------------------------------------------------

    def _payment(self) -> list[Flowable]:
        """Terms, method, bank details and the GiroCode: the left column beside the totals."""
        words, styles, inv, head = self.words, self.styles, self.inv, self.head
        text: list[Flowable] = []
        if inv.payment_terms:
            text += [_p(words.payment_terms, styles.label), _p(inv.payment_terms, styles.body)]
        if inv.payment_method:
            text += [_p(words.payment_method, styles.label), _p(inv.payment_method, styles.body)]
        bank = []
        if head.iban:
            bank.append(f"{words.iban}: {head.iban}")
        if head.bic:
            bank.append(f"{words.bic}: {head.bic}")
        if head.bank_text:
            bank.append(head.bank_text)
        if bank and inv.kind in (DocumentKind.INVOICE, DocumentKind.QUOTE):
            text += [_p(words.bank_details, styles.label), _p("\n".join(bank), styles.body)]
        qr = self._qr()
        if qr is None:
            return text
        return [_layout_table([[text, [qr, _p(words.scan_to_pay, styles.label)]]], [None, QR_SIZE + 12])]

    def _qr(self) -> Flowable | None:
        """A GiroCode for EUR invoices with an IBAN and something left to pay."""
        inv, head = self.inv, self.head
        due = self.totals.balance_due
        if inv.kind is not DocumentKind.INVOICE or inv.currency_code != "EUR" or not head.iban or due <= 0:
            return None
        payload = epc_payload(
            name=inv.seller.name or "-", iban=head.iban, bic=head.bic, amount=due, text=self._title_text()
        )
        return QrCode(payload, QR_SIZE)
