"""The circuit breaker of every outbound dependency: each gRPC upstream and the LLM endpoint.

Built on pybreaker (its failure counter, states, storage and listeners) and driven for asyncio,
where a call spans awaits and may be cancelled:

* closed: calls run; `fail_max` consecutive failures open it. Only an error the owner's
  `counts_as_failure` accepts is a failure; any other error is the dependency answering (a
  caller's invalid argument, say) and counts as a success, so errors of the caller's own making
  never trip it.
* open: calls fail at once with BreakerOpen, for the open interval. With `first_open_seconds`
  the first trip opens it that long only (a blip: a database restart, a replica replaced) and
  each re-open from a failed probe doubles it up to `open_seconds` (an outage), with jitter so
  that many clients do not probe in step; a close starts again from the first interval.
  Without it, every open lasts `open_seconds`.
* half-open: exactly one probe goes through while every other call still fails fast; the
  probe's outcome closes or re-opens the breaker.
* a cancelled call (asyncio.CancelledError, or a stream whose reader went away) is neither a
  success nor a failure: it says nothing about the dependency. A cancelled probe leaves the
  breaker half-open, and the next caller probes.
* the verdict of a call admitted while closed that ends after the breaker opened is stale and
  dropped: only the probe decides when to close.

The open interval lives in one place (`_open_interval`), so that it can grow with repeated
trips (with jitter) without touching the callers; a caller that needs one breaker per kind of
call simply holds several.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable
from types import TracebackType
from typing import Any

import pybreaker

from docmesh_common.metrics import BREAKER_STATE, BREAKER_STATE_VALUES

log = logging.getLogger("docmesh.breaker")

CLOSED = pybreaker.STATE_CLOSED
OPEN = pybreaker.STATE_OPEN
HALF_OPEN = pybreaker.STATE_HALF_OPEN
# A retry hint below a second is not worth a client's sleep; Retry-After counts whole seconds.
MIN_RETRY_AFTER_SECONDS = 1.0
# Each open interval is the nominal one times a factor drawn from this range. Jitter only
# shortens: an interval never exceeds its nominal length, the longest one included.
JITTER = (0.75, 1.0)


class BreakerOpen(Exception):
    """The breaker refused the call: it is open, or its one half-open probe is in flight."""

    def __init__(self, name: str, retry_after: float) -> None:
        super().__init__(f"circuit breaker {name} is open")
        self.name = name
        # Seconds until the breaker lets a probe through (at least MIN_RETRY_AFTER_SECONDS).
        self.retry_after = retry_after


class _StateMetric(pybreaker.CircuitBreakerListener):
    """Exports every state change as docmesh_breaker_state{breaker=<name>} and logs it."""

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: Any, new_state: Any) -> None:
        BREAKER_STATE.labels(cb.name).set(BREAKER_STATE_VALUES.get(new_state.name, 0))
        log.warning("breaker %s: %s -> %s", cb.name, getattr(old_state, "name", None), new_state.name)


class _Growth(pybreaker.CircuitBreakerListener):
    """Tells its Breaker of every state change, to size the next open interval."""

    def __init__(self, breaker: Breaker) -> None:
        self._breaker = breaker

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: Any, new_state: Any) -> None:
        self._breaker._on_state(new_state.name)


def _report(error: Exception | None) -> None:
    """The guarded operation handed to pybreaker once the real one has ended: its outcome."""
    if error is not None:
        raise error


class Breaker:
    """One circuit breaker. Guard each call with `with breaker.guard(): await ...`."""

    def __init__(
        self,
        name: str,
        *,
        fail_max: int,
        open_seconds: float,
        counts_as_failure: Callable[[BaseException], bool],
        first_open_seconds: float | None = None,
    ) -> None:
        self.name = name
        self._open_seconds = open_seconds
        self._first_open_seconds = first_open_seconds
        # Opens since the breaker last closed, and the interval drawn for the current open.
        self._trips = 0
        self._interval = open_seconds
        self._storage = pybreaker.CircuitMemoryStorage(CLOSED)
        self._cb = pybreaker.CircuitBreaker(
            fail_max=fail_max,
            reset_timeout=open_seconds,
            exclude=[lambda exc: not counts_as_failure(exc)],
            listeners=[_StateMetric(), _Growth(self)],
            state_storage=self._storage,
            name=name,
            # The call that trips the breaker reports its own error, not a generic one.
            throw_new_error_on_trip=False,
        )
        self._probe_in_flight = False
        BREAKER_STATE.labels(name).set(BREAKER_STATE_VALUES[CLOSED])

    @property
    def state(self) -> str:
        """ "closed", "open" or "half-open"."""
        return self._cb.current_state

    @property
    def open_seconds(self) -> float:
        """How long the breaker stays open before it lets a probe through."""
        return self._open_interval()

    def _open_interval(self) -> float:
        return self._interval

    def _on_state(self, new_state: str) -> None:
        """Draw the interval of a new open once, so every refusal quotes the same deadline."""
        if new_state == CLOSED:
            self._trips = 0
        elif new_state == OPEN:
            self._trips += 1
            if self._first_open_seconds is None:
                self._interval = self._open_seconds
            else:
                nominal = self._first_open_seconds * 2 ** (self._trips - 1)
                self._interval = min(self._open_seconds, nominal) * random.uniform(*JITTER)

    def seconds_until_probe(self) -> float:
        """0 when a call may go through now (closed, or open long enough to probe)."""
        opened = self._storage.opened_at
        if self.state == CLOSED or opened is None:
            return 0.0
        elapsed = (dt.datetime.now(dt.UTC) - opened).total_seconds()
        return max(0.0, self._open_interval() - elapsed)

    def guard(self) -> _Guarded:
        """Admit one call (raises BreakerOpen when refused); its outcome is recorded on exit."""
        return _Guarded(self, self._admit())

    def _admit(self) -> bool:
        """False for an ordinary call, True for the half-open probe."""
        state = self.state
        if state == CLOSED:
            return False
        waiting = self.seconds_until_probe() if state == OPEN else 0.0
        if self._probe_in_flight or waiting > 0:
            raise BreakerOpen(self.name, max(MIN_RETRY_AFTER_SECONDS, waiting))
        if state == OPEN:
            self._cb.half_open()
        self._probe_in_flight = True
        return True

    def _record(self, probe: bool, error: Exception | None) -> None:
        """Hand the outcome to pybreaker, which counts it (or not) and moves the state."""
        if probe:
            self._probe_in_flight = False
        if self.state != (HALF_OPEN if probe else CLOSED):
            return  # stale: the call began before the breaker opened
        if error is None and not probe and self._cb.fail_counter == 0:
            return  # a success that would only reset a counter already at zero
        try:
            self._cb.call(_report, error)
        except Exception as again:
            # pybreaker re-raises the error it was handed; the caller raises it anyway.
            if again is not error:
                raise

    def _abandon(self, probe: bool) -> None:
        """A cancelled call: no verdict, and a probe's slot is free for the next caller."""
        if probe:
            self._probe_in_flight = False


class _Guarded:
    """The context of one admitted call (a class, not a generator: it is on every RPC's path)."""

    __slots__ = ("_breaker", "_probe")

    def __init__(self, breaker: Breaker, probe: bool) -> None:
        self._breaker = breaker
        self._probe = probe

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc is None:
            self._breaker._record(self._probe, None)
        elif isinstance(exc, Exception):
            self._breaker._record(self._probe, exc)
        else:
            # asyncio.CancelledError, GeneratorExit, KeyboardInterrupt: not the dependency's doing.
            self._breaker._abandon(self._probe)
