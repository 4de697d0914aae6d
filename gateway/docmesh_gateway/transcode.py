"""JSON <-> protobuf for one route, through protobuf's own JSON mapping (json_format).

Requests: the body (all of it for body "*", or one field), then query parameters, then path
variables are merged into one JSON object and parsed once, so every type error names its field.
Responses: proto field names (snake_case) with zero values included.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import unquote

from google.protobuf import descriptor as _descriptor
from google.protobuf import json_format
from google.protobuf.message import Message

from docmesh_gateway.routes import Route

FieldDescriptor = _descriptor.FieldDescriptor

# Well-known types whose JSON form is a plain string, so a query or path value can set them.
_STRING_WKT = {
    "google.protobuf.Timestamp",
    "google.protobuf.Duration",
    "google.protobuf.FieldMask",
}
_WRAPPERS = {
    "google.protobuf.DoubleValue",
    "google.protobuf.FloatValue",
    "google.protobuf.Int64Value",
    "google.protobuf.UInt64Value",
    "google.protobuf.Int32Value",
    "google.protobuf.UInt32Value",
    "google.protobuf.BoolValue",
    "google.protobuf.StringValue",
    "google.protobuf.BytesValue",
}
_NO_MASK_RECURSION = _STRING_WKT | _WRAPPERS | {"google.protobuf.Struct", "google.protobuf.Value"}


class RequestError(Exception):
    """The HTTP request cannot become the RPC's request message; always the caller's fault (400)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _find_field(message: _descriptor.Descriptor, name: str) -> FieldDescriptor | None:
    field = message.fields_by_name.get(name)
    if field is not None:
        return field
    for candidate in message.fields:
        if candidate.json_name == name:
            return candidate
    return None


def _resolve(message: _descriptor.Descriptor, path: Sequence[str], display: str) -> list[FieldDescriptor]:
    """The fields along a dotted path, or RequestError naming it (`display`)."""
    found = _resolved(message, tuple(path))
    if found is not None:
        return list(found)
    return _resolve_walk(message, path, display)  # raises, naming the step that failed


@functools.lru_cache(maxsize=4096)
def _resolved(message: _descriptor.Descriptor, path: tuple[str, ...]) -> tuple[FieldDescriptor, ...] | None:
    """A path's fields worked out once per message type and path (every path variable, body
    field and query key is resolved on each request); None when it names no field."""
    try:
        return tuple(_resolve_walk(message, path, ""))
    except RequestError:
        return None


def _resolve_walk(
    message: _descriptor.Descriptor, path: Sequence[str], display: str
) -> list[FieldDescriptor]:
    fields: list[FieldDescriptor] = []
    current: _descriptor.Descriptor | None = message
    for name in path:
        if current is None:
            raise RequestError(f"{display}: {fields[-1].name} has no sub-fields", display)
        field = _find_field(current, name)
        if field is None:
            raise RequestError(f"unknown field {display!r} in {message.name}", display)
        fields.append(field)
        current = field.message_type if field.type == FieldDescriptor.TYPE_MESSAGE else None
    return fields


def _is_repeated(field: FieldDescriptor) -> bool:
    return bool(field.is_repeated)


def _scalar_json(field: FieldDescriptor, raw: str, display: str) -> Any:
    """A query or path string as the JSON value json_format expects for this field."""
    kind = field.type
    if kind == FieldDescriptor.TYPE_BOOL:
        lowered = raw.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise RequestError(f"{display}: expected true or false, got {raw!r}", display)
    if kind == FieldDescriptor.TYPE_ENUM:
        return int(raw) if raw.lstrip("-").isdigit() else raw
    nested = field.message_type
    if kind == FieldDescriptor.TYPE_MESSAGE and nested is not None:
        full_name = nested.full_name
        if full_name == "google.protobuf.FieldMask":
            return field_mask_json(raw.split(","))
        if full_name in _STRING_WKT:
            return raw
        if full_name in _WRAPPERS:
            return _scalar_json(nested.fields_by_name["value"], raw, display)
        raise RequestError(f"{display}: a message field cannot be set from the URL", display)
    if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return raw  # json_format reads numbers and "NaN"/"Infinity" from strings
    return raw  # integers as strings are valid proto JSON; strings and base64 bytes as is


def _set_path(target: dict[str, Any], fields: Sequence[FieldDescriptor], value: Any, display: str) -> None:
    node = target
    for field in fields[:-1]:
        # The body may name the field in lowerCamelCase; keep one spelling so it is not set twice.
        child = node.get(field.name)
        alias = node.pop(field.json_name, None) if field.json_name != field.name else None
        if child is None:
            child = alias if alias is not None else {}
        if not isinstance(child, dict):
            raise RequestError(f"{display}: {field.name} must be an object", display)
        node[field.name] = child
        node = child
    last = fields[-1]
    if last.json_name != last.name:
        node.pop(last.json_name, None)
    node[last.name] = value


