"""ISO 3166-1 countries, from pycountry's copy of the standard."""

from __future__ import annotations

import functools

import pycountry


@functools.cache
def _alpha2_codes() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


def is_country(code: str) -> bool:
    """True for an ISO 3166-1 alpha-2 code in upper case ("DE", "US")."""
    return code in _alpha2_codes()
