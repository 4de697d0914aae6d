"""Retries with backoff and a circuit breaker around every LLM call.

The openai client runs with max_retries=0 and retries happen here, so that every retry is
counted (`docmesh_llm_retries_total`) and bounded by the caller's deadline:

* retried: 429, 408, 409, 5xx, timeouts and connection errors;
* delay: exponential backoff with full jitter, `uniform(0, min(cap, base * 2**attempt))`,
  or the server's Retry-After when it sends one; a Retry-After beyond the cap (or beyond the
  caller's deadline) ends the retries and is passed on as the client's retry hint;
* breaker: one per endpoint, the runtime's breaker (docmesh_common.breaker); 5xx, timeouts
  and connection errors count as failures (4xx do not: they say nothing about the endpoint's
  health). While open, calls fail at once with BreakerOpen; after the reset timeout exactly one
  probe goes through (half-open) while every other call still fails fast, and its outcome closes
  or re-opens the breaker; a cancelled attempt counts as neither.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx2
import openai

from docmesh_agent.usage import LLM_CALLS, LLM_RETRIES
from docmesh_common.breaker import Breaker, BreakerOpen

__all__ = [
    "LLM_DEPENDENCY",
    "BreakerOpen",
    "EndpointBreaker",
    "RetriesExhausted",
    "RetryPolicy",
    "call_with_retries",
    "counts_against_endpoint",
    "describe",
    "retry_after_seconds",
    "transient_reason",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

# The name an error gives the language model when it is what failed (errors.blame_dependency).
LLM_DEPENDENCY = "llm"
RETRYABLE_STATUS = frozenset({408, 409, 429})
_NO_REQUEST = httpx2.Request("POST", "http://llm.invalid/")
# Below this many seconds of the caller's deadline an attempt is not worth starting.
MIN_ATTEMPT_SECONDS = 0.05


class RetriesExhausted(Exception):
    """Every attempt failed with a transient error; `last` is the final one."""

    def __init__(self, last: BaseException, attempts: int, retry_after: float | None) -> None:
        super().__init__(f"{attempts} attempt(s) failed: {describe(last)}")
        self.last = last
        self.attempts = attempts
        self.retry_after = retry_after


def transient_reason(exc: BaseException) -> str | None:
    """Why `exc` is worth retrying ("rate_limit", "server_error", "timeout", ...), or None."""
    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection"
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code == 429:
            return "rate_limit"
        if exc.status_code >= 500:
            return "server_error"
        if exc.status_code in RETRYABLE_STATUS:
            return "conflict"
    return None


def counts_against_endpoint(exc: BaseException) -> bool:
    """True when `exc` says the endpoint is unhealthy (what a breaker counts)."""
    reason = transient_reason(exc)
    return reason in {"timeout", "connection", "server_error"}


def describe(exc: BaseException) -> str:
    """What went wrong, in our own words: the status code, never the endpoint's text (an
    endpoint may echo the request's Authorization header or other secrets into its errors)."""
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code} from the model endpoint"
    if isinstance(exc, openai.APITimeoutError):
        return "the model endpoint did not answer in time"
    if isinstance(exc, openai.APIConnectionError):
        return "cannot reach the model endpoint"
    return type(exc).__name__


def retry_after_seconds(exc: BaseException) -> float | None:
    """The server's Retry-After (seconds or HTTP date, or retry-after-ms), if it sent one."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis:
        with contextlib.suppress(ValueError):
            return max(0.0, float(millis) / 1000)
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int
    base_seconds: float
    cap_seconds: float

    def backoff(self, attempt: int) -> float:
        """Full jitter: a uniform delay up to the capped exponential (attempt counts from 0)."""
        ceiling = min(self.cap_seconds, self.base_seconds * (2**attempt))
        return random.uniform(0, ceiling)


class EndpointBreaker(Breaker):
    """The breaker of one LLM endpoint, exported as docmesh_breaker_state{breaker="llm:<endpoint>"}
    beside the gRPC upstreams': only endpoint-health errors count; 4xx do not."""

    def __init__(
        self, endpoint: str, *, fail_max: int, reset_seconds: float, first_open_seconds: float | None = None
    ) -> None:
        # Like the gRPC upstreams' breakers: a short first open (an endpoint back after a blip is
        # used again within about a second), growing on each failed probe up to reset_seconds.
        super().__init__(
            f"llm:{endpoint}",
            fail_max=fail_max,
            open_seconds=reset_seconds,
            counts_as_failure=counts_against_endpoint,
            first_open_seconds=first_open_seconds,
        )
        self.endpoint = endpoint


async def call_with_retries(
    attempt: Callable[[float], Awaitable[T]],
    *,
    policy: RetryPolicy,
    breaker: Breaker,
    provider: str,
    model: str,
    timeout: float,
    deadline: float | None,
    on_retry: Callable[[str, float], None] | None = None,
) -> T:
    """Call `attempt(timeout_seconds)` until it succeeds, a non-transient error, or the budget ends.

    `deadline` is a time.monotonic() instant (the caller's deadline) or None.
    """
    tries = 0
    while True:
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining < MIN_ATTEMPT_SECONDS:
            raise TimeoutError("the caller's deadline passed before the model answered")
        per_attempt = timeout if remaining is None else min(timeout, remaining)
        tries += 1
        try:
            with breaker.guard():
                if remaining is None:
                    return await attempt(per_attempt)
                # The caller's deadline bounds the whole attempt, streamed answers included
                # (the client's own timeout only bounds each read).
                try:
                    return await asyncio.wait_for(attempt(per_attempt), remaining)
                except TimeoutError:
                    raise openai.APITimeoutError(request=_NO_REQUEST) from None
        except BreakerOpen:
            LLM_CALLS.labels(provider, model, "breaker_open").inc()
            raise
        except Exception as exc:
            reason = transient_reason(exc)
            LLM_CALLS.labels(provider, model, reason or "error").inc()
            if reason is None:
                raise
            if reason == "timeout" and per_attempt < timeout:
                # The caller's deadline, not the endpoint's slowness, cut this attempt short.
                raise TimeoutError("the caller's deadline passed while the model was answering") from exc
            hinted = retry_after_seconds(exc)
            if tries > policy.max_retries:
                raise RetriesExhausted(exc, tries, hinted) from exc
            if hinted is not None and hinted > policy.cap_seconds:
                raise RetriesExhausted(exc, tries, hinted) from exc
            delay = hinted if hinted is not None else policy.backoff(tries - 1)
            if deadline is not None and time.monotonic() + delay + MIN_ATTEMPT_SECONDS >= deadline:
                raise RetriesExhausted(exc, tries, hinted) from exc
            LLM_RETRIES.labels(provider, reason).inc()
            if on_retry is not None:
                on_retry(reason, delay)
            log.info("LLM call failed (%s), retry %d in %.2fs", describe(exc), tries, delay)
            await asyncio.sleep(delay)
