"""Domain errors and their one mapping to gRPC status codes with google.rpc details.

Service and repository code raise these; the server interceptor turns them into a status
with BadRequest / ErrorInfo / RetryInfo details, and `error_from_rpc` rebuilds them on the
client side so a caller (or the gateway) sees the same error, details included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar, NamedTuple

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2

STATUS_DETAILS_KEY = "grpc-status-details-bin"
ERROR_DOMAIN = "docmesh"
# ErrorInfo metadata naming the dependency of the answering service that failed ("llm", or an
# upstream's name): the service itself answered and is healthy, so a caller's circuit breaker
# for it does not count the error (the dependency has a breaker of its own, nearer to it).
FAILED_DEPENDENCY_KEY = "failed_dependency"


class Precondition(NamedTuple):
    """One google.rpc.PreconditionFailure violation: what kind of rule, what is missing, in words."""

    type: str  # e.g. "EN16931"
    subject: str  # e.g. "BT-31"
    description: str  # e.g. "Seller VAT identifier"


class DomainError(Exception):
    """Base of every error a client may see. `code` is the gRPC status it maps to."""

    code: ClassVar[grpc.StatusCode] = grpc.StatusCode.UNKNOWN
    default_reason: ClassVar[str] = "UNKNOWN"

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        violations: Mapping[str, str] | None = None,
        field: str | None = None,
        retry_after_seconds: float | None = None,
        metadata: Mapping[str, str] | None = None,
        preconditions: Sequence[Precondition] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason
        found = dict(violations or {})
        if field is not None:
            found.setdefault(field, message)
        self.violations: dict[str, str] = found
        self.retry_after_seconds = retry_after_seconds
        self.metadata: dict[str, str] = dict(metadata or {})
        self.preconditions: list[Precondition] = list(preconditions or ())

    def to_status(self) -> status_pb2.Status:
        """The google.rpc.Status with this error's details."""
        details: list[any_pb2.Any] = []
        info = error_details_pb2.ErrorInfo(reason=self.reason, domain=ERROR_DOMAIN, metadata=self.metadata)
        details.append(_pack(info))
        if self.violations:
            bad = error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(field=f, description=d)
                    for f, d in self.violations.items()
                ]
            )
            details.append(_pack(bad))
        if self.preconditions:
            failure = error_details_pb2.PreconditionFailure(
                violations=[
                    error_details_pb2.PreconditionFailure.Violation(
                        type=p.type, subject=p.subject, description=p.description
                    )
                    for p in self.preconditions
                ]
            )
            details.append(_pack(failure))
        if self.retry_after_seconds is not None:
            delay = duration_pb2.Duration()
            delay.FromMilliseconds(int(self.retry_after_seconds * 1000))
            details.append(_pack(error_details_pb2.RetryInfo(retry_delay=delay)))
        return status_pb2.Status(code=self.code.value[0], message=self.message, details=details)

    def trailing_metadata(self) -> tuple[tuple[str, bytes], ...]:
        return ((STATUS_DETAILS_KEY, self.to_status().SerializeToString()),)


class InvalidArgument(DomainError):
    code = grpc.StatusCode.INVALID_ARGUMENT
    default_reason = "INVALID_ARGUMENT"


class OutOfRange(DomainError):
    code = grpc.StatusCode.OUT_OF_RANGE
    default_reason = "OUT_OF_RANGE"


class NotFound(DomainError):
    code = grpc.StatusCode.NOT_FOUND
    default_reason = "NOT_FOUND"


class AlreadyExists(DomainError):
    code = grpc.StatusCode.ALREADY_EXISTS
    default_reason = "ALREADY_EXISTS"


class FailedPrecondition(DomainError):
    code = grpc.StatusCode.FAILED_PRECONDITION
    default_reason = "FAILED_PRECONDITION"


class Aborted(DomainError):
    code = grpc.StatusCode.ABORTED
    default_reason = "ABORTED"


class PermissionDenied(DomainError):
    code = grpc.StatusCode.PERMISSION_DENIED
    default_reason = "PERMISSION_DENIED"


class Unauthenticated(DomainError):
    code = grpc.StatusCode.UNAUTHENTICATED
    default_reason = "UNAUTHENTICATED"


