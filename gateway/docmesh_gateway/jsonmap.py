"""Protobuf message → JSON-ready dict, as the gateway answers every response.

The result equals `json_format.MessageToDict(message, preserving_proto_field_name=True,
always_print_fields_with_no_presence=True, unquote_int64_if_possible=True)`: proto field names,
fields without presence always printed (zero values included), int64 values as numbers when a
double holds them exactly. MessageToDict works out every field's JSON rule again on every call;
here each message type's rules are worked out once from its descriptor, which makes large
responses (a session with its invoice, a chat turn) several times cheaper to convert.

Whatever this module does not handle itself it hands to MessageToDict, so the two never differ:
well-known types other than Timestamp (formatted here as its `ToJsonString` does), Duration and
FieldMask (whose JSON form is their own `ToJsonString`), extensions, float and double fields, closed enums, NullValue and enum values
with options.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

Convert = Callable[[Any], Any]

_OPTIONS: dict[str, Any] = {
    "preserving_proto_field_name": True,
    "always_print_fields_with_no_presence": True,
    "unquote_int64_if_possible": True,
}
_AS_JSON_STRING = frozenset(
    {"google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask"}
)
# Timestamp's JSON range (years 1 to 9999), as protobuf checks it.
_TIMESTAMP_MIN = -62135596800
_TIMESTAMP_MAX = 253402300799
_EPOCH = datetime(1970, 1, 1)
_INT64 = frozenset(
    {
        FieldDescriptor.CPPTYPE_INT64,
        FieldDescriptor.CPPTYPE_UINT64,
    }
)


class _Unsupported(Exception):
    """A field this module leaves to MessageToDict (the whole message goes there)."""


def to_dict(message: Message) -> Any:
    """The message as MessageToDict prints it with the gateway's options."""
    return _converter(message.DESCRIPTOR)(message)


def _fallback(message: Message) -> Any:
    return json_format.MessageToDict(message, **_OPTIONS)


@functools.cache
def _converter(descriptor: Descriptor) -> Convert:
    if descriptor.full_name == "google.protobuf.Timestamp":
        return _timestamp
    if descriptor.full_name in _AS_JSON_STRING:
        return _as_json_string
    if descriptor.full_name.startswith("google.protobuf."):
        return _fallback
    try:
        # Keyed by the field descriptor itself (protobuf hands out one object per field), so a
        # set field costs one dict lookup; an extension is never among them and falls back.
        by_field = {field: _field(field) for field in descriptor.fields}
    except _Unsupported:
        return _fallback
    # Fields without presence are printed even when unset: maps and lists as a fresh empty
    # container per call (the factory), scalars as their (immutable) converted default.
    defaults: list[tuple[str, Callable[[], Any] | None, Any]] = []
    for field in descriptor.fields:
        if field.has_presence:
            continue
        if _is_map(field):
            defaults.append((field.name, dict, None))
        elif _is_repeated(field):
            defaults.append((field.name, list, None))
        else:
            defaults.append((field.name, None, by_field[field](field.default_value)))

    def convert(message: Message) -> Any:
        js: dict[str, Any] = {}
        for field, value in message.ListFields():
            to_json = by_field.get(field)
            if to_json is None:
                return _fallback(message)
            js[field.name] = to_json(value)
        for name, make, default in defaults:
            if name not in js:
                js[name] = default if make is None else make()
        return js

    return convert


def _timestamp(message: Any) -> Any:
    """Timestamp.ToJsonString without its generic steps (a session carries four of them)."""
    seconds = message.seconds
    nanos = message.nanos
    if not (_TIMESTAMP_MIN <= seconds <= _TIMESTAMP_MAX and 0 <= nanos < 1_000_000_000):
        return message.ToJsonString()  # raises the ValueError protobuf raises
    text = (_EPOCH + timedelta(0, seconds)).isoformat()
    if nanos == 0:
        return text + "Z"
    if nanos % 1_000_000 == 0:
        return f"{text}.{nanos // 1_000_000:03d}Z"
    if nanos % 1_000 == 0:
        return f"{text}.{nanos // 1_000:06d}Z"
    return f"{text}.{nanos:09d}Z"


def _constant(value: Any) -> Any:
    return value


def _as_json_string(message: Any) -> Any:
    return message.ToJsonString()


def _is_repeated(field: FieldDescriptor) -> bool:
    # `is_repeated` replaced `label` (removed in protobuf 7); older releases have only `label`.
    repeated = getattr(field, "is_repeated", None)
    if repeated is None:
        return bool(field.label == FieldDescriptor.LABEL_REPEATED)  # type: ignore[attr-defined]
    return bool(repeated)


def _is_map(field: FieldDescriptor) -> bool:
    return (
        _is_repeated(field) and field.message_type is not None and field.message_type.GetOptions().map_entry
    )


def _field(field: FieldDescriptor) -> Convert:
    entry = field.message_type
    if entry is not None and _is_map(field):
        value_of = _single(entry.fields_by_name["value"])
        key_type = entry.fields_by_name["key"].cpp_type
        if key_type == FieldDescriptor.CPPTYPE_BOOL:
            return lambda entries: {("true" if k else "false"): value_of(v) for k, v in entries.items()}
        return lambda entries: {str(k): value_of(v) for k, v in entries.items()}
    one = _single(field)
    if _is_repeated(field):
        return lambda values: [one(v) for v in values]
    return one


class _Nested:
    """A message field's converter, looked up on first use: message types may refer to themselves."""

    __slots__ = ("_convert", "_descriptor")

    def __init__(self, descriptor: Descriptor) -> None:
        self._descriptor = descriptor
        self._convert: Convert | None = None

    def __call__(self, value: Any) -> Any:
        convert = self._convert
        if convert is None:
            convert = self._convert = _converter(self._descriptor)
        return convert(value)


def _single(field: FieldDescriptor) -> Convert:
    cpp = field.cpp_type
    if cpp == FieldDescriptor.CPPTYPE_MESSAGE:
        assert field.message_type is not None  # a message field has its type
        return _Nested(field.message_type)
    if cpp == FieldDescriptor.CPPTYPE_ENUM:
        enum_type = field.enum_type
        assert enum_type is not None  # an enum field has its enum
        if (
            enum_type.is_closed
            or enum_type.full_name == "google.protobuf.NullValue"
            or any(value.GetOptions().ListFields() for value in enum_type.values)
        ):
            raise _Unsupported(field.full_name)  # closed enums, null, per-value JSON options
        names = {value.number: value.name for value in enum_type.values}
        # An open enum's number without a name prints as the number.
        return lambda number: names.get(number, number)
    if cpp == FieldDescriptor.CPPTYPE_STRING:
        if field.type == FieldDescriptor.TYPE_BYTES:
            return lambda value: base64.b64encode(value).decode("utf-8")
        return _constant
    if cpp == FieldDescriptor.CPPTYPE_BOOL:
        return bool
    if cpp in _INT64:
        return lambda value: value if float(value) == value else str(value)
    if cpp in (FieldDescriptor.CPPTYPE_INT32, FieldDescriptor.CPPTYPE_UINT32):
        return _constant
    raise _Unsupported(field.full_name)  # float and double: NaN, infinities, shortest floats
