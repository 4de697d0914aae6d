"""A breaker's open interval tells a blip from an outage: short at first, growing on repeated failure."""

from __future__ import annotations

import asyncio

import pytest

from docmesh_common.breaker import JITTER, Breaker

FIRST = 0.1
LONGEST = 0.35


class Down(Exception):
    """The dependency is unhealthy."""


def _growing(name: str) -> Breaker:
    return Breaker(
        name,
        fail_max=1,
        open_seconds=LONGEST,
        first_open_seconds=FIRST,
        counts_as_failure=lambda exc: isinstance(exc, Down),
    )


async def _fail(breaker: Breaker) -> None:
    with pytest.raises(Down), breaker.guard():
        raise Down


async def _probe_fails(breaker: Breaker) -> None:
    await asyncio.sleep(breaker.seconds_until_probe() + 0.01)
    await _fail(breaker)


async def test_the_first_open_lasts_about_the_first_interval_not_the_longest() -> None:
    breaker = _growing("blip")
    await _fail(breaker)
    assert FIRST * JITTER[0] <= breaker.open_seconds <= FIRST * JITTER[1]
    assert breaker.seconds_until_probe() <= FIRST * JITTER[1]


async def test_each_failed_probe_doubles_the_interval_up_to_the_longest() -> None:
    breaker = _growing("outage")
    await _fail(breaker)
    await _probe_fails(breaker)
    assert 2 * FIRST * JITTER[0] <= breaker.open_seconds <= 2 * FIRST * JITTER[1]
    await _probe_fails(breaker)
    await _probe_fails(breaker)
    assert LONGEST * JITTER[0] <= breaker.open_seconds <= LONGEST


async def test_a_successful_probe_starts_again_from_the_first_interval() -> None:
    breaker = _growing("healed")
    await _fail(breaker)
    await _probe_fails(breaker)
    await asyncio.sleep(breaker.seconds_until_probe() + 0.01)
    with breaker.guard():
        pass
    assert breaker.state == "closed"
    await _fail(breaker)
    assert breaker.open_seconds <= FIRST * JITTER[1]


async def test_the_interval_is_jittered_so_clients_do_not_probe_in_step() -> None:
    intervals = set()
    for n in range(8):
        breaker = _growing(f"jitter-{n}")
        await _fail(breaker)
        intervals.add(breaker.open_seconds)
    assert len(intervals) > 1


async def test_without_a_first_interval_every_open_lasts_the_configured_one() -> None:
    breaker = Breaker("fixed", fail_max=1, open_seconds=LONGEST, counts_as_failure=lambda exc: True)
    await _fail(breaker)
    assert breaker.open_seconds == LONGEST