class ResourceExhausted(DomainError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED
    default_reason = "RESOURCE_EXHAUSTED"


class Unavailable(DomainError):
    code = grpc.StatusCode.UNAVAILABLE
    default_reason = "UNAVAILABLE"


class DeadlineExceeded(DomainError):
    code = grpc.StatusCode.DEADLINE_EXCEEDED
    default_reason = "DEADLINE_EXCEEDED"


class Cancelled(DomainError):
    code = grpc.StatusCode.CANCELLED
    default_reason = "CANCELLED"


class Internal(DomainError):
    code = grpc.StatusCode.INTERNAL
    default_reason = "INTERNAL"


_BY_CODE: dict[grpc.StatusCode, type[DomainError]] = {
    cls.code: cls
    for cls in (
        InvalidArgument,
        OutOfRange,
        NotFound,
        AlreadyExists,
        FailedPrecondition,
        Aborted,
        PermissionDenied,
        Unauthenticated,
        ResourceExhausted,
        Unavailable,
        DeadlineExceeded,
        Cancelled,
        Internal,
    )
}

# Codes that say the caller asked for something wrong: they never trip a circuit breaker
# and are never retried.
CALLER_FAULT_CODES = frozenset(
    {
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.ALREADY_EXISTS,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.UNAUTHENTICATED,
        grpc.StatusCode.ABORTED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.OUT_OF_RANGE,
    }
)


def blame_dependency(error: DomainError, dependency: str) -> DomainError:
    """`error`, marked as the failure of `dependency` (kept if it already names a deeper one)."""
    error.metadata.setdefault(FAILED_DEPENDENCY_KEY, dependency)
    return error


def failed_dependency(status: status_pb2.Status | None) -> str | None:
    """The dependency a rich status blames (see FAILED_DEPENDENCY_KEY), or None."""
    for detail in status.details if status else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            if info.domain == ERROR_DOMAIN and info.metadata.get(FAILED_DEPENDENCY_KEY):
                return info.metadata[FAILED_DEPENDENCY_KEY]
    return None


def _pack(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)  # type: ignore[arg-type]
    return packed


def status_from_metadata(metadata: Sequence[tuple[str, str | bytes]] | None) -> status_pb2.Status | None:
    """The rich status a server sent in its trailing metadata, if any."""
    for key, value in metadata or ():
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            status = status_pb2.Status()
            status.ParseFromString(value)
            return status
    return None


def error_from_status(code: grpc.StatusCode, message: str, status: status_pb2.Status | None) -> DomainError:
    """Rebuild a domain error from a status code, message and optional rich details."""
    cls = _BY_CODE.get(code, DomainError)
    violations: dict[str, str] = {}
    reason: str | None = None
    retry_after: float | None = None
    metadata: dict[str, str] = {}
    preconditions: list[Precondition] = []
    for detail in status.details if status else ():
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            violations.update({v.field: v.description for v in bad.field_violations})
        elif detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason = info.reason
            metadata.update(info.metadata)
        elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            retry = error_details_pb2.RetryInfo()
            detail.Unpack(retry)
            retry_after = retry.retry_delay.ToMilliseconds() / 1000
        elif detail.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
            failure = error_details_pb2.PreconditionFailure()
            detail.Unpack(failure)
            preconditions.extend(Precondition(v.type, v.subject, v.description) for v in failure.violations)
    error = cls(
        message,
        reason=reason,
        violations=violations,
        retry_after_seconds=retry_after,
        metadata=metadata,
        preconditions=preconditions,
    )
    if cls is DomainError:
        error.code = code  # type: ignore[misc]  # an unusual code keeps its identity
    return error


def error_from_rpc(err: grpc.aio.AioRpcError | grpc.RpcError) -> DomainError:
    """The domain error behind a failed outbound call, details included."""
    code = err.code() if hasattr(err, "code") else grpc.StatusCode.UNKNOWN
    message = err.details() if hasattr(err, "details") else str(err)
    trailing = err.trailing_metadata() if hasattr(err, "trailing_metadata") else None
    return error_from_status(code, message or "", status_from_metadata(trailing))
