"""Retries with backoff and a circuit breaker around every LLM call.

The openai client runs with max_retries=0 and retries happen here, so that every retry is
counted (`docmesh_llm_retries_total`) and bounded by the caller's deadline:

* retried: 429, 408, 409, 5xx, timeouts and connection errors;
* delay: exponential backoff with full jitter, `uniform(0, min(cap, base * 2**attempt))`,
  or the server's Retry-After when it sends one; a Retry-After beyond the cap (or beyond the
  caller's deadline) ends the retries and is passed on as the client's retry hint;
* breaker: one pybreaker breaker per endpoint; 5xx, timeouts and connection errors count
  as failures (4xx do not: they say nothing about the endpoint's health). While open, calls
  fail at once; after the reset timeout exactly one probe goes through (half-open) while
  every other call still fails fast, and its outcome closes or re-opens the breaker.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email.utils
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx2
import openai
import pybreaker

from docmesh_agent.usage import LLM_CALLS, LLM_RETRIES
from docmesh_common.metrics import BREAKER_STATE, BREAKER_STATE_VALUES

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRYABLE_STATUS = frozenset({408, 409, 429})
_NO_REQUEST = httpx2.Request("POST", "http://llm.invalid/")
# Below this many seconds of the caller's deadline an attempt is not worth starting.
MIN_ATTEMPT_SECONDS = 0.05


class BreakerOpen(Exception):
    """The endpoint's breaker is open (or its one half-open probe is in flight)."""

    def __init__(self, endpoint: str, retry_after: float) -> None:
        super().__init__(f"circuit breaker for {endpoint} is open")
        self.endpoint = endpoint
        self.retry_after = retry_after


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
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code} from the model endpoint: {_short(exc.message)}"
    if isinstance(exc, openai.APITimeoutError):
        return "the model endpoint did not answer in time"
    if isinstance(exc, openai.APIConnectionError):
        return f"cannot reach the model endpoint: {_short(str(exc.__cause__ or exc))}"
    return _short(str(exc)) or type(exc).__name__


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


class _StateListener(pybreaker.CircuitBreakerListener):
    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: object, new_state: object) -> None:
        name = getattr(new_state, "name", str(new_state))
        BREAKER_STATE.labels(cb.name).set(BREAKER_STATE_VALUES.get(name, 0))
        log.warning("LLM circuit breaker %s is now %s", cb.name, name)


class EndpointBreaker:
    """A pybreaker breaker for one endpoint, usable across awaits, with a one-probe half-open."""

    def __init__(self, endpoint: str, *, fail_max: int, reset_seconds: float) -> None:
        self.endpoint = endpoint
        # Exported as docmesh_breaker_state{breaker="llm:<endpoint>"} beside the gRPC upstreams.
        self.name = f"llm:{endpoint}"
        self._cb = pybreaker.CircuitBreaker(
            fail_max=fail_max,
            reset_timeout=reset_seconds,
            # Only endpoint-health errors count; cancellation and 4xx do not.
            exclude=[lambda exc: not counts_against_endpoint(exc)],
            listeners=[_StateListener()],
            throw_new_error_on_trip=False,
            name=f"llm:{endpoint}",
        )
        self._probe_in_flight = False
        BREAKER_STATE.labels(self.name).set(0)

    @property
    def state(self) -> str:
        """ "closed", "open" or "half-open"."""
        return str(self._cb.current_state)

    def retry_after(self) -> float:
        """Seconds until the breaker lets a probe through (at least 1 for a useful hint)."""
        opened = self._cb._state_storage.opened_at
        if opened is None:
            return 1.0
        elapsed = (dt.datetime.now(dt.UTC) - opened).total_seconds()
        return max(1.0, self._cb.reset_timeout - elapsed)

    @contextlib.asynccontextmanager
    async def guard(self) -> AsyncIterator[None]:
        """Run the block under the breaker; raises BreakerOpen instead of calling when open.

        pybreaker's own `calling()` records a cancelled block as a success (closing a
        half-open breaker on an endpoint that hangs), so the verdict is passed to its state
        here: an exception is judged by the breaker's exclusions, a return is a success,
        and a cancellation records nothing.
        """
        cb = self._cb
        with cb._lock:
            state = cb.current_state
            probing = state != pybreaker.STATE_CLOSED
            if probing and self._probe_in_flight:
                raise BreakerOpen(self.endpoint, self.retry_after())
            if state == pybreaker.STATE_OPEN:
                if self._reset_pending():
                    raise BreakerOpen(self.endpoint, self.retry_after())
                cb.half_open()
            if probing:
                self._probe_in_flight = True
        try:
            yield
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            with cb._lock:
                try:
                    cb.state._handle_error(exc, reraise=False)
                except Exception as again:
                    # pybreaker re-raises the error that trips it; it is raised below anyway.
                    if again is not exc:
                        raise
            raise
        else:
            with cb._lock:
                cb.state._handle_success()
        finally:
            if probing:
                self._probe_in_flight = False

    def _reset_pending(self) -> bool:
        opened = self._cb._state_storage.opened_at
        if opened is None:
            return False
        return dt.datetime.now(dt.UTC) < opened + dt.timedelta(seconds=self._cb.reset_timeout)


async def call_with_retries(
    attempt: Callable[[float], Awaitable[T]],
    *,
    policy: RetryPolicy,
    breaker: EndpointBreaker,
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
            async with breaker.guard():
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
