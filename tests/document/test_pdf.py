"""The PDF a business sends, read back by poppler (pdftotext, pdfinfo, pdffonts), never by our code."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from docmesh_common.model.invoice import Discount, DocumentKind, Invoice, LineItem, Party, Tax
from docmesh_document.pdf import Letterhead, render_pdf
from docmesh_document.pdf.epc import epc_payload
from tests.document.pdf_reader import fonts, page_count, page_size_points, page_texts, pdf_text

SELLER_DE = Party(
    name="Muster GmbH", address_lines=["Hauptstr. 1"], postal_code="10115", city="Berlin", country_code="DE"
)
SELLER_US = Party(name="Acme Design LLC", address_lines=["1 Main St"], city="Springfield", country_code="US")
BUYER = Party(name="Globex Corp", address_lines=["12 Elm Rd"], country_code="GB")
BANK = Letterhead(iban="DE89 3704 0044 0532 0130 00", bic="COBADEFFXXX", footer="Muster GmbH · HRB 12345")


def consulting(**changes: object) -> Invoice:
    """10 h at 150 (one line 10 % off), 5 % loyalty discount, 12.50 shipping, 19 % VAT."""
    data: dict[str, object] = {
        "number": "INV-2026-0007",
        "currency_code": "EUR",
        "issue_date": dt.date(2026, 12, 3),
        "due_date": dt.date(2027, 1, 2),
        "seller": SELLER_DE,
        "buyer": BUYER,
        "line_items": [
            LineItem(description="Consulting", quantity=Decimal(10), unit="h", unit_price=Decimal(150)),
            LineItem(
                description="Design",
                quantity=Decimal(2),
                unit_price=Decimal("99.95"),
                discount=Discount(percent=Decimal(10)),
            ),
        ],
        "taxes": [Tax(name="VAT", rate_percent=Decimal(19))],
        "discounts": [Discount(description="Loyalty", percent=Decimal(5))],
        "shipping": Decimal("12.50"),
        "payment_terms": "Net 30",
    }
    data.update(changes)
    return Invoice.model_validate(data)


def many_lines(count: int, **changes: object) -> Invoice:
    lines = [
        LineItem(description=f"Item {i + 1}", quantity=Decimal(1), unit_price=Decimal(i + 1))
        for i in range(count)
    ]
    return consulting(line_items=lines, **changes)


def test_every_amount_of_the_invoice_is_in_the_text() -> None:
    # 1,500.00 + 179.91 (199.90 less 19.99) = 1,679.91; less 84.00 (5 %) = 1,595.91 taxed at 19 % = 303.22;
    # plus 12.50 shipping: 1,911.63.
    text = pdf_text(render_pdf(consulting(), BANK))
    for amount in ["1,500.00", "179.91", "1,679.91", "−84.00", "12.50", "303.22", "EUR 1,911.63", "99.95"]:
        assert amount in text, amount


def test_the_kind_number_dates_and_both_parties_are_printed() -> None:
    text = pdf_text(render_pdf(consulting(), BANK))
    for expected in [
        "Invoice",
        "INV-2026-0007",
        "Dec 3, 2026",
        "Jan 2, 2027",
        "Muster GmbH",
        "10115 Berlin",
        "Germany",
        "Globex Corp",
        "United Kingdom",
        "Net 30",
    ]:
        assert expected in text, expected


def test_delivery_date_valid_until_and_service_period_are_printed() -> None:
    shown = consulting(
        delivery_date=dt.date(2026, 12, 10),
        valid_until=dt.date(2026, 12, 31),
        service_period_start=dt.date(2026, 11, 1),
        service_period_end=dt.date(2026, 11, 30),
    )
    text = pdf_text(render_pdf(shown))
    for expected in [
        "Delivery date",
        "Dec 10, 2026",
        "Valid until",
        "Dec 31, 2026",
        "Service period",
        "Nov 1, 2026",
        "Nov 30, 2026",
    ]:
        assert expected in text, expected


def test_a_draft_shows_draft_where_the_number_goes() -> None:
    text = pdf_text(render_pdf(consulting(number="")))
    assert "DRAFT" in text
    assert "INV-2026-0007" not in text


def test_up_to_25_lines_fit_on_one_page() -> None:
    assert page_count(render_pdf(many_lines(25), BANK)) == 1


def test_a_long_document_repeats_the_table_header_and_numbers_its_pages() -> None:
    pages = page_texts(render_pdf(many_lines(90), BANK))
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert "Description" in page
        assert f"Page {number} of {len(pages)}" in page
    text = "\n".join(pages)
    assert all(f"Item {i}" in text for i in range(1, 91))


def test_every_font_is_embedded() -> None:
    used = fonts(render_pdf(consulting(), BANK))
    assert used
    assert all(embedded for _, embedded in used), used


def test_a_us_seller_prints_on_letter_and_a_german_one_on_a4() -> None:
    assert page_size_points(render_pdf(consulting(seller=SELLER_US))) == (612.0, 792.0)
    width, height = page_size_points(render_pdf(consulting()))
    assert (round(width), round(height)) == (595, 842)


def test_a_receipt_shows_amount_paid_and_balance() -> None:
    receipt = consulting(kind=DocumentKind.RECEIPT, amount_paid=Decimal("1911.63"), payment_method="card")
    text = pdf_text(render_pdf(receipt))
    assert "Receipt" in text
    assert "Amount paid" in text and "1,911.63" in text
    assert "Balance due" in text and "EUR 0.00" in text


def test_a_german_document_uses_german_words_and_separators() -> None:
    text = pdf_text(render_pdf(consulting(), BANK, language="de"))
    for expected in ["Rechnung", "Rechnungsnr.", "Zwischensumme", "EUR 1.911,63", "1.500,00", "Deutschland"]:
        assert expected in text, expected


# JPY: 1,500 + (200 less 20) = 1,680; less 84 = 1,596; VAT 303; shipping 12.5 rounds to 13: 1,912.
# KWD: 1,679.910 less 83.996 = 1,595.914; VAT 303.224; shipping 12.500: 1,911.638.
@pytest.mark.parametrize(("currency", "total"), [("JPY", "JPY 1,912"), ("KWD", "KWD 1,911.638")])
def test_amounts_have_the_currency_s_minor_units(currency: str, total: str) -> None:
    invoice = consulting(currency_code=currency, shipping=Decimal("12.5"))
    assert total in pdf_text(render_pdf(invoice))


def test_a_eur_invoice_with_an_iban_carries_a_giro_code() -> None:
    assert "Scan to pay" in pdf_text(render_pdf(consulting(), BANK))


@pytest.mark.parametrize(
    ("invoice", "letterhead"),
    [
        (consulting(currency_code="USD"), BANK),
        (consulting(), Letterhead()),
        (consulting(kind=DocumentKind.QUOTE), BANK),
    ],
    ids=["not-eur", "no-iban", "a-quote"],
)
def test_no_giro_code_without_a_eur_invoice_and_an_iban(invoice: Invoice, letterhead: Letterhead) -> None:
    assert "Scan to pay" not in pdf_text(render_pdf(invoice, letterhead))


def test_the_epc_payload_follows_the_guideline_line_by_line() -> None:
    payload = epc_payload(
        name="Muster GmbH",
        iban="DE89 3704 0044 0532 0130 00",
        bic="COBADEFFXXX",
        amount=Decimal("1911.63"),
        text="Invoice INV-2026-0007",
    )
    assert payload.split("\n") == [
        "BCD",
        "002",
        "1",
        "SCT",
        "COBADEFFXXX",
        "Muster GmbH",
        "DE89370400440532013000",
        "EUR1911.63",
        "",
        "",
        "Invoice INV-2026-0007",
    ]


def test_an_epc_payload_refuses_an_amount_it_cannot_carry() -> None:
    with pytest.raises(ValueError, match="EPC"):
        epc_payload(name="x", iban="DE89370400440532013000", bic="", amount=Decimal(0), text="")


def test_text_that_looks_like_markup_is_printed_as_typed() -> None:
    invoice = consulting(line_items=[LineItem(description="<b>Bold</b> & <i>co</i>", unit_price=Decimal(1))])
    assert "<b>Bold</b> & <i>co</i>" in pdf_text(render_pdf(invoice))


def test_the_logo_is_placed_on_the_page() -> None:
    picture = io.BytesIO()
    Image.new("RGB", (300, 120), (200, 30, 30)).save(picture, format="PNG")
    pdf = render_pdf(consulting(), Letterhead(logo=picture.getvalue()))
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "logo.pdf"
        file.write_bytes(pdf)
        listing = subprocess.run(
            ["pdfimages", "-list", str(file)], capture_output=True, text=True, check=True
        ).stdout
    rows = listing.splitlines()[2:]
    assert len(rows) == 1 and " 300 " in rows[0] and " 120 " in rows[0]


SVG_LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="100">'
    b'<rect width="300" height="100" fill="#c33"/>'
    b'<text x="10" y="60" font-size="40" font-weight="bold">ACME LOGO</text></svg>'
)


def test_an_svg_logo_is_drawn_as_vector_graphics_with_embedded_fonts() -> None:
    pdf = render_pdf(consulting(), Letterhead(logo=SVG_LOGO, logo_content_type="image/svg+xml"))
    assert pdf_text(pdf).startswith("ACME LOGO")
    assert all(embedded for _, embedded in fonts(pdf))


@pytest.mark.parametrize(
    ("logo", "content_type"),
    [(b"<svg broken", "image/svg+xml"), (b"\x89PNG not really", "image/png"), (b"\xff\xd8 no jpeg", "")],
)
def test_a_logo_that_cannot_be_drawn_is_left_out(logo: bytes, content_type: str) -> None:
    pdf = render_pdf(consulting(), Letterhead(logo=logo, logo_content_type=content_type))
    assert "Consulting" in pdf_text(pdf)
