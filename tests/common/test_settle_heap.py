"""settle_heap, run once a server has started: the long-lived heap frozen, the young generation
collected less often, and every cycle still freed."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from docmesh_common.server import YOUNG_GC_THRESHOLD, settle_heap


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


@pytest.fixture
def settled() -> Iterator[None]:
    threshold = gc.get_threshold()
    settle_heap()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_the_objects_alive_at_start_are_frozen_out_of_full_collections(settled: None) -> None:
    assert gc.get_freeze_count() > 10_000  # modules, descriptors, fixtures: what a full collection skips


def test_the_young_generation_is_collected_less_often_than_by_default(settled: None) -> None:
    assert gc.get_threshold()[0] == YOUNG_GC_THRESHOLD > 700
    assert gc.isenabled()


def test_a_cycle_made_after_the_start_is_freed_without_an_explicit_collect(settled: None) -> None:
    first, second = _Node(), _Node()
    first.other, second.other = second, first
    alive = weakref.ref(first)
    del first, second
    # Allocations the collector counts (containers that stay alive) past the young threshold.
    kept = [[] for _ in range(YOUNG_GC_THRESHOLD * 2)]
    assert alive() is None
    del kept
