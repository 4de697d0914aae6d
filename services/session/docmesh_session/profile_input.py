"""A business profile where it enters: merged by its field mask, checked once, turned into the
wire bytes the database keeps.

Each refusal is INVALID_ARGUMENT naming the field (e.g. `profile.bank.iban`); nothing is
written then.
"""

from __future__ import annotations

from google.protobuf import field_mask_pb2
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from docmesh.session.v1 import profile_service_pb2 as pb
from docmesh_common.errors import InvalidArgument
from docmesh_session.numbering import parse_pattern
from docmesh_session.party_input import (
    MAX_LONG_TEXT,
    MAX_SHORT_TEXT,
    check_currency,
    check_party,
    check_payment_defaults,
    check_text,
)

LANGUAGES = frozenset({"en", "es", "de", "fr"})
DEFAULT_NUMBERING = pb.NumberingPatterns(
    invoice="INV-{YYYY}-{seq:04}",
    quote="QUO-{YYYY}-{seq:04}",
    receipt="REC-{YYYY}-{seq:04}",
    purchase_order="PO-{YYYY}-{seq:04}",
    credit_note="CN-{YYYY}-{seq:04}",
)
# Every kind's pattern field in NumberingPatterns.
_PATTERN_FIELDS = ("invoice", "quote", "receipt", "purchase_order", "credit_note")
# What a caller sets; logo and update_time are output only.
SETTABLE_FIELDS = (
    "seller",
    "bank",
    "default_currency_code",
    "default_payment_terms",
    "default_payment_days",
    "default_notes",
    "footer",
    "numbering",
    "language",
)
_OUTPUT_ONLY = frozenset({"logo", "update_time"})


def with_defaults(profile: pb.Profile) -> pb.Profile:
    """`profile` with every empty numbering pattern filled in with its default."""
    filled = pb.Profile()
    filled.CopyFrom(profile)
    for name in _PATTERN_FIELDS:
        if not getattr(filled.numbering, name):
            setattr(filled.numbering, name, getattr(DEFAULT_NUMBERING, name))
    return filled


def merge(current: pb.Profile, sent: pb.Profile, mask: field_mask_pb2.FieldMask) -> pb.Profile:
    """`current` with the fields `mask` names taken from `sent` (an empty mask: every
    settable field)."""
    paths = list(mask.paths) or list(SETTABLE_FIELDS)
    for path in paths:
        if path.split(".")[0] in _OUTPUT_ONLY:
            raise InvalidArgument(f"update_mask: {path} is output only", field="update_mask")
    chosen = field_mask_pb2.FieldMask(paths=paths)
    if not chosen.IsValidForDescriptor(pb.Profile.DESCRIPTOR):
        raise InvalidArgument("update_mask names a field a profile does not have", field="update_mask")
    merged = pb.Profile()
    merged.CopyFrom(current)
    chosen.MergeMessage(sent, merged, replace_message_field=True, replace_repeated_field=True)
    merged.ClearField("logo")
    merged.ClearField("update_time")
    return merged


def accept_profile(profile: pb.Profile) -> bytes:
    """The profile's wire encoding, once every field of it is valid."""
    check_party(profile.seller, "profile.seller")
    _check_bank(profile.bank)
    check_currency(profile.default_currency_code, "profile.default_currency_code")
    if profile.language and profile.language not in LANGUAGES:
        raise InvalidArgument(
            f"profile.language must be one of {', '.join(sorted(LANGUAGES))}", field="profile.language"
        )
    check_payment_defaults(profile.default_payment_terms, profile.default_payment_days, "profile.")
    check_text(profile.default_notes, "profile.default_notes", MAX_LONG_TEXT)
    check_text(profile.footer, "profile.footer", MAX_LONG_TEXT)
    for name in _PATTERN_FIELDS:
        pattern = getattr(profile.numbering, name)
        if pattern:
            parse_pattern(pattern, f"profile.numbering.{name}")
    return profile.SerializeToString(deterministic=True)


def _check_bank(bank: pb.BankDetails) -> None:
    if bank.iban:
        try:
            IBAN(bank.iban)
        except (SchwiftyException, ValueError) as error:
            raise InvalidArgument(
                f"profile.bank.iban is not a valid IBAN: {error}", field="profile.bank.iban"
            ) from None
    if bank.bic:
        try:
            BIC(bank.bic)
        except (SchwiftyException, ValueError) as error:
            raise InvalidArgument(
                f"profile.bank.bic is not a valid BIC: {error}", field="profile.bank.bic"
            ) from None
    check_text(bank.text, "profile.bank.text", MAX_LONG_TEXT)
    check_text(bank.account_holder, "profile.bank.account_holder", MAX_SHORT_TEXT)
