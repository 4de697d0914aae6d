"""The runtime's one circuit breaker (docmesh_common.breaker), on its own: its states and verdicts."""

from __future__ import annotations

import asyncio

import pytest

from docmesh_common.breaker import Breaker, BreakerOpen
from docmesh_common.metrics import BREAKER_STATE

FAIL_MAX = 2
OPEN_SECONDS = 0.1


class Down(Exception):
    """The dependency is unhealthy: counts as a failure."""


class CallersFault(Exception):
    """The caller asked for something wrong: the dependency answered, so it is no failure."""


def _breaker(name: str) -> Breaker:
    return Breaker(
        name,
        fail_max=FAIL_MAX,
        open_seconds=OPEN_SECONDS,
        counts_as_failure=lambda exc: isinstance(exc, Down),
    )


async def _fail(breaker: Breaker) -> None:
    with pytest.raises(Down), breaker.guard():
        raise Down


async def _succeed(breaker: Breaker) -> None:
    with breaker.guard():
        await asyncio.sleep(0)


async def _opened(name: str) -> Breaker:
    breaker = _breaker(name)
    for _ in range(FAIL_MAX):
        await _fail(breaker)
    assert breaker.state == "open"
    return breaker


async def _half_open_hanging_probe(breaker: Breaker) -> asyncio.Task[None]:
    """Wait out the open interval and start a probe that hangs until cancelled."""
    await asyncio.sleep(OPEN_SECONDS + 0.02)
    admitted = asyncio.Event()

    async def probe() -> None:
        with breaker.guard():
            admitted.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(probe())
    await admitted.wait()
    assert breaker.state == "half-open"
    return task


def _metric(name: str) -> float:
    return BREAKER_STATE.labels(name)._value.get()


async def test_it_opens_after_fail_max_consecutive_failures() -> None:
    breaker = _breaker("rules-open")
    await _fail(breaker)
    assert breaker.state == "closed"
    await _fail(breaker)
    assert breaker.state == "open"
    assert _metric("rules-open") == 2


async def test_a_success_between_failures_starts_the_count_again() -> None:
    breaker = _breaker("rules-reset")
    await _fail(breaker)
    await _succeed(breaker)
    await _fail(breaker)
    assert breaker.state == "closed"


async def test_errors_of_the_callers_own_making_never_trip_it() -> None:
    breaker = _breaker("rules-caller")
    for _ in range(FAIL_MAX * 3):
        with pytest.raises(CallersFault), breaker.guard():
            raise CallersFault
    assert breaker.state == "closed"


async def test_an_open_breaker_refuses_at_once_with_a_retry_hint_of_at_least_a_second() -> None:
    breaker = await _opened("rules-refuse")
    ran = False
    with pytest.raises(BreakerOpen) as caught, breaker.guard():
        ran = True
    assert not ran
    assert caught.value.name == "rules-refuse"
    assert caught.value.retry_after == 1.0
    assert 0 < breaker.seconds_until_probe() <= OPEN_SECONDS


async def test_after_the_open_interval_a_successful_probe_closes_it() -> None:
    breaker = await _opened("rules-close")
    await asyncio.sleep(OPEN_SECONDS + 0.02)
    await _succeed(breaker)
    assert breaker.state == "closed"
    assert _metric("rules-close") == 0


async def test_a_failed_probe_opens_it_again() -> None:
    breaker = await _opened("rules-reopen")
    await asyncio.sleep(OPEN_SECONDS + 0.02)
    await _fail(breaker)
    assert breaker.state == "open"
    assert breaker.seconds_until_probe() > 0


async def test_half_open_lets_a_single_probe_through_and_refuses_the_rest() -> None:
    breaker = await _opened("rules-one-probe")
    probe = await _half_open_hanging_probe(breaker)
    with pytest.raises(BreakerOpen), breaker.guard():
        pass
    assert _metric("rules-one-probe") == 1
    probe.cancel()
    await asyncio.gather(probe, return_exceptions=True)


async def test_a_cancelled_half_open_probe_neither_closes_nor_reopens_it_and_the_next_caller_probes() -> None:
    breaker = await _opened("rules-cancelled-probe")
    probe = await _half_open_hanging_probe(breaker)
    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe
    assert breaker.state == "half-open"  # not closed: a cancellation is no success
    assert breaker.seconds_until_probe() == 0  # not re-opened: nor is it a failure
    await _succeed(breaker)  # the next caller is the probe
    assert breaker.state == "closed"


async def test_a_cancelled_call_does_not_reset_the_failure_count() -> None:
    breaker = _breaker("rules-cancelled-closed")
    await _fail(breaker)

    async def hang() -> None:
        with breaker.guard():
            await asyncio.Event().wait()

    task = asyncio.create_task(hang())
    await asyncio.sleep(0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await _fail(breaker)
    assert breaker.state == "open"


async def test_a_call_that_ends_after_the_breaker_opened_does_not_change_it() -> None:
    breaker = _breaker("rules-stale")
    release = asyncio.Event()

    async def slow_success() -> None:
        with breaker.guard():
            await release.wait()

    slow = asyncio.create_task(slow_success())
    await asyncio.sleep(0)
    for _ in range(FAIL_MAX):
        await _fail(breaker)
    release.set()
    await slow
    assert breaker.state == "open"
