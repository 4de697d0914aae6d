"""EN 16931 VAT facts: the VAT category codes (UNTDID 5305 subset), their standard exemption
reasons (VATEX codes) and the shape of a VAT identifier."""

from __future__ import annotations

import re
from enum import StrEnum

from docmesh_common.model.country import is_country


class VatCategory(StrEnum):
    """The VAT category of a line, an allowance or a charge (EN 16931 BT-151/BT-95/BT-102)."""

    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    OUTSIDE_SCOPE = "O"


# Categories whose VAT rate is 0 by definition (EN 16931 BR-E-05, BR-AE-05, BR-IC-05, BR-G-05, BR-Z-05);
# O has no rate at all (BR-O-05).
ZERO_RATE_CATEGORIES = frozenset(
    {
        VatCategory.ZERO,
        VatCategory.EXEMPT,
        VatCategory.REVERSE_CHARGE,
        VatCategory.INTRA_COMMUNITY,
        VatCategory.EXPORT,
        VatCategory.OUTSIDE_SCOPE,
    }
)

# Categories whose VAT breakdown must state why no VAT is charged (BR-E-10, BR-AE-10, BR-IC-10,
# BR-G-10, BR-O-10); S and Z must not (BR-S-10, BR-Z-10).
REASON_CATEGORIES = frozenset(ZERO_RATE_CATEGORIES - {VatCategory.ZERO})

# (VATEX code, text) used when a line of these categories gives no reason of its own. E has no
# single code: the exemption article differs by country, so only a text.
DEFAULT_EXEMPTION_REASONS: dict[VatCategory, tuple[str, str]] = {
    VatCategory.EXEMPT: ("", "Exempt from VAT"),
    VatCategory.REVERSE_CHARGE: ("VATEX-EU-AE", "Reverse charge"),
    VatCategory.INTRA_COMMUNITY: ("VATEX-EU-IC", "Intra-Community supply"),
    VatCategory.EXPORT: ("VATEX-EU-G", "Export outside the EU"),
    VatCategory.OUTSIDE_SCOPE: ("VATEX-EU-O", "Not subject to VAT"),
}

# A VAT identifier is a two-letter prefix and 2..13 letters or digits (EN 16931 BT-31/BT-48:
# "prefixed with a country code based on ISO 3166-1 alpha-2"; Greece uses EL, Northern Ireland XI).
_VAT_ID = re.compile(r"^([A-Z]{2})[0-9A-Z+*.]{2,13}$")
_NON_ISO_PREFIXES = frozenset({"EL", "XI"})


def normalize_vat_id(value: str) -> str:
    """Upper case without the spaces, dots and dashes people type ("de 123.456.789" → "DE123456789")."""
    return re.sub(r"[\s.\-]", "", value).upper()


def is_vat_id(value: str) -> bool:
    """True for a normalized VAT identifier whose prefix is a country (ISO 3166-1, or EL/XI)."""
    match = _VAT_ID.match(value)
    if match is None:
        return False
    return match.group(1) in _NON_ISO_PREFIXES or is_country(match.group(1))
