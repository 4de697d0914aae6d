"""A whole docmesh mesh that a fault test or bench owns: the launcher's processes on free ports,
SQLite of its own, the built-in LLM provider; and a bounded load of reads and exports over HTTP.

The mesh is started in-process through docmesh_dev.launcher (plan, start_mesh, restart_replica,
stop_mesh), so the test can SIGTERM, restart or kill -9 each replica itself.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from docmesh_dev import launcher

FIRST_TURN = "Invoice Acme Corp for 10 hours of consulting at $150, 8% tax, due in 30 days"
# A pause between two calls of one load worker: the load stays bounded on a shared machine.
LOAD_PAUSE_SECONDS = 0.05


@dataclass
class Mesh:
    plan: launcher.Mesh
    env: dict[str, str]
    api_key: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.plan.gateway_port}"

    def client(self, timeout: float = 60.0) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"X-API-Key": self.api_key}, timeout=timeout)

    def drafted_session(self) -> str:
        """A session with a drafted invoice (one turn), to read and export."""
        with self.client() as client:
            reply = client.post("/api/v1/chat", json={"message": FIRST_TURN})
        reply.raise_for_status()
        return str(reply.json()["session_id"])

    def restart(self, service: str) -> None:
        """A rolling restart of every replica of `service`, one after the other."""
        for replica in self.plan.of(service):
            launcher.restart_replica(self.plan, replica, self.env)

    def kill(self, service: str, index: int = 0) -> None:
        """kill -9 of one replica (no drain at all), with its own children (a pod's whole container:
        the document service's render pool too, which would outlive it and hold the test's pipes)."""
        replica = self.plan.of(service)[index]
        assert replica.process is not None
        # The launcher starts each replica in a session of its own: its process group is its pid.
        os.killpg(replica.process.pid, signal.SIGKILL)
        replica.process.wait()

    def replace(self, service: str, index: int = 0) -> None:
        """A replacement for a killed replica, on its ports."""
        launcher.restart_replica(self.plan, self.plan.of(service)[index], self.env)


@contextmanager
def own_mesh(workdir: Path, replicas: int, **settings: str) -> Iterator[Mesh]:
    """A mesh with `replicas` replicas of each backend; `settings` are extra DOCMESH_ variables."""
    api_key = "fault-" + uuid.uuid4().hex
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCMESH_")}
    env.update(
        {
            "DOCMESH_REPO_ROOT": str(workdir),
            "DOCMESH_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'docmesh.db'}",
            "DOCMESH_DEV_MODE": "true",
            "DOCMESH_DEV_API_KEY": api_key,
            "DOCMESH_LLM_PROVIDER": "builtin",
            "DOCMESH_LOG_LEVEL": "WARNING",
            # The load is the test's own and bounded; the rate limiter is not what is measured.
            "DOCMESH_RATE_LIMIT_RPS": "10000",
            "DOCMESH_RATE_LIMIT_BURST": "10000",
            "PYTHONUNBUFFERED": "1",
            **settings,
        }
    )
    plan = launcher.plan(replicas, free_ports=True)
    try:
        launcher.start_mesh(plan, env)
        yield Mesh(plan, env, api_key)
    finally:
        launcher.stop_mesh(plan)


@dataclass
class Call:
    started: float
    seconds: float
    path: str
    status: int | str  # the HTTP status, or the transport error
    llm_bound: bool = False  # a chat turn (needs the language model)

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class Load:
    """Reads and exports of one session by a few workers, each call after the previous one."""

    mesh: Mesh
    paths: list[str]
    # A session to send turns to, one after the other ("" for none); each turn's text is unique.
    turn_session: str = ""
    calls: list[Call] = field(default_factory=list)
    acknowledged_turns: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _workers: list[threading.Thread] = field(default_factory=list)

    @classmethod
    def reads_and_exports(cls, mesh: Mesh, session_id: str, turn_session: str = "") -> Load:
        """Reads and exports of `session_id`; and turns to `turn_session` when one is given."""
        base = f"/api/v1/sessions/{session_id}"
        return cls(mesh, [base, f"{base}/document.pdf", f"{base}/revisions"], turn_session)

    def _work(self, path: str) -> None:
        with self.mesh.client() as client:
            while not self._stop.is_set():
                started = time.monotonic()
                try:
                    status: int | str = client.get(path).status_code
                except httpx.HTTPError as error:
                    status = repr(error)
                self.calls.append(Call(started, time.monotonic() - started, path, status))
                time.sleep(LOAD_PAUSE_SECONDS)

    def _turns(self) -> None:
        with self.mesh.client() as client:
            while not self._stop.is_set():
                text = f"add 1 hour of support at $10 (turn {uuid.uuid4().hex})"
                started = time.monotonic()
                body = {"session_id": self.turn_session, "message": text}
                try:
                    # The key lets a client retry replay the turn; this load never retries.
                    reply = client.post("/api/v1/chat", json=body, headers={"Idempotency-Key": text})
                    status: int | str = reply.status_code
                except httpx.HTTPError as error:
                    status = repr(error)
                self.calls.append(Call(started, time.monotonic() - started, "/api/v1/chat", status, True))
                if status == 200:
                    self.acknowledged_turns.append(text)
                time.sleep(LOAD_PAUSE_SECONDS)

    def stored_user_messages(self) -> list[str]:
        """Every message text of the turn session, as stored (read after the load)."""
        texts: list[str] = []
        token = ""
        with self.mesh.client() as client:
            while True:
                params = {"page_size": "100", **({"page_token": token} if token else {})}
                reply = client.get(f"/api/v1/sessions/{self.turn_session}/messages", params=params)
                reply.raise_for_status()
                page = reply.json()
                texts += [str(m.get("content", "")) for m in page.get("messages", [])]
                token = page.get("next_page_token") or page.get("nextPageToken") or ""
                if not token:
                    return texts

    def lost_and_duplicated_turns(self) -> tuple[int, int]:
        """Acknowledged turns whose message is missing, and those stored more than once."""
        stored = self.stored_user_messages()
        counts = [stored.count(text) for text in self.acknowledged_turns]
        return sum(1 for n in counts if n == 0), sum(1 for n in counts if n > 1)

    def __enter__(self) -> Load:
        self._workers = [threading.Thread(target=self._work, args=(p,), daemon=True) for p in self.paths]
        if self.turn_session:
            self._workers.append(threading.Thread(target=self._turns, daemon=True))
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=70)

    def failed(self) -> list[Call]:
        return [call for call in self.calls if not call.ok]
