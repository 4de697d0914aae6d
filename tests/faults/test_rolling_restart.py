"""Rolling restarts and a killed replica under load lose no read or export (the launcher's mesh,
SQLite of the test's own, the built-in LLM).

A restarted replica drains (docmesh_common.server): NOT_SERVING first, then it stops accepting
and finishes what it started; clients wait for a ready replica meanwhile, even when the one
being restarted was the only one (docmesh_common.clients). A replica killed with SIGKILL drains
nothing: its in-flight reads fail UNAVAILABLE and the client's one retry layer (gRPC's retry
policy) sends them to the other replica.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.mesh import Load, Mesh, own_mesh

pytestmark = [pytest.mark.timeout(300)]

BACKENDS = ("document", "session", "agent")
# Load before and after each fault, so calls are in flight when it happens and after it.
SETTLE_SECONDS = 0.5


@pytest.fixture(scope="module")
def two_replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Mesh, str]]:
    with own_mesh(tmp_path_factory.mktemp("mesh2"), replicas=2) as mesh:
        yield mesh, mesh.drafted_session()


def _describe(load: Load) -> str:
    return "\n".join(f"{c.path}: {c.status} after {c.seconds:.2f}s" for c in load.failed()[:10])


def _rolling_restart_under_load(mesh: Mesh, session_id: str) -> Load:
    with Load.reads_and_exports(mesh, session_id) as load:
        for service in BACKENDS:
            time.sleep(SETTLE_SECONDS)
            mesh.restart(service)
        time.sleep(SETTLE_SECONDS)
    return load


def test_a_rolling_restart_of_every_service_with_one_replica_loses_no_call(tmp_path: Path) -> None:
    with own_mesh(tmp_path, replicas=1) as mesh:
        load = _rolling_restart_under_load(mesh, mesh.drafted_session())
    assert load.calls
    assert not load.failed(), _describe(load)


def test_a_rolling_restart_of_every_service_with_two_replicas_loses_no_call(two_replicas) -> None:
    mesh, session_id = two_replicas
    load = _rolling_restart_under_load(mesh, session_id)
    assert load.calls
    assert not load.failed(), _describe(load)


def test_a_replica_killed_with_sigkill_loses_no_read(two_replicas) -> None:
    mesh, session_id = two_replicas
    with Load.reads_and_exports(mesh, session_id) as load:
        for service in BACKENDS:
            time.sleep(SETTLE_SECONDS)
            mesh.kill(service)
            time.sleep(SETTLE_SECONDS)
            mesh.replace(service)
        time.sleep(SETTLE_SECONDS)
    assert load.calls
    assert not load.failed(), _describe(load)
