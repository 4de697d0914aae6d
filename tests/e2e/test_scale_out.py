"""Scale-out rehearsal on one machine: two replicas of every backend behind `ipv4:` round_robin
targets (the local stand-in for a headless Service's DNS name), one replica of each backend
stopped with SIGTERM while chat turns are in flight, and every turn succeeds exactly once.

The mesh is the real one: `python -m docmesh_dev.launcher --replicas 2 --free-ports` (what
`make run REPLICAS=2` runs) starts document, session and agent twice each plus the gateway, on
PostgreSQL and Redis, with the built-in LLM provider. The test talks to the gateway over HTTP
only, like a web client, and counts what was stored afterwards through the same API.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(300)]

REPO_ROOT = Path(__file__).resolve().parents[2]
BACKENDS = ("session", "agent", "document")
REPLICAS = 2
CONVERSATIONS = 3
START_TIMEOUT_SECONDS = 120.0
# Drain of a stopped replica; the launcher's replicas read it like pods do.
SHUTDOWN_GRACE_SECONDS = 10.0
TURN_TIMEOUT_SECONDS = 60.0

# (message, quantity, unit price) per turn; the first creates the invoice with an 8% tax and each
# later one adds a distinct line, so a turn applied twice (or lost) changes the final total.
TAX_RATE = Decimal("0.08")
TURNS: list[tuple[str, Decimal, Decimal]] = [
    (
        "Invoice Acme Corp for 10 hours of consulting at $150, 8% tax, due in 30 days",
        Decimal(10),
        Decimal(150),
    ),
    ("add 2 hours of QA at $80", Decimal(2), Decimal(80)),
    ("add 3 hours of design review at $95", Decimal(3), Decimal(95)),
    ("add 1 hour of deployment at $120", Decimal(1), Decimal(120)),
    ("add 4 hours of documentation at $60", Decimal(4), Decimal(60)),
    ("add 5 hours of training at $70", Decimal(5), Decimal(70)),
]
# Turns 1..STOP_AFTER_TURN run on the full mesh; the replicas are stopped as the next turns start.
STOP_AFTER_TURN = 3


@dataclass
class Launcher:
    process: subprocess.Popen[str]
    ready: dict[str, Any]
    log: deque[str]

    def replicas(self, service: str) -> list[dict[str, Any]]:
        return [r for r in self.ready["replicas"] if r["service"] == service]

    def tail(self, lines: int = 60) -> str:
        return "".join(list(self.log)[-lines:])


@dataclass
class Conversation:
    session_id: str = ""
    responses: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _environment(pg_url: str, redis_url: str, state: Path, api_key: str) -> dict[str, str]:
    # Start from a clean slate of DOCMESH_ settings so nothing from the caller's shell leaks in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCMESH_")}
    env.update(
        {
            "DOCMESH_DATABASE_URL": pg_url,
            "DOCMESH_REDIS_URL": redis_url,
            "DOCMESH_REPO_ROOT": str(state),
            "DOCMESH_DEV_API_KEY": api_key,
            "DOCMESH_LLM_PROVIDER": "builtin",
            "DOCMESH_SHUTDOWN_GRACE_SECONDS": str(SHUTDOWN_GRACE_SECONDS),
            "DOCMESH_LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@pytest.fixture
def launcher(pg_url: str, redis_url: str, tmp_path: Path) -> Iterator[Launcher]:
    api_key = "e2e-" + uuid.uuid4().hex
    env = _environment(pg_url, redis_url, tmp_path, api_key)
    # PostgreSQL is migrated by an operator step (the Job in Kubernetes), not by the services.
    subprocess.run([sys.executable, "-m", "docmesh_session.migrate"], env=env, check=True, timeout=120)
    process = subprocess.Popen(
        [sys.executable, "-m", "docmesh_dev.launcher", "--replicas", str(REPLICAS), "--free-ports"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    log: deque[str] = deque(maxlen=2000)
    ready: dict[str, Any] = {}
    ready_event = threading.Event()

    def read_output() -> None:
        # Drain the pipe for the whole run: a full pipe would block every process's logging.
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line)
            if line.startswith('{"event": "mesh-ready"'):
                ready.update(json.loads(line))
                ready_event.set()

    reader = threading.Thread(target=read_output, name="launcher-output", daemon=True)
    reader.start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not ready_event.wait(0.2):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            pytest.fail("the mesh did not start:\n" + "".join(log))
    running = Launcher(process, ready, log)
    try:
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        reader.join(timeout=5)


def _handled_calls(metrics_port: int) -> int:
    """RPCs a replica handled, health checks left out (from its Prometheus endpoint)."""
    text = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
    total = 0.0
    for family in text_string_to_metric_families(text):
        if family.name != "docmesh_grpc_server_handled":
            continue
        for sample in family.samples:
            if sample.name.endswith("_total") and "grpc.health" not in sample.labels.get("method", ""):
                total += sample.value
    return int(total)


def _gone(pid: int) -> bool:
    """True once the process has exited (a zombie not yet reaped by the launcher counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def _chat(client: httpx.Client, conversation: Conversation, message: str) -> None:
    body = {"message": message, "idempotency_key": str(uuid.uuid4())}
    if conversation.session_id:
        body["session_id"] = conversation.session_id
    # One request per turn, no client retry: the mesh itself must absorb the stopped replicas.
    started = time.monotonic()
    try:
        reply = client.post("/api/v1/chat", json=body, timeout=TURN_TIMEOUT_SECONDS)
    except httpx.HTTPError as error:
        conversation.errors.append(f"{message!r}: {error!r} after {time.monotonic() - started:.1f}s")
        return
    if reply.status_code != 200:
        conversation.errors.append(f"{message!r}: HTTP {reply.status_code} {reply.text[:300]}")
        return
    data = reply.json()
    conversation.session_id = data["session_id"]
    conversation.responses.append(data)


def _run_turns(client: httpx.Client, conversation: Conversation, turns: list[str], pause: Pause) -> None:
    for index, message in enumerate(turns, start=1):
        _chat(client, conversation, message)
        if conversation.errors:
            pause.abort()  # the main thread stops waiting and reports the error
            return
        if index == STOP_AFTER_TURN:
            pause.wait_here()


class Pause:
    """Holds every conversation after its STOP_AFTER_TURN-th turn until the main thread resumes them."""

    def __init__(self, parties: int) -> None:
        self._arrived = threading.Barrier(parties + 1)
        self._resume = threading.Barrier(parties + 1)

    def wait_here(self) -> None:
        self._arrived.wait(timeout=TURN_TIMEOUT_SECONDS * STOP_AFTER_TURN)
        self._resume.wait(timeout=TURN_TIMEOUT_SECONDS)

    def wait_all_arrived(self) -> None:
        self._arrived.wait(timeout=TURN_TIMEOUT_SECONDS * STOP_AFTER_TURN)

    def resume(self) -> None:
        self._resume.wait(timeout=TURN_TIMEOUT_SECONDS)

    def abort(self) -> None:
        self._arrived.abort()
        self._resume.abort()


def _list_all(client: httpx.Client, path: str, items_key: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = ""
    while True:
        reply = client.get(path, params={"page_size": 50, "page_token": token}, timeout=30)
        assert reply.status_code == 200, reply.text
        data = reply.json()
        items += data[items_key]
        token = data.get("next_page_token", "")
        if not token:
            return items


def _expected_total() -> Decimal:
    subtotal = sum((quantity * price for _, quantity, price in TURNS), Decimal(0))
    return (subtotal * (1 + TAX_RATE)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_chat_turns_succeed_exactly_once_while_one_replica_of_each_backend_stops(launcher: Launcher) -> None:
    headers = {"X-API-Key": launcher.ready["api_key"]}
    for service in BACKENDS:
        assert len(launcher.replicas(service)) == REPLICAS
        assert launcher.ready["targets"][service].startswith("ipv4:"), launcher.ready["targets"]

    conversations = [Conversation() for _ in range(CONVERSATIONS)]
    messages = [message for message, _, _ in TURNS]
    pause = Pause(CONVERSATIONS)
    with httpx.Client(base_url=launcher.ready["gateway"], headers=headers) as client:
        threads = [
            threading.Thread(target=_run_turns, args=(client, c, messages, pause), name=f"conversation-{i}")
            for i, c in enumerate(conversations)
        ]
        for thread in threads:
            thread.start()

        # Every conversation is through its first turns on the full mesh, and waits.
        try:
            pause.wait_all_arrived()
        except threading.BrokenBarrierError:
            errors = [e for c in conversations for e in c.errors]
            pytest.fail("a turn failed on the full mesh: " + "\n".join(errors) + "\n" + launcher.tail())
        before_stop = {
            service: [_handled_calls(r["metrics_port"]) for r in launcher.replicas(service)]
            for service in BACKENDS
        }
        # round_robin spread the calls: every replica of every backend served some.
        for service, counts in before_stop.items():
            assert all(count > 0 for count in counts), (service, counts)

        # The remaining turns start now; stop replica 0 of each backend while the first of them run.
        pause.resume()
        time.sleep(0.02)
        stopped = [launcher.replicas(service)[0] for service in BACKENDS]
        for replica in stopped:
            os.kill(replica["pid"], signal.SIGTERM)

        for thread in threads:
            thread.join(timeout=TURN_TIMEOUT_SECONDS * len(TURNS))
            assert not thread.is_alive(), "a conversation hung\n" + launcher.tail()

        deadline = time.monotonic() + SHUTDOWN_GRACE_SECONDS + 10
        while not all(_gone(r["pid"]) for r in stopped) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert all(_gone(r["pid"]) for r in stopped), "a stopped replica did not exit\n" + launcher.tail()
        # Each stopped replica went through its whole drain (run_service logs "stopped" at the end).
        for service in BACKENDS:
            drained = [
                line
                for line in list(launcher.log)
                if '"msg": "stopped"' in line and f'"service": "{service}"' in line
            ]
            assert len(drained) == 1, (service, drained)

        # Every turn answered once, in order, on the first and only request.
        for conversation in conversations:
            assert conversation.errors == [], "\n".join(conversation.errors) + "\n" + launcher.tail()
            assert len(conversation.responses) == len(TURNS)
            assert [r["revision_number"] for r in conversation.responses] == list(range(1, len(TURNS) + 1))
            assert Decimal(conversation.responses[-1]["totals"]["total"]["amount"]) == _expected_total()

        # The survivors carried the traffic after the stop.
        for service in BACKENDS:
            survivor = launcher.replicas(service)[1]
            assert _handled_calls(survivor["metrics_port"]) > before_stop[service][1], service

        # What was stored: each message once, in order, and one revision per turn.
        for conversation in conversations:
            session_path = f"/api/v1/sessions/{conversation.session_id}"
            stored = _list_all(client, f"{session_path}/messages", "messages")
            assert [m["role"] for m in stored] == ["MESSAGE_ROLE_USER", "MESSAGE_ROLE_ASSISTANT"] * len(TURNS)
            assert [m["content"] for m in stored if m["role"] == "MESSAGE_ROLE_USER"] == messages
            assert [int(m["sequence"]) for m in stored] == sorted(int(m["sequence"]) for m in stored)
            revisions = _list_all(client, f"{session_path}/revisions", "revisions")
            assert sorted(r["number"] for r in revisions) == list(range(1, len(TURNS) + 1))

    # The launcher stops the rest of the mesh cleanly.
    launcher.process.send_signal(signal.SIGTERM)
    assert launcher.process.wait(timeout=60) == 0, launcher.tail()