def build_request(
    route: Route,
    path_params: Mapping[str, str],
    query: Sequence[tuple[str, str]],
    body: bytes,
    content_type: str = "",
) -> Message:
    """The RPC request message for an HTTP request, or RequestError naming the field.

    A body field of type google.api.HttpBody takes the raw body and its Content-Type (an upload);
    any other body is JSON.
    """
    descriptor: _descriptor.Descriptor = route.method.input_type
    data: dict[str, Any] = {}
    body_fields: list[FieldDescriptor] = []
    raw_body = bool(route.body) and route.body != "*" and _is_http_body(descriptor, route.body)
    if route.body and not raw_body:
        parsed = _parse_body(body)
        if route.body == "*":
            if parsed is None:
                parsed = {}
            if not isinstance(parsed, dict):
                raise RequestError("the request body must be a JSON object")
            data = parsed
        else:
            body_fields = _resolve(descriptor, route.body.split("."), route.body)
            if parsed is not None:
                _set_path(data, body_fields, parsed, route.body)
            mask = _implicit_update_mask(route, descriptor, body_fields, parsed, query)
            if mask is not None:
                data["update_mask"] = mask
    bound: set[str] = set()
    for variable in route.template.variables:
        display = ".".join(variable.field_path)
        fields = _resolve(descriptor, variable.field_path, display)
        raw = unquote(path_params[variable.group])
        _set_path(data, fields, _scalar_json(fields[-1], raw, display), display)
        bound.add(display)
    if route.body != "*":
        _apply_query(descriptor, data, query, bound, route.body)
    message = route.request_class()
    if _strings_only(descriptor, data):
        # What json_format would do, without its generic walk (16-24 us for a GET's path id or
        # a create's title, against under 1 us): strings set as they are. A string protobuf
        # refuses (an unpaired surrogate) goes through json_format below for its error.
        try:
            _fill(message, data)
            return _with_raw_body(route, message, raw_body, content_type, body)
        except ValueError:
            message = route.request_class()
    try:
        json_format.ParseDict(data, message)
    except json_format.ParseError as error:
        text, field = describe_parse_error(str(error))
        raise RequestError(text, field) from None
    except (ValueError, TypeError, RecursionError) as error:
        raise RequestError(f"invalid request: {error}") from None
    return _with_raw_body(route, message, raw_body, content_type, body)


def _with_raw_body(route: Route, message: Message, raw_body: bool, content_type: str, body: bytes) -> Message:
    if raw_body:
        target: Any = message
        for name in route.body.split("."):
            target = getattr(target, name)
        target.content_type = content_type.strip()
        target.data = body
    return message


def _strings_only(descriptor: _descriptor.Descriptor, data: Mapping[str, Any]) -> bool:
    """Every value is a string for a singular string field outside any oneof, or an object of
    such values for a singular message field (not a well-known type or a map): json_format
    would set each as it is, so the values can be set directly."""
    settable = _settable(descriptor)
    for name, value in data.items():
        kind = settable.get(name)
        if kind is None:
            return False
        if isinstance(value, str):
            if kind is not _STRING:
                return False
        elif isinstance(value, dict):
            if kind is _STRING or not _strings_only(kind, value):
                return False
        else:
            return False
    return True


_STRING = object()  # in _settable: a string field


@functools.cache
def _settable(descriptor: _descriptor.Descriptor) -> dict[str, Any]:
    """The fields `_strings_only` may set directly, by name: _STRING for a singular string field,
    the message type for a singular message field (not google.protobuf.*); both outside any
    oneof (json_format refuses two members of one; its own walk reports that)."""
    settable: dict[str, Any] = {}
    for field in descriptor.fields:
        if _is_repeated(field) or field.containing_oneof is not None:
            continue
        nested = field.message_type
        if field.type == FieldDescriptor.TYPE_STRING:
            settable[field.name] = _STRING
        elif (
            field.type == FieldDescriptor.TYPE_MESSAGE
            and nested is not None
            and not nested.full_name.startswith("google.protobuf.")
        ):
            settable[field.name] = nested
    return settable


def _fill(message: Any, data: Mapping[str, Any]) -> None:
    for name, value in data.items():
        if isinstance(value, str):
            setattr(message, name, value)
        else:
            child = getattr(message, name)
            child.SetInParent()  # an empty object sets the field, as in json_format
            _fill(child, value)


@functools.cache
def _is_http_body(descriptor: _descriptor.Descriptor, body_field: str) -> bool:
    last = _resolve(descriptor, body_field.split("."), body_field)[-1]
    return last.message_type is not None and last.message_type.full_name == "google.api.HttpBody"


