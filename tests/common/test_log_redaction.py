"""No log line carries a key or a bearer token, whichever way the text reaches the log."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from docmesh_common.logging import JsonFormatter, configure_logging
from docmesh_common.redaction import MASK, redact

SECRETS = {
    "bearer": ("Authorization: Bearer sk-live-4f9a8b7c6d5e4f3a", "sk-live-4f9a8b7c6d5e4f3a"),
    "openai key": ("the key sk-proj-AbCdEf0123456789 was refused", "AbCdEf0123456789"),
    "basic auth": ("Authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"),
    "docmesh key env": ("DOCMESH_LLM_API_KEY=hunter2hunter2 loaded", "hunter2hunter2"),
    "api key field": ('{"api_key": "k-93f1c0ffee"}', "k-93f1c0ffee"),
    "our api key": ("x-api-key dmk_Zm9vYmFyYmF6cXV4", "Zm9vYmFyYmF6cXV4"),
    "url password": ("postgresql+asyncpg://docmesh:s3cr3tpw@db:5432/docmesh", "s3cr3tpw"),
    "echoed header": (
        'upstream said {"headers": {"authorization": "Bearer eyJhbGci.eyJzdWIi.c2ln"}}',
        "eyJzdWIi",
    ),
}


@pytest.mark.parametrize("text,secret", SECRETS.values(), ids=SECRETS.keys())
def test_redact_removes_the_secret_and_says_so(text: str, secret: str) -> None:
    cleaned = redact(text)
    assert secret not in cleaned
    assert MASK in cleaned


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "turn 3 of session 42 failed: the language model answered 500 after 1.2 s"
    assert redact(text) == text


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The process's own log configuration, writing to a buffer instead of stdout."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging("test", "DEBUG")
    buffer = io.StringIO()
    root.handlers[0].setStream(buffer)  # type: ignore[attr-defined]
    yield buffer
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


def _lines(buffer: io.StringIO) -> list[str]:
    return [line for line in buffer.getvalue().splitlines() if line]


@pytest.mark.parametrize("text,secret", SECRETS.values(), ids=SECRETS.keys())
def test_every_logging_path_is_redacted(captured: io.StringIO, text: str, secret: str) -> None:
    log = logging.getLogger("docmesh.test.redaction")
    log.warning(text)  # the message itself
    log.warning("upstream error: %s", text)  # an argument
    log.warning("upstream error", extra={"detail": text, "nested": {"body": [text]}})  # extra fields
    try:
        raise RuntimeError(text)
    except RuntimeError:
        log.exception("call failed")  # the traceback
    logging.getLogger("uvicorn.error").error(text)  # a library's logger
    lines = _lines(captured)
    assert len(lines) == 5
    for line in lines:
        json.loads(line)
        assert secret not in line


def test_a_library_logger_with_its_own_handler_goes_through_the_redaction() -> None:
    # uvicorn's default log config gives "uvicorn.error" a plain handler and no propagation.
    library = logging.getLogger("docmesh.test.library")
    plain = io.StringIO()
    library.addHandler(logging.StreamHandler(plain))
    library.propagate = False
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("test", "DEBUG")
        buffer = io.StringIO()
        root.handlers[0].setStream(buffer)  # type: ignore[attr-defined]
        library.error("Authorization: Bearer sk-live-4f9a8b7c6d5e4f3a")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    assert plain.getvalue() == ""
    assert "sk-live" not in buffer.getvalue() and MASK in buffer.getvalue()


def test_a_json_formatted_line_keeps_its_extra_fields_shape() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "m", (), None)
    record.nested = {"count": 3, "items": ["Bearer abcdefghij", 2]}
    entry = json.loads(JsonFormatter("t").format(record))
    assert entry["nested"] == {"count": 3, "items": [f"Bearer {MASK}", 2]}
