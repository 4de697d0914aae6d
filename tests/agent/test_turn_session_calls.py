"""Over the real services: a chat turn of the built-in provider calls the session process
BeginTurn, (for a first document) MatchCustomer, and CommitTurn, nothing else (issue 16: the
number of calls was the cost of a turn). Counted from the services' own call metrics."""

from __future__ import annotations

from collections import Counter

import pytest

from docmesh_common.metrics import RPC_HANDLED
from tests.agent.conftest import Mesh

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ACME = "Invoice Acme Corp for 10 hours of consulting at $150, 8% tax, due in 30 days"
# The session process's calls are labelled with its name, whatever the service.
SESSION_PROCESS = "session"


def _session_calls() -> Counter[str]:
    """Calls the session process has handled so far, by method."""
    counts: Counter[str] = Counter()
    for metric in RPC_HANDLED.collect():
        for sample in metric.samples:
            if sample.name.endswith("_total") and sample.labels["service"] == SESSION_PROCESS:
                counts[sample.labels["method"].rsplit("/", 1)[-1]] += int(sample.value)
    return counts


async def test_a_first_turn_calls_begin_match_customer_and_commit_and_an_edit_begin_and_commit(
    mesh: Mesh,
) -> None:
    caller = mesh.builtin_caller()
    before = _session_calls()
    first = await caller.chat(ACME)
    after_first = _session_calls()
    edited = await caller.chat("add 2 hours of QA at $80", first.session_id)
    after_edit = _session_calls()

    assert (first.revision_number, edited.revision_number) == (1, 2)
    assert after_first - before == Counter({"BeginTurn": 1, "MatchCustomer": 1, "CommitTurn": 1})
    assert after_edit - after_first == Counter({"BeginTurn": 1, "CommitTurn": 1})
