"""JavaScript number corner cases the engine relies on."""

from __future__ import annotations

import math

import pytest

from docmesh_document.msc.jsmath import js_exp, js_log, js_pow  # the ports under test
from docmesh_document.msc.jsnum import js_round


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        (1.05, 10.0, 1.6288946267774422),  # V8 and fdlibm; the C library gives ...442
        (2.0, 10.0, 1024.0),
        (10.0, -2.0, 0.01),
        (-8.0, 3.0, -512.0),
        (4.0, 0.5, 2.0),
        (0.0, -1.0, math.inf),
        (2.0, 1e10, math.inf),
    ],
)
def test_pow_matches_javascript(x: float, y: float, expected: float) -> None:
    assert js_pow(x, y) == expected


@pytest.mark.parametrize(("x", "y"), [(-8.0, 1 / 3), (1.0, math.inf), (-1.0, -math.inf), (math.nan, 1.0)])
def test_pow_is_nan_where_javascript_is(x: float, y: float) -> None:
    assert math.isnan(js_pow(x, y))


def test_pow_of_anything_to_zero_is_one() -> None:
    assert js_pow(math.nan, 0.0) == 1.0


@pytest.mark.parametrize(
    ("x", "expected"), [(2.5, 3.0), (-2.5, -2.0), (0.49999999999999994, 0.0), (-0.5, -0.0)]
)
def test_math_round_goes_half_up(x: float, expected: float) -> None:
    assert js_round(x) == expected


@pytest.mark.parametrize(
    ("x", "expected"), [(3.0, 1.0986122886681096), (10.0, 2.302585092994046), (1.0, 0.0)]
)
def test_log_matches_v8(x: float, expected: float) -> None:
    # CPython's math.log(3) is 1.0986122886681098; V8 (fdlibm) gives ...096.
    assert js_log(x) == expected


@pytest.mark.parametrize(
    ("x", "expected"), [(1.0, math.e), (0.5, 1.6487212707001282), (710.0, math.inf), (-746.0, 0.0)]
)
def test_exp_matches_v8(x: float, expected: float) -> None:
    assert js_exp(x) == expected
