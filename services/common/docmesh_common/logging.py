"""JSON logs on stdout, one object per line, with the current request id on every line.

Every line is redacted (docmesh_common.redaction) as the last step of formatting, so no
logger, argument, extra field or traceback can write a key or a bearer token.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import zlib
from dataclasses import dataclass, field
from typing import Any

from docmesh_common import context
from docmesh_common.redaction import redact

# Attributes every LogRecord has; anything else passed through `extra=` is emitted as a field.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def _stamp_request_id() -> None:
    """Record the request id when a log record is created, not when it is formatted.

    Handlers may format later (or elsewhere, like pytest's caplog), after the call's context
    is gone; stamping at creation keeps the id on every line wherever it ends up.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_docmesh", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = context.request_id()
        return record

    factory._docmesh = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


_stamp_request_id()


@dataclass(frozen=True)
class AccessLogPolicy:
    """Which requests get the per-request log line: every failed one, every slow one, and a
    share of the rest chosen by request id (a crc32 of it), so that the gateway and every
    service behind it log the same requests and a sampled request can be followed end to end.

    A line per request was the largest single cost of a cheap call (the JSON, its redaction
    and the write: 12-17 % of the gateway's and the session service's CPU in bench_rest_hop's
    profiles); the metrics count every request whatever the share.
    """

    sample_rate: float = 1.0
    slow_seconds: float = 1.0
    _threshold: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_threshold", int(min(1.0, max(0.0, self.sample_rate)) * 2**32))

    def wants(self, request_id: str, *, failed: bool, seconds: float) -> bool:
        if failed or seconds >= self.slow_seconds or self._threshold >= 2**32:
            return True
        return self._threshold > 0 and zlib.crc32(request_id.encode()) < self._threshold


def _redacted(value: Any) -> Any:
    """An extra field with every string in it redacted, its JSON shape kept."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v) for v in value]
    return value


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        rid = getattr(record, "request_id", "")
        if rid:
            entry["request_id"] = rid
        for key, value in vars(record).items():
            if key not in _STANDARD and key != "request_id":
                entry[key] = _redacted(value)
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exc"] = redact(record.exc_text)
        if record.stack_info:
            entry["stack"] = redact(record.stack_info)
        # Values are redacted before JSON escapes their quotes; the line once more as a whole.
        return redact(json.dumps(entry, default=str, ensure_ascii=False))


def configure_logging(service: str, level: str = "INFO") -> None:
    """Route every logger to one JSON handler on stdout."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # A library that set up handlers of its own (uvicorn's default log config does) would write
    # past the JSON formatter and its redaction: its records go through the root handler instead.
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger) and logger.handlers:
            logger.handlers.clear()
            logger.propagate = True
    # Access logs of uvicorn duplicate our own per-request line.
    logging.getLogger("uvicorn.access").disabled = True
