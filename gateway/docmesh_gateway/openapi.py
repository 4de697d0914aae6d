"""OpenAPI 3.1 document generated from the same descriptors the route table comes from.

Schemas come from message descriptors, descriptions from the proto comments (the descriptor set
with source info that protos/generate.py writes next to the generated code). Property names are
the proto field names, as the gateway answers with them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from google.protobuf import descriptor as _descriptor
from google.protobuf import descriptor_pb2

import docmesh
from docmesh_gateway.routes import Route, openapi_parameter_name

log = logging.getLogger("docmesh.gateway.openapi")

FieldDescriptor = _descriptor.FieldDescriptor
DESCRIPTOR_SET = "descriptor_set.binpb"

_INT32 = {FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SFIXED32}
_UINT32 = {FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32}
_INT64 = {
    FieldDescriptor.TYPE_INT64,
    FieldDescriptor.TYPE_SINT64,
    FieldDescriptor.TYPE_SFIXED64,
    FieldDescriptor.TYPE_UINT64,
    FieldDescriptor.TYPE_FIXED64,
}
_WKT_SCHEMAS: dict[str, dict[str, Any]] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]{1,9})?s$"},
    "google.protobuf.FieldMask": {"type": "string"},
    "google.protobuf.Struct": {"type": "object"},
    "google.protobuf.Value": {},
    "google.protobuf.ListValue": {"type": "array"},
    "google.protobuf.Empty": {"type": "object"},
    "google.protobuf.Any": {"type": "object", "properties": {"@type": {"type": "string"}}},
    "google.protobuf.DoubleValue": {"type": "number"},
    "google.protobuf.FloatValue": {"type": "number"},
    "google.protobuf.Int64Value": {"type": "integer", "format": "int64"},
    "google.protobuf.UInt64Value": {"type": "integer", "format": "int64", "minimum": 0},
    "google.protobuf.Int32Value": {"type": "integer", "format": "int32"},
    "google.protobuf.UInt32Value": {"type": "integer", "minimum": 0},
    "google.protobuf.BoolValue": {"type": "boolean"},
    "google.protobuf.StringValue": {"type": "string"},
    "google.protobuf.BytesValue": {"type": "string", "format": "byte"},
}
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error: the HTTP status, the gRPC status name, and google.rpc details.",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "status", "message", "details", "request_id"],
            "properties": {
                "code": {"type": "integer", "description": "The HTTP status."},
                "status": {"type": "string", "description": "The gRPC status code name, e.g. NOT_FOUND."},
                "message": {"type": "string"},
                "details": {
                    "type": "array",
                    "items": {"type": "object"},
                    "description": "google.rpc details (ErrorInfo, BadRequest, PreconditionFailure, RetryInfo) with @type.",
                },
                "request_id": {"type": "string"},
            },
        }
    },
}


def load_comments() -> dict[str, str]:
    """Leading comments by full name of message, field, enum, enum value, service and method."""
    for root in docmesh.__path__:
        path = Path(root) / DESCRIPTOR_SET
        if path.exists():
            descriptor_set = descriptor_pb2.FileDescriptorSet()
            descriptor_set.ParseFromString(path.read_bytes())
            return _comments(descriptor_set)
    log.warning("no %s next to the generated code: the OpenAPI document has no descriptions", DESCRIPTOR_SET)
    return {}


def _comments(descriptor_set: descriptor_pb2.FileDescriptorSet) -> dict[str, str]:
    found: dict[str, str] = {}
    for file in descriptor_set.file:
        by_path = {
            tuple(location.path): location.leading_comments.strip()
            for location in file.source_code_info.location
            if location.leading_comments.strip()
        }
        # Paths follow descriptor.proto's field numbers: 4 message_type, 5 enum_type, 6 service.
        _message_comments(found, by_path, file.message_type, file.package, (4,))
        _enum_comments(found, by_path, file.enum_type, file.package, (5,))
        for i, service in enumerate(file.service):
            name = f"{file.package}.{service.name}"
            _put(found, name, by_path.get((6, i)))
            for j, method in enumerate(service.method):
                _put(found, f"{name}.{method.name}", by_path.get((6, i, 2, j)))
    return found


def _message_comments(
    found: dict[str, str],
    by_path: dict[tuple[int, ...], str],
    items: Iterable[descriptor_pb2.DescriptorProto],
    prefix: str,
    path: tuple[int, ...],
) -> None:
    for i, message in enumerate(items):
        name = f"{prefix}.{message.name}"
        here = (*path, i)
        _put(found, name, by_path.get(here))
        for j, field in enumerate(message.field):
            _put(found, f"{name}.{field.name}", by_path.get((*here, 2, j)))
        _message_comments(found, by_path, message.nested_type, name, (*here, 3))
        _enum_comments(found, by_path, message.enum_type, name, (*here, 4))


def _enum_comments(
    found: dict[str, str],
    by_path: dict[tuple[int, ...], str],
    items: Iterable[descriptor_pb2.EnumDescriptorProto],
    prefix: str,
    path: tuple[int, ...],
) -> None:
    for i, enum in enumerate(items):
        name = f"{prefix}.{enum.name}"
        _put(found, name, by_path.get((*path, i)))
        for j, value in enumerate(enum.value):
            _put(found, f"{prefix}.{value.name}", by_path.get((*path, i, 2, j)))


def _put(found: dict[str, str], name: str, comment: str | None) -> None:
    if comment:
        found[name] = " ".join(line.strip() for line in comment.splitlines()).strip()


class OpenApiBuilder:
    def __init__(self, routes: list[Route], comments: dict[str, str], title: str, version: str) -> None:
        self.routes = routes
        self.comments = comments
        self.title = title
        self.version = version
        self.schemas: dict[str, Any] = {"docmesh.gateway.Error": ERROR_SCHEMA}

    def build(self) -> dict[str, Any]:
        paths: dict[str, dict[str, Any]] = {}
        tags: dict[str, str] = {}
        for route in sorted(self.routes, key=lambda r: (r.template.openapi_path(), r.http_method)):
            service = route.method.containing_service
            tags[service.name] = self.comments.get(service.full_name, "")
            paths.setdefault(route.template.openapi_path(), {})[route.http_method.lower()] = self._operation(
                route
            )
        paths["/api/health"] = {
            "get": {
                "operationId": "Gateway_LegacyHealth",
                "summary": "Liveness for clients of the original invoice app.",
                "tags": ["Gateway"],
                "security": [],
                "responses": {
                    "200": {
                        "description": "The gateway is up.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["status", "timestamp"],
                                    "properties": {
                                        "status": {"type": "string"},
                                        "timestamp": {"type": "string", "format": "date-time"},
                                    },
                                }
                            }
                        },
                    }
                },
            }
        }
        return {
            "openapi": "3.1.0",
            "info": {
                "title": self.title,
                "version": self.version,
                "description": "REST transcoding of the docmesh gRPC services, generated from their "
                "google.api.http annotations. Authenticate with X-API-Key or Authorization: Bearer.",
            },
            "tags": [{"name": name, "description": text} for name, text in sorted(tags.items())]
            + [{"name": "Gateway", "description": "Served by the gateway itself."}],
            "security": [{"ApiKey": []}, {"Bearer": []}],
            "paths": paths,
            "components": {
                "securitySchemes": {
                    "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                    "Bearer": {"type": "http", "scheme": "bearer"},
                },
                "schemas": dict(sorted(self.schemas.items())),
            },
        }

    # Operations

    def _operation(self, route: Route) -> dict[str, Any]:
        method = route.method
        description = self.comments.get(f"{method.containing_service.full_name}.{method.name}", "")
        path_fields = {".".join(v.field_path) for v in route.template.variables}
        parameters: list[dict[str, Any]] = []
        for variable in route.template.variables:
            field = _field_at(method.input_type, variable.field_path)
            parameters.append(
                {
                    "name": openapi_parameter_name(".".join(variable.field_path)),
                    "in": "path",
                    "required": True,
                    "description": self._field_description(field),
                    "schema": self._field_schema(field, path_param=True),
                }
            )
        if route.body != "*":
            skip = set(path_fields)
            if route.body:
                skip.add(route.body)
            parameters.extend(self._query_parameters(method.input_type, "", skip, depth=0))
        operation: dict[str, Any] = {
            "operationId": route.operation_id,
            "summary": description.split(". ")[0].rstrip(".") if description else method.name,
            "description": description,
            "tags": [method.containing_service.name],
            "parameters": parameters,
            "responses": {
                "200": self._success(route),
                "default": {
                    "description": "An error.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/docmesh.gateway.Error"}}
                    },
                },
            },
        }
        body = self._request_body(route, path_fields)
        if body is not None:
            operation["requestBody"] = body
        return operation

    def _success(self, route: Route) -> dict[str, Any]:
        output = route.method.output_type
        if route.server_streaming:
            names = ["message", "error"]
            if len(output.oneofs) == 1:
                names = sorted({f.name for f in output.oneofs[0].fields} | {"error"})
            return {
                "description": "Server-Sent Events: one event per message of the stream, named after the "
                f"message's set oneof field, with {output.full_name} as JSON data; an `error` event ends a "
                "failed stream.",
                "content": {
                    "text/event-stream": {
                        "schema": {
                            "type": "object",
                            "description": "One event.",
                            "required": ["event", "data"],
                            "properties": {
                                "event": {"type": "string", "enum": names},
                                "data": {
                                    "type": "string",
                                    "contentMediaType": "application/json",
                                    "contentSchema": self._ref(output),
                                },
                                "id": {"type": "string"},
                                "retry": {"type": "integer"},
                            },
                        }
                    }
                },
            }
        target = output
        if route.response_body:
            field = output.fields_by_name[route.response_body]
            if field.message_type is not None and field.message_type.full_name == "google.api.HttpBody":
                return {
                    "description": "The file, with its content type and a Content-Disposition attachment name.",
                    "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                }
            return {
                "description": self.comments.get(f"{output.full_name}.{field.name}", "OK"),
                "content": {"application/json": {"schema": self._field_schema(field)}},
            }
        return {
            "description": self.comments.get(target.full_name, "OK") or "OK",
            "content": {"application/json": {"schema": self._ref(target)}},
        }

    def _request_body(self, route: Route, path_fields: set[str]) -> dict[str, Any] | None:
        if not route.body:
            return None
        descriptor = route.method.input_type
        if route.body == "*":
            top_level_path = {p for p in path_fields if "." not in p}
            if top_level_path:
                name = f"{descriptor.full_name}.Body"
                if name not in self.schemas:
                    schema = self._message_schema(descriptor, exclude=top_level_path)
                    self.schemas[name] = schema
                schema_ref: dict[str, Any] = {"$ref": f"#/components/schemas/{name}"}
            else:
                schema_ref = self._ref(descriptor)
        else:
            field = _field_at(descriptor, tuple(route.body.split(".")))
            if field.message_type is not None and field.message_type.full_name == "google.api.HttpBody":
                # An upload: the raw bytes, their type from the Content-Type header.
                binary = {"schema": {"type": "string", "format": "binary"}}
                return {
                    "required": True,
                    "description": self._field_description(field),
                    "content": {"*/*": binary},
                }
            schema_ref = self._field_schema(field)
        return {"required": route.body != "*", "content": {"application/json": {"schema": schema_ref}}}

    def _query_parameters(
        self, message: _descriptor.Descriptor, prefix: str, skip: set[str], depth: int
    ) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = []
        for field in message.fields:
            name = prefix + field.name
            if name in skip:
                continue
            nested = field.message_type
            if nested is not None and nested.full_name not in _WKT_SCHEMAS:
                if field.is_repeated or depth >= 2:
                    continue  # repeated messages and maps cannot be set from the query
                parameters.extend(self._query_parameters(nested, name + ".", skip, depth + 1))
                continue
            if nested is not None and _WKT_SCHEMAS[nested.full_name].get("type") in ("object", "array", None):
                continue
            parameter: dict[str, Any] = {
                "name": name,
                "in": "query",
                "required": False,
                "description": self._field_description(field),
                "schema": self._field_schema(field),
            }
            if field.is_repeated:
                parameter["style"] = "form"
                parameter["explode"] = True
            parameters.append(parameter)
        return parameters

    # Schemas

    def _field_description(self, field: FieldDescriptor) -> str:
        owner = field.containing_type
        return self.comments.get(f"{owner.full_name}.{field.name}", "") if owner is not None else ""

    def _ref(self, message: _descriptor.Descriptor) -> dict[str, Any]:
        if message.full_name in _WKT_SCHEMAS:
            return dict(_WKT_SCHEMAS[message.full_name])
        if message.full_name not in self.schemas:
            self.schemas[message.full_name] = {}  # placeholder: recursive messages terminate
            self.schemas[message.full_name] = self._message_schema(message)
        return {"$ref": f"#/components/schemas/{message.full_name}"}

    def _enum_ref(self, enum: _descriptor.EnumDescriptor) -> dict[str, Any]:
        if enum.full_name not in self.schemas:
            schema: dict[str, Any] = {"type": "string", "enum": [v.name for v in enum.values]}
            description = self.comments.get(enum.full_name, "")
            if description:
                schema["description"] = description
            self.schemas[enum.full_name] = schema
        return {"$ref": f"#/components/schemas/{enum.full_name}"}

    def _message_schema(
        self, message: _descriptor.Descriptor, exclude: set[str] | None = None
    ) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        for field in message.fields:
            if exclude and field.name in exclude:
                continue
            schema = self._field_schema(field)
            description = self._field_description(field)
            if description and "$ref" not in schema:
                schema["description"] = description
            elif description:
                schema = {"allOf": [schema], "description": description}
            properties[field.name] = schema
        result: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
        description = self.comments.get(message.full_name, "")
        if description:
            result["description"] = description
        return result

    def _field_schema(self, field: FieldDescriptor, *, path_param: bool = False) -> dict[str, Any]:
        nested = field.message_type
        if nested is not None and nested.GetOptions().map_entry:
            return {
                "type": "object",
                "additionalProperties": self._field_schema(nested.fields_by_name["value"]),
            }
        schema = self._single_schema(field, path_param)
        if field.is_repeated:
            return {"type": "array", "items": schema}
        return schema

    def _single_schema(self, field: FieldDescriptor, path_param: bool) -> dict[str, Any]:
        kind = field.type
        if kind == FieldDescriptor.TYPE_MESSAGE and field.message_type is not None:
            return self._ref(field.message_type)
        if kind == FieldDescriptor.TYPE_ENUM and field.enum_type is not None:
            return self._enum_ref(field.enum_type)
        if kind == FieldDescriptor.TYPE_BOOL:
            return {"type": "boolean"}
        if kind == FieldDescriptor.TYPE_STRING:
            # A path segment cannot be empty or contain "/".
            return (
                {"type": "string", "minLength": 1, "pattern": "^[^/]+$"} if path_param else {"type": "string"}
            )
        if kind == FieldDescriptor.TYPE_BYTES:
            return {"type": "string", "format": "byte"}
        if kind in _INT32:
            return {"type": "integer", "format": "int32"}
        if kind in _UINT32:
            return {"type": "integer", "format": "int64", "minimum": 0, "maximum": 4294967295}
        if kind in _INT64:
            return {"type": "integer", "format": "int64"}
        return {"type": "number", "format": "double" if kind == FieldDescriptor.TYPE_DOUBLE else "float"}


def _field_at(message: _descriptor.Descriptor, path: tuple[str, ...]) -> FieldDescriptor:
    field = message.fields_by_name[path[0]]
    for name in path[1:]:
        nested = field.message_type
        if nested is None:
            raise KeyError(f"{field.name} has no field {name}")
        field = nested.fields_by_name[name]
    return field


def build_openapi(routes: list[Route], version: str = "0.1.0") -> dict[str, Any]:
    return OpenApiBuilder(routes, load_comments(), "docmesh REST API", version).build()