def _implicit_update_mask(
    route: Route,
    descriptor: _descriptor.Descriptor,
    body_fields: Sequence[FieldDescriptor],
    parsed: Any,
    query: Sequence[tuple[str, str]],
) -> str | None:
    """As grpc-gateway does: a PATCH without an update mask updates exactly the fields the body names.

    Computed from the body alone, before path variables (such as the id) are merged in.
    """
    mask_field = descriptor.fields_by_name.get("update_mask")
    if (
        route.http_method != "PATCH"
        or mask_field is None
        or mask_field.message_type is None
        or mask_field.message_type.full_name != "google.protobuf.FieldMask"
        or any(key in ("update_mask", "updateMask") for key, _ in query)
        or not isinstance(parsed, dict)
        or body_fields[-1].message_type is None
    ):
        return None
    return field_mask_json(_mask_paths(body_fields[-1].message_type, parsed, ""))


def _lower_camel(path: str) -> str:
    return ".".join(re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), part) for part in path.split("."))


def field_mask_json(paths: Iterable[str]) -> str:
    """A FieldMask's JSON form (lowerCamelCase paths, comma separated) from proto or JSON paths."""
    return ",".join(_lower_camel(p.strip()) for p in paths if p.strip())


def _get_path(data: dict[str, Any], fields: Sequence[FieldDescriptor]) -> Any:
    node: Any = data
    for field in fields:
        if not isinstance(node, dict):
            return None
        node = node.get(field.name, node.get(field.json_name))
    return node


def _mask_paths(descriptor: _descriptor.Descriptor, body: dict[str, Any], prefix: str) -> list[str]:
    paths: list[str] = []
    for key, value in body.items():
        field = _find_field(descriptor, key)
        if field is None:
            paths.append(prefix + key)  # ParseDict rejects the unknown field with its name
            continue
        nested = field.message_type
        if (
            isinstance(value, dict)
            and nested is not None
            and not nested.GetOptions().map_entry
            and nested.full_name not in _NO_MASK_RECURSION
            and value
        ):
            paths.extend(_mask_paths(nested, value, f"{prefix}{field.name}."))
        else:
            paths.append(prefix + field.name)
    return paths


def _parse_body(body: bytes) -> Any:
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except UnicodeDecodeError:
        raise RequestError("the request body is not UTF-8") from None
    except json.JSONDecodeError as error:
        raise RequestError(
            f"malformed JSON body: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        raise RequestError("the JSON body is nested too deeply") from None


def _apply_query(
    descriptor: _descriptor.Descriptor,
    data: dict[str, Any],
    query: Sequence[tuple[str, str]],
    bound: set[str],
    body_field: str,
) -> None:
    seen: set[str] = set()
    for key, raw in query:
        fields = _resolve(descriptor, key.split("."), key)
        display = ".".join(f.name for f in fields)
        if display in bound or (
            body_field and (display == body_field or display.startswith(body_field + "."))
        ):
            raise RequestError(f"{display} is already set by the path or body", display)
        last = fields[-1]
        for field in fields[:-1]:
            if _is_repeated(field):
                raise RequestError(f"{display}: repeated messages cannot be set from the query", display)
        value = _scalar_json(last, raw, display)
        if _is_repeated(last):
            if last.message_type is not None and last.message_type.GetOptions().map_entry:
                raise RequestError(f"{display}: maps cannot be set from the query", display)
            existing = _get_path(data, fields)
            values = existing if isinstance(existing, list) else []
            values.append(value)
            _set_path(data, fields, values, display)
        else:
            if display in seen:
                raise RequestError(f"{display} is given more than once", display)
            _set_path(data, fields, value, display)
        seen.add(display)


_FAILED = re.compile(r"Failed to parse (\w+) field: ")
_NO_FIELD = re.compile(r'has no field named "([^"]+)"')


def describe_parse_error(text: str) -> tuple[str, str]:
    """json_format's nested error text as (a readable message, the dotted field path)."""
    names = _FAILED.findall(text)
    unknown = _NO_FIELD.search(text)
    if unknown:
        names.append(unknown.group(1))
    detail = _FAILED.sub("", text).split("\n Available Fields", 1)[0].strip().rstrip(".")
    detail = re.sub(r" at [\w.\"]+$", "", detail)
    field = ".".join(names)
    if unknown:
        return (f"unknown field {field!r}", field)
    if field:
        return (f"invalid value for field {field!r}: {detail}", field)
    return (detail or "invalid request", "")


def http_body_of(route: Route, message: Message) -> tuple[bytes, str, str] | None:
    """(data, content type, file name) when the response is a google.api.HttpBody download."""
    target: Message = message
    if route.response_body:
        target = getattr(message, route.response_body)
    if not _is_http_body_type(target.DESCRIPTOR):
        return None
    file_name = ""
    if has_field(message.DESCRIPTOR, "file_name"):
        file_name = str(message.file_name)  # type: ignore[attr-defined]
    return bytes(target.data), str(target.content_type) or "application/octet-stream", file_name  # type: ignore[attr-defined]


@functools.cache
def _is_http_body_type(descriptor: _descriptor.Descriptor) -> bool:
    return bool(descriptor.full_name == "google.api.HttpBody")


@functools.cache
def has_field(descriptor: _descriptor.Descriptor, name: str) -> bool:
    """Whether a message type has a field of that name (asked on every request or response)."""
    return name in descriptor.fields_by_name
