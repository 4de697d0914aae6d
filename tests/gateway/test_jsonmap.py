"""The gateway's message → JSON conversion equals protobuf's own MessageToDict, for every docmesh
message type filled at random (a differential test: MessageToDict is the specification)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docmesh.session.v1 import session_service_pb2 as session_pb
from docmesh_gateway.jsonmap import to_dict
from docmesh_gateway.routes import generated_modules

OPTIONS = {
    "preserving_proto_field_name": True,
    "always_print_fields_with_no_presence": True,
    "unquote_int64_if_possible": True,
}
F = FieldDescriptor
INTEGERS = {
    F.CPPTYPE_INT32: st.integers(-(2**31), 2**31 - 1),
    F.CPPTYPE_UINT32: st.integers(0, 2**32 - 1),
    # Around 2**53 too, where int64 stops fitting a double exactly and turns into a string.
    F.CPPTYPE_INT64: st.integers(-(2**63), 2**63 - 1) | st.integers(2**53 - 3, 2**53 + 3),
    F.CPPTYPE_UINT64: st.integers(0, 2**64 - 1),
}
MAX_DEPTH = 3


def message_types() -> Iterator[Descriptor]:
    def walk(descriptor: Descriptor) -> Iterator[Descriptor]:
        if not descriptor.GetOptions().map_entry:
            yield descriptor
        for nested in descriptor.nested_types:
            yield from walk(nested)

    for module in generated_modules():
        for descriptor in module.DESCRIPTOR.message_types_by_name.values():
            yield from walk(descriptor)


def scalar(data: st.DataObject, field: FieldDescriptor) -> object:
    cpp = field.cpp_type
    if cpp == F.CPPTYPE_STRING:
        if field.type == F.TYPE_BYTES:
            return data.draw(st.binary(max_size=8))
        return data.draw(st.text(max_size=8))
    if cpp == F.CPPTYPE_BOOL:
        return data.draw(st.booleans())
    if cpp == F.CPPTYPE_ENUM:
        known = [value.number for value in field.enum_type.values]
        return data.draw(st.sampled_from(known) | st.integers(-3, 1000))
    if cpp == F.CPPTYPE_DOUBLE:
        return data.draw(st.floats())
    if cpp == F.CPPTYPE_FLOAT:
        return data.draw(st.floats(width=32))
    return data.draw(INTEGERS[cpp])


def fill(data: st.DataObject, message: Message, depth: int) -> None:
    name = message.DESCRIPTOR.full_name
    if name == "google.protobuf.Timestamp":
        message.seconds = data.draw(st.integers(-62135596800, 253402300799))  # years 1 to 9999
        message.nanos = data.draw(st.integers(0, 999_999_999))
        return
    if name == "google.protobuf.Duration":
        # JSON can say about ±10,000 years; nanos carry the seconds' sign.
        message.seconds = data.draw(st.integers(-315_576_000_000, 315_576_000_000))
        nanos = data.draw(st.integers(0, 999_999_999))
        message.nanos = -nanos if message.seconds < 0 else nanos
        return
    if name == "google.protobuf.FieldMask":
        paths = st.from_regex(r"[a-z]{1,5}(_[a-z]{1,5}){0,2}", fullmatch=True)
        message.paths.extend(data.draw(st.lists(paths, max_size=3)))
        return
    if name == "google.protobuf.Any":
        return  # left empty: a random type_url names no message (both sides would raise)
    for field in message.DESCRIPTOR.fields:
        if not data.draw(st.booleans()):
            continue
        value = getattr(message, field.name)
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            key_field = field.message_type.fields_by_name["key"]
            value_field = field.message_type.fields_by_name["value"]
            for _ in range(data.draw(st.integers(0, 2))):
                key = scalar(data, key_field)
                if value_field.message_type is not None:
                    if depth < MAX_DEPTH:
                        fill(data, value[key], depth + 1)
                else:
                    value[key] = scalar(data, value_field)
        elif field.is_repeated:
            for _ in range(data.draw(st.integers(0, 2))):
                if field.message_type is not None:
                    if depth < MAX_DEPTH:
                        fill(data, value.add(), depth + 1)
                else:
                    value.append(scalar(data, field))
        elif field.message_type is not None:
            if depth < MAX_DEPTH:
                value.SetInParent()  # present even when it stays empty
                fill(data, value, depth + 1)
        else:
            setattr(message, field.name, scalar(data, field))


TYPES = sorted(message_types(), key=lambda d: d.full_name)


def test_every_docmesh_message_type_is_covered() -> None:
    names = {d.full_name for d in TYPES}
    assert "docmesh.session.v1.GetSessionResponse" in names
    assert "docmesh.agent.v1.ChatResponse" in names
    assert len(names) > 50


@pytest.mark.parametrize("descriptor", TYPES, ids=lambda d: d.full_name)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_conversion_equals_message_to_dict(descriptor: Descriptor, data: st.DataObject) -> None:
    message = descriptor._concrete_class()
    fill(data, message, 0)
    converted, expected = to_dict(message), json_format.MessageToDict(message, **OPTIONS)
    assert converted == expected
    # The same JSON text too: the fields in the same order.
    assert json.dumps(converted) == json.dumps(expected)


def test_zero_values_and_unset_messages_are_printed_as_message_to_dict_does() -> None:
    empty = session_pb.GetSessionResponse()
    assert to_dict(empty) == {"messages": []}
    session = to_dict(session_pb.Session(id="s"))
    assert session["token_count"] == 0
    assert session["metadata"] == {}
    assert "create_time" not in session


def test_int64_beyond_a_double_is_a_string() -> None:
    assert to_dict(session_pb.Session(token_count=2**53 + 1))["token_count"] == str(2**53 + 1)
    assert to_dict(session_pb.Session(token_count=2**53))["token_count"] == 2**53


@pytest.mark.parametrize(
    ("seconds", "nanos"),
    [
        (0, 0),
        (1_764_770_000, 120_000_000),  # milliseconds: 3 digits
        (1_764_770_000, 1_000),  # microseconds: 6 digits, leading zeros
        (1_764_770_000, 7),  # nanoseconds: 9 digits, leading zeros
        (-1, 999_999_999),  # before 1970
        (-62135596800, 0),  # 0001-01-01
        (253402300799, 999_999_000),  # 9999-12-31
    ],
)
def test_a_timestamp_is_printed_as_protobuf_prints_it(seconds: int, nanos: int) -> None:
    session = session_pb.Session(id="s")
    session.create_time.seconds, session.create_time.nanos = seconds, nanos
    assert to_dict(session)["create_time"] == session.create_time.ToJsonString()


@pytest.mark.parametrize(("seconds", "nanos"), [(-62135596801, 0), (253402300800, 0), (0, -1), (0, 10**9)])
def test_a_timestamp_out_of_range_is_refused_as_protobuf_refuses_it(seconds: int, nanos: int) -> None:
    session = session_pb.Session(id="s")
    session.create_time.seconds, session.create_time.nanos = seconds, nanos
    with pytest.raises(ValueError, match="Timestamp is not valid"):
        to_dict(session)
