"""Protobuf message → JSON-ready dict, as the gateway answers every response.

The result equals `json_format.MessageToDict(message, preserving_proto_field_name=True,
always_print_fields_with_no_presence=True, unquote_int64_if_possible=True)`: proto field names,
fields without presence always printed (zero values included), int64 values as numbers when a
double holds them exactly. MessageToDict works out every field's JSON rule again on every call;
here each message type's rules are worked out once from its descriptor, which makes large
responses (a session with its invoice, a chat turn) several times cheaper to convert.

Whatever this module does not handle itself it hands to MessageToDict, so the two never differ:
well-known types other than Timestamp, Duration and FieldMask (whose JSON form is their own
`ToJsonString`), extensions, float and double fields, closed enums, NullValue and enum values
with options.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable
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
    if descriptor.full_name in _AS_JSON_STRING:
        return _as_json_string
    if descriptor.full_name.startswith("google.protobuf."):
        return _fallback
    try:
        by_name = {field.name: _field(field) for field in descriptor.fields}
    except _Unsupported:
        return _fallback
    # Fields without presence are printed even when unset; maps and lists get a fresh empty
    # container per call, scalars their (immutable) converted default.
    defaults: list[tuple[str, Any]] = []
    for field in descriptor.fields:
        if field.has_presence:
            continue
        if _is_map(field):
            defaults.append((field.name, dict))
        elif _is_repeated(field):
            defaults.append((field.name, list))
        else:
            default = by_name[field.name](field.default_value)
            defaults.append((field.name, functools.partial(_constant, default)))

    def convert(message: Message) -> Any:
        js: dict[str, Any] = {}
        for field, value in message.ListFields():
            to_json = by_name.get(field.name)
            if to_json is None or field.is_extension:
                return _fallback(message)
            js[field.name] = to_json(value)
        for name, make in defaults:
            if name not in js:
                js[name] = make()
        return js

    return convert


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


def _single(field: FieldDescriptor) -> Convert:
    cpp = field.cpp_type
    if cpp == FieldDescriptor.CPPTYPE_MESSAGE:
        message_type = field.message_type
        # Looked up at call time: message types may refer to themselves.
        return lambda value: _converter(message_type)(value)
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
