"""The one table from gRPC status codes to HTTP statuses, and the JSON error body.

As grpc-gateway maps them. Every error the gateway returns, whether it came from an upstream
or from the gateway itself (bad JSON, unknown route, rate limit), has the same shape:
{"error": {"code": <HTTP status>, "status": <gRPC code name>, "message", "details", "request_id"}}.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, TypeVar

import grpc
from google.protobuf import json_format
from google.rpc import error_details_pb2  # noqa: F401 - registers the detail types for JSON

from docmesh_common.errors import DomainError

HTTP_STATUS: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNKNOWN: 500,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DATA_LOSS: 500,
}
# Seconds a client should wait after a 503 that did not say how long.
DEFAULT_RETRY_AFTER_SECONDS = 1


def http_status(code: grpc.StatusCode) -> int:
    return HTTP_STATUS.get(code, 500)


class HttpError(DomainError):
    """An error the gateway itself raises with an HTTP status outside the table (405, 413)."""

    def __init__(self, http_status: int, code: grpc.StatusCode, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.http_status = http_status
        self.code = code  # type: ignore[misc]


def status_of(error: DomainError) -> int:
    if isinstance(error, HttpError):
        return error.http_status
    return http_status(error.code)


def error_document(error: DomainError, request_id: str) -> dict[str, Any]:
    status = error.to_status()
    details = [
        json_format.MessageToDict(detail, preserving_proto_field_name=True) for detail in status.details
    ]
    return {
        "error": {
            "code": status_of(error),
            "status": error.code.name,
            "message": error.message,
            "details": details,
            "request_id": request_id,
        }
    }


_HEADERS_ATTRIBUTE = "_docmesh_http_headers"
E = TypeVar("E", bound=DomainError)


def with_headers(error: E, headers: Mapping[str, str]) -> E:
    """Attach headers the error's HTTP response must carry (WWW-Authenticate, RateLimit-*)."""
    setattr(error, _HEADERS_ATTRIBUTE, dict(headers))
    return error


def error_headers(error: DomainError) -> dict[str, str]:
    headers: dict[str, str] = dict(getattr(error, _HEADERS_ATTRIBUTE, {}))
    wait = error.retry_after_seconds
    if wait is not None:
        # Any status whose error says when to come back (a 409 of a running turn too).
        headers["retry-after"] = str(max(1, math.ceil(wait)))
    elif status_of(error) in (429, 503):
        headers["retry-after"] = str(DEFAULT_RETRY_AFTER_SECONDS)
    return headers


def error_body(error: DomainError, request_id: str) -> bytes:
    return json.dumps(error_document(error, request_id), separators=(",", ":")).encode()
