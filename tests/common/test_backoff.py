"""The shared back-off: known down after a failure, probed in the background at growing intervals."""

from __future__ import annotations

import asyncio
import time

from docmesh_common.backoff import JITTER, Backoff

FIRST = 0.05
MAX = 0.2


class _Probe:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.times: list[float] = []

    async def __call__(self) -> None:
        self.times.append(time.monotonic())
        if len(self.times) <= self.failures:
            raise ConnectionError("still down")


async def test_a_failure_marks_the_dependency_down_until_a_probe_succeeds() -> None:
    probe = _Probe(failures=1)
    backoff = Backoff("dep", probe, first_seconds=FIRST, max_seconds=MAX)
    assert not backoff.down
    backoff.failed(ConnectionError())
    assert backoff.down
    await asyncio.sleep(FIRST + 2 * FIRST + 0.1)
    assert len(probe.times) == 2
    assert not backoff.down
    await backoff.close()


async def test_probe_intervals_double_up_to_the_maximum_and_jitter_only_shortens_them() -> None:
    probe = _Probe(failures=100)
    backoff = Backoff("dep", probe, first_seconds=FIRST, max_seconds=MAX)
    started = time.monotonic()
    backoff.failed(ConnectionError())
    await asyncio.sleep(FIRST + 2 * FIRST + 4 * FIRST + MAX + 0.05)
    await backoff.close()
    gaps = [b - a for a, b in zip([started, *probe.times], probe.times, strict=False)]
    expected = [FIRST, 2 * FIRST, MAX, MAX]
    for gap, nominal in zip(gaps, expected, strict=False):
        assert (
            nominal * JITTER[0] - 0.01 <= gap <= nominal * JITTER[1] + 0.05
        )  # scheduling delay on a loaded machine
    assert len(gaps) >= 3


async def test_failures_while_down_start_no_second_probe() -> None:
    probe = _Probe(failures=0)
    backoff = Backoff("dep", probe, first_seconds=FIRST, max_seconds=MAX)
    for _ in range(5):
        backoff.failed(ConnectionError())
    await asyncio.sleep(FIRST + 0.05)
    assert len(probe.times) == 1
    await backoff.close()
