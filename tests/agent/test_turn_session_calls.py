"""Over the real services: a chat turn of the built-in provider calls the session process
BeginTurn and CommitTurn, and for a first document whose buyer is a saved customer GetCustomer
(the buyer is matched among the customers' names BeginTurn returned), nothing else (issue 16:
the number of calls was the cost of a turn). Counted from the services' own call metrics."""

from __future__ import annotations

from collections import Counter

import pytest

from docmesh.session.v1 import customer_service_pb2 as customer_pb
from docmesh.session.v1 import customer_service_pb2_grpc
from docmesh.type.v1 import invoice_pb2
from docmesh_common.metrics import RPC_HANDLED
from tests.agent.conftest import Mesh

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ACME = "Invoice Acme Corp for 10 hours of consulting at $150, 8% tax, due in 30 days"
# The session process's calls are labelled with its name, whatever the service.
SESSION_PROCESS = "session"
HEALTH_METHODS = "/grpc.health.v1.Health/"


def _session_calls() -> Counter[str]:
    """Calls the session process has handled so far, by method."""
    counts: Counter[str] = Counter()
    for metric in RPC_HANDLED.collect():
        for sample in metric.samples:
            method = sample.labels.get("method", "")
            # Health checks come from the clients' watchers on their own schedule: not the turn's.
            if method.startswith(HEALTH_METHODS):
                continue
            if sample.name.endswith("_total") and sample.labels["service"] == SESSION_PROCESS:
                counts[method.rsplit("/", 1)[-1]] += int(sample.value)
    return counts


async def test_a_first_turn_and_an_edit_each_call_begin_and_commit_only(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    before = _session_calls()
    first = await caller.chat(ACME)
    after_first = _session_calls()
    edited = await caller.chat("add 2 hours of QA at $80", first.session_id)
    after_edit = _session_calls()

    assert (first.revision_number, edited.revision_number) == (1, 2)
    assert after_first - before == Counter({"BeginTurn": 1, "CommitTurn": 1})
    assert after_edit - after_first == Counter({"BeginTurn": 1, "CommitTurn": 1})


async def test_a_first_turn_billing_a_saved_customer_reads_that_customer_and_takes_its_details(
    mesh: Mesh,
) -> None:
    caller = mesh.builtin_caller()
    customers = customer_service_pb2_grpc.CustomerServiceStub(mesh.session_channel)
    await customers.CreateCustomer(
        customer_pb.CreateCustomerRequest(
            customer=customer_pb.Customer(
                party=invoice_pb2.Party(name="Acme Corporation", city="Springfield")
            )
        ),
        metadata=caller.md,
    )
    before = _session_calls()
    first = await caller.chat(ACME)  # "Acme Corp": MatchCustomer's rule finds Acme Corporation
    after_first = _session_calls()

    assert first.invoice.buyer.city == "Springfield"
    assert after_first - before == Counter({"BeginTurn": 1, "GetCustomer": 1, "CommitTurn": 1})
