"""Real processes: the mesh as `make run` starts it, signals, and bad settings."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from docmesh.document.v1 import document_service_pb2 as doc_pb
from docmesh.document.v1 import document_service_pb2_grpc as doc_grpc
from tests.conftest import REPO_ROOT

BIN = Path(sys.executable).parent
SERVICES = {
    "session": "docmesh.session.v1.SessionService",
    "agent": "docmesh.agent.v1.AgentService",
    "document": "docmesh.document.v1.DocumentService",
}


@pytest.fixture(scope="module")
def mesh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The whole mesh started by the launcher on free ports, SQLite, built-in provider."""
    state = tmp_path_factory.mktemp("mesh")
    env = {
        **os.environ,
        "DOCMESH_REPO_ROOT": str(state),
        "DOCMESH_DATABASE_URL": f"sqlite+aiosqlite:///{state / 'mesh.db'}",
        "DOCMESH_LLM_PROVIDER": "builtin",
    }
    for key in ("DOCMESH_REDIS_URL", "DOCMESH_LLM_BASE_URL", "DOCMESH_LLM_API_KEY", "OPENAI_API_KEY"):
        env.pop(key, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "docmesh_dev.launcher", "--free-ports"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO_ROOT,
    )
    ready = None
    deadline = time.monotonic() + 90
    lines: list[str] = []
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith('{"event": "mesh-ready"'):
            ready = json.loads(line)
            break
    if ready is None:
        process.kill()
        pytest.fail("mesh did not start:\n" + "".join(lines[-40:]))
    ready["process"] = process
    yield ready
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)


def _replicas(mesh: dict, service: str) -> list[dict]:
    return [r for r in mesh["replicas"] if r["service"] == service]


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_each_backend_process_reports_serving(mesh: dict, service: str) -> None:
    for replica in _replicas(mesh, service):
        with grpc.insecure_channel(f"127.0.0.1:{replica['port']}") as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=SERVICES[service]), timeout=5
            )
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_each_backend_process_lists_its_services_through_reflection(mesh: dict, service: str) -> None:
    replica = _replicas(mesh, service)[0]
    with grpc.insecure_channel(f"127.0.0.1:{replica['port']}") as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        names = {s.name for reply in replies for s in reply.list_services_response.service}
    assert {SERVICES[service], "grpc.health.v1.Health"} <= names


def test_document_process_serves_rpc_metrics_after_one_call(mesh: dict) -> None:
    replica = _replicas(mesh, "document")[0]
    with grpc.insecure_channel(f"127.0.0.1:{replica['port']}") as channel:
        doc_grpc.DocumentServiceStub(channel).Parse(doc_pb.ParseRequest(msc="version:1.5\n"), timeout=5)
    body = (
        urllib.request.urlopen(f"http://127.0.0.1:{replica['metrics_port']}/metrics", timeout=5)
        .read()
        .decode()
    )
    assert 'method="/docmesh.document.v1.DocumentService/Parse"' in body
    assert "docmesh_grpc_server_handled_total" in body


def test_gateway_process_is_healthy_and_serves_metrics(mesh: dict) -> None:
    with urllib.request.urlopen(mesh["gateway"] + "/healthz", timeout=5) as reply:
        assert reply.status == 200
    with urllib.request.urlopen(mesh["gateway"] + "/readyz", timeout=5) as reply:
        assert reply.status == 200
    body = urllib.request.urlopen(mesh["gateway"] + "/metrics", timeout=5).read().decode()
    assert "/readyz" in body or "readyz" in body


def test_a_chat_request_through_the_gateway_gets_a_real_answer(mesh: dict) -> None:
    request = urllib.request.Request(
        mesh["gateway"] + "/api/v1/chat",
        data=json.dumps(
            {"message": "Invoice Acme Corp for 10 hours of consulting at $150, 8% tax, due in 30 days"}
        ).encode(),
        headers={"Content-Type": "application/json", "X-API-Key": mesh["api_key"]},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        body = json.loads(reply.read())
    assert body["totals"]["total"]["amount"] in ("1620", "1620.00")
    assert body["msc"].startswith("socialcalc:version:1.0")


def _start_scripted(port: int, extra_env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    env = {
        **os.environ,
        "DOCMESH_SCRIPTED_PORT": str(port),
        "DOCMESH_SCRIPTED_METRICS_PORT": "0",
        **extra_env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.common.scripted_main"],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
                health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=0.5)
                return process, port
        except grpc.RpcError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("scripted service did not start")


def test_sigterm_during_a_slow_call_lets_it_finish_and_exits_0(free_port: Callable[[], int]) -> None:
    process, port = _start_scripted(free_port(), {"DOCMESH_SHUTDOWN_GRACE_SECONDS": "5"})
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        future = doc_grpc.DocumentServiceStub(channel).Parse.future(
            doc_pb.ParseRequest(msc="sleep:1.5"), timeout=10
        )
        time.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        reply = future.result()
    assert reply.form == "ok"
    assert process.wait(timeout=10) == 0


def test_sigint_stops_an_idle_service_with_exit_0(free_port: Callable[[], int]) -> None:
    process, _port = _start_scripted(free_port(), {})
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0


@pytest.mark.parametrize(
    ("script", "variable"),
    [
        ("docmesh-session", "DOCMESH_SESSION_PORT"),
        ("docmesh-agent", "DOCMESH_AGENT_PORT"),
        ("docmesh-document", "DOCMESH_DOCUMENT_PORT"),
        ("docmesh-gateway", "DOCMESH_GATEWAY_PORT"),
    ],
)
def test_a_bad_setting_stops_the_process_with_a_message_naming_it(script: str, variable: str) -> None:
    result = subprocess.run(
        [str(BIN / script)],
        env={**os.environ, variable: "eighty"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert variable in result.stderr
    assert "Traceback" not in result.stderr
