"""Which HTTP headers an error response carries, from the error the gateway maps."""

from __future__ import annotations

from docmesh_common.errors import Aborted, InvalidArgument, Unavailable
from docmesh_gateway.errors import error_headers


def test_a_conflict_that_says_when_to_retry_carries_retry_after() -> None:
    error = Aborted("another turn is still running", retry_after_seconds=2.3)
    assert error_headers(error)["retry-after"] == "3"


def test_an_unavailable_error_without_a_delay_gets_the_default_retry_after() -> None:
    assert error_headers(Unavailable("down"))["retry-after"] == "1"


def test_an_unavailable_error_with_a_delay_says_that_delay() -> None:
    assert error_headers(Unavailable("down", retry_after_seconds=7.0))["retry-after"] == "7"


def test_a_client_error_without_a_delay_has_no_retry_after() -> None:
    assert "retry-after" not in error_headers(InvalidArgument("bad"))
