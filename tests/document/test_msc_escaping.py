"""Field escaping (§2) and coordinate helpers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docmesh_document.msc import (
    CoordError,
    col_name,
    col_number,
    coord,
    decode,
    encode,
    is_valid_coord,
    parse_coord,
)


def test_encode_escapes_backslash_before_colon_and_newline() -> None:
    assert encode("a\\b:c\nd") == "a\\bb\\cc\\nd"


def test_encode_of_literal_backslash_c_does_not_decode_to_colon() -> None:
    # Encoding ':' before '\' would write "\c" for a literal backslash-c and read back ':'.
    assert decode(encode("\\c")) == "\\c"
    assert encode("\\c") == "\\bc"


def test_decode_undoes_colon_then_newline_then_backslash() -> None:
    assert decode("Bill to\\c\\nLine\\b") == "Bill to:\nLine\\"


def test_carriage_return_tab_and_unicode_pass_through() -> None:
    assert encode("\t€\r") == "\t€\r"


@given(st.text())
def test_escaping_round_trips_any_unicode_text(text: str) -> None:
    encoded = encode(text)
    assert ":" not in encoded and "\n" not in encoded
    assert decode(encoded) == text


@pytest.mark.parametrize(
    ("name", "number"), [("A", 1), ("Z", 26), ("AA", 27), ("AZ", 52), ("BA", 53), ("ZZ", 702)]
)
def test_column_names_and_numbers_correspond(name: str, number: int) -> None:
    assert col_number(name) == number
    assert col_name(number) == name


@given(st.integers(min_value=1, max_value=702), st.integers(min_value=1, max_value=10**6))
def test_coord_round_trips(col: int, row: int) -> None:
    assert parse_coord(coord(col, row)) == (col, row)


@pytest.mark.parametrize("bad", ["a1", "$A$1", "A0", "AAA1", "1A", "A", ""])
def test_non_canonical_coordinates_are_rejected(bad: str) -> None:
    assert not is_valid_coord(bad)
    with pytest.raises(CoordError):
        parse_coord(bad)


def test_column_number_outside_sheet_is_an_error_not_clamped() -> None:
    with pytest.raises(CoordError):
        col_name(703)
