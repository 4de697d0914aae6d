"""`make run`: start document, session, agent and gateway on this machine and stop them together.

Embedded defaults: SQLite under .state/, no Redis, the built-in LLM provider, dev mode (the
gateway accepts a dev API key, generated here unless DOCMESH_DEV_API_KEY is set). Every
setting can still be overridden by the environment.

With --replicas N each backend runs N times on consecutive port blocks, and its clients get
a gRPC target listing every replica (`ipv4:127.0.0.1:P1,127.0.0.1:P2`) balanced with
round_robin: the local stand-in for a Kubernetes headless Service.

With --free-ports every port is chosen by the OS (for tests) and reserved until the mesh stops
(docmesh_dev.ports: nothing else is handed a port between the choice and the child's bind). When
the mesh is up the launcher prints one JSON line {"event": "mesh-ready", ...} with every port,
target and pid.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from docmesh_dev.ports import PortReservation

BACKENDS = ("document", "session", "agent")
DEFAULT_PORTS = {"session": (50051, 9091), "agent": (50052, 9092), "document": (50053, 9093)}
GATEWAY_DEFAULT_PORT = 8080
REPLICA_PORT_STRIDE = 100
START_TIMEOUT_SECONDS = 60.0


@dataclass
class Replica:
    service: str
    index: int
    port: int
    metrics_port: int
    process: subprocess.Popen[bytes] | None = None


@dataclass
class Mesh:
    replicas: list[Replica] = field(default_factory=list)
    gateway_port: int = GATEWAY_DEFAULT_PORT
    gateway: subprocess.Popen[bytes] | None = None
    # Ports the OS chose (--free-ports, and a restarted replica's metrics port) stay reserved while
    # the mesh runs, so a replica restarted on its gRPC port (restart_replica) can bind it again too.
    reservations: dict[int, PortReservation] = field(default_factory=dict)

    def reserve_port(self) -> int:
        reservation = PortReservation()
        self.reservations[reservation.port] = reservation
        return reservation.port

    def release_port(self, port: int) -> None:
        reservation = self.reservations.pop(port, None)
        if reservation is not None:
            reservation.release()

    def release_ports(self) -> None:
        for port in list(self.reservations):
            self.release_port(port)

    def of(self, service: str) -> list[Replica]:
        return [r for r in self.replicas if r.service == service]

    def target(self, service: str) -> str:
        ports = [r.port for r in self.of(service)]
        if len(ports) == 1:
            return f"127.0.0.1:{ports[0]}"
        return "ipv4:" + ",".join(f"127.0.0.1:{p}" for p in ports)

    def processes(self) -> list[subprocess.Popen[bytes]]:
        found = [r.process for r in self.replicas if r.process is not None]
        return [*found, *([self.gateway] if self.gateway else [])]


def _env_port(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def plan(replicas: int, free_ports: bool) -> Mesh:
    mesh = Mesh()
    for service in BACKENDS:
        port, metrics = DEFAULT_PORTS[service]
        port = _env_port(f"DOCMESH_{service.upper()}_PORT", port)
        metrics = _env_port(f"DOCMESH_{service.upper()}_METRICS_PORT", metrics)
        for index in range(replicas):
            if free_ports:
                mesh.replicas.append(Replica(service, index, mesh.reserve_port(), mesh.reserve_port()))
            else:
                offset = index * REPLICA_PORT_STRIDE
                mesh.replicas.append(Replica(service, index, port + offset, metrics + offset))
    mesh.gateway_port = (
        mesh.reserve_port() if free_ports else _env_port("DOCMESH_GATEWAY_PORT", GATEWAY_DEFAULT_PORT)
    )
    return mesh


def base_environment(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    state = root / ".state"
    state.mkdir(exist_ok=True)
    env.setdefault("DOCMESH_DATABASE_URL", f"sqlite+aiosqlite:///{state / 'docmesh.db'}")
    env.setdefault("DOCMESH_DEV_MODE", "true")
    env.setdefault("DOCMESH_DEV_API_KEY", "dev-" + secrets.token_urlsafe(18))
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _script(name: str) -> str:
    # The console scripts live next to the interpreter of the venv that runs the launcher.
    return str(Path(sys.executable).parent / f"docmesh-{name}")


def _die_with_parent(args: list[str]) -> list[str]:
    """The child gets SIGTERM when the launcher dies, however it dies (Linux: util-linux's setpriv
    sets the parent-death signal, which survives its exec of the service; without setpriv the
    children are stopped by stop_mesh only).

    Not a preexec_fn: Python code between fork and exec makes subprocess fork() instead of
    vfork(), and a fork() runs gRPC's fork handlers in a process that uses gRPC (the launcher's
    health checks, a test process): CI saw a child abort before its exec (SIGABRT, "epoll_wait
    error: Bad file descriptor") and a launcher hang in fork() while gRPC shut a channel down.
    """
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM", "--", *args] if setpriv else args


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    # Own process group: a Ctrl-C reaches the launcher, which drains the children in order.
    return subprocess.Popen(_die_with_parent(args), env=env, start_new_session=True)


def _wait_grpc_serving(port: int, process: subprocess.Popen[bytes], deadline: float) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"process on port {port} exited with {process.returncode}")
            try:
                reply = stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.2)
    raise RuntimeError(f"port {port} did not report SERVING within {START_TIMEOUT_SECONDS:.0f}s")


def _wait_http_ready(port: int, process: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gateway exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gateway did not become ready within {START_TIMEOUT_SECONDS:.0f}s")


def _targets(mesh: Mesh) -> dict[str, str]:
    return {
        "DOCMESH_SESSION_TARGET": mesh.target("session"),
        "DOCMESH_DOCUMENT_TARGET": mesh.target("document"),
        "DOCMESH_AGENT_TARGET": mesh.target("agent"),
    }


def _start_replica(mesh: Mesh, replica: Replica, env: dict[str, str]) -> subprocess.Popen[bytes]:
    service = replica.service.upper()
    replica_env = {
        **env,
        **_targets(mesh),
        f"DOCMESH_{service}_PORT": str(replica.port),
        f"DOCMESH_{service}_METRICS_PORT": str(replica.metrics_port),
    }
    return _start([_script(replica.service)], replica_env)


def start_mesh(mesh: Mesh, env: dict[str, str]) -> None:
    """Start backends in dependency order, then the gateway; wait until each is serving."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    for service in BACKENDS:  # agent last: its readiness needs session and document
        for replica in mesh.of(service):
            replica.process = _start_replica(mesh, replica, env)
        for replica in mesh.of(service):
            assert replica.process is not None
            _wait_grpc_serving(replica.port, replica.process, deadline)
    gateway_env = {**env, **_targets(mesh), "DOCMESH_GATEWAY_PORT": str(mesh.gateway_port)}
    mesh.gateway = _start([_script("gateway")], gateway_env)
    _wait_http_ready(mesh.gateway_port, mesh.gateway, deadline)


def _wait_metrics_serving(replica: Replica, process: subprocess.Popen[bytes], deadline: float) -> None:
    """Until this very process reports SERVING (its own metrics port; the gRPC port is shared)."""
    url = f"http://127.0.0.1:{replica.metrics_port}/metrics"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{replica.service} replica exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as reply:
                if any(line.strip() == b"docmesh_serving 1.0" for line in reply):
                    return
        except OSError:
            pass  # not listening yet: ask again until the deadline
        time.sleep(0.1)
    raise RuntimeError(f"{replica.service} replica did not report SERVING in time")


def restart_replica(mesh: Mesh, replica: Replica, env: dict[str, str], grace: float = 30.0) -> None:
    """Replace one backend replica as a Deployment's rolling update does (maxSurge 1, maxUnavailable 0).

    The replacement starts beside the old process on the same gRPC port (gRPC servers bind with
    SO_REUSEPORT; its metrics port is a new free one, the old process holds its own) and only
    once it reports SERVING does the old one get SIGTERM and drain (docmesh_common.server):
    clients reconnect to the replacement when the old one closes its connections. Returns when
    the old process has exited.
    """
    old = replica.process
    old_metrics_port = replica.metrics_port
    replica.metrics_port = mesh.reserve_port()
    new = _start_replica(mesh, replica, env)
    _wait_metrics_serving(replica, new, time.monotonic() + START_TIMEOUT_SECONDS)
    replica.process = new
    if old is not None:
        if old.poll() is None:
            old.send_signal(signal.SIGTERM)
        try:
            old.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            old.kill()
            old.wait()
    mesh.release_port(old_metrics_port)


def stop_mesh(mesh: Mesh, grace: float = 15.0) -> None:
    """SIGTERM the gateway first (no new work), then the backends; SIGKILL stragglers."""
    order = [mesh.gateway] if mesh.gateway else []
    for service in reversed(BACKENDS):
        order += [r.process for r in mesh.of(service) if r.process is not None]
    for process in order:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in order:
        if process is None:
            continue
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    mesh.release_ports()


def _dev_mode(env: dict[str, str]) -> bool:
    """DOCMESH_DEV_MODE as the gateway's settings read it (pydantic's true values)."""
    return env.get("DOCMESH_DEV_MODE", "").strip().lower() in {"1", "true", "t", "yes", "y", "on"}


def banner(mesh: Mesh, env: dict[str, str]) -> str:
    """What to do next; the dev key only when the gateway accepts it (dev mode)."""
    url = f"http://127.0.0.1:{mesh.gateway_port}"
    dev = _dev_mode(env)
    key = env["DOCMESH_DEV_API_KEY"] if dev else "$DOCMESH_KEY"
    example = (
        f"curl -s -X POST {url}/api/v1/chat -H \"X-API-Key: {key}\" -H 'Content-Type: application/json' "
        '-d \'{"message": "Invoice Acme Corp for 10 hours of consulting at $150, 8% tax, due in 30 days"}\''
    )
    if dev:
        how = [f"dev API key: {key}"]
    else:
        keys_file = env.get("DOCMESH_API_KEYS_FILE", "")
        create = f"python -m docmesh_gateway.keys create --owner <you> --file {keys_file or '<keys file>'}"
        how = [
            "dev mode is off: the gateway accepts only keys from its keys file"
            + ("" if keys_file else " (set DOCMESH_API_KEYS_FILE and restart)"),
            f"create a key: DOCMESH_KEY=$({create})",
        ]
    return "\n".join(
        [
            "",
            f"docmesh is running: open {url}/ in a browser (API docs at {url}/docs)",
            *how,
            f"try: {example}",
            "Ctrl-C stops everything.",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--replicas", type=int, default=1, help="replicas of each backend (default 1)")
    parser.add_argument("--free-ports", action="store_true", help="let the OS choose every port")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")

    root = Path(os.environ.get("DOCMESH_REPO_ROOT", Path.cwd()))
    env = base_environment(root)
    mesh = plan(args.replicas, args.free_ports)
    stopping = False

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        start_mesh(mesh, env)
    except (RuntimeError, OSError) as error:
        print(f"docmesh: could not start the mesh: {error}", file=sys.stderr)
        stop_mesh(mesh)
        return 1

    print(banner(mesh, env), flush=True)
    ready = {
        "event": "mesh-ready",
        "gateway": f"http://127.0.0.1:{mesh.gateway_port}",
        "api_key": env["DOCMESH_DEV_API_KEY"],
        "targets": {s: mesh.target(s) for s in BACKENDS},
        "replicas": [
            {
                "service": r.service,
                "index": r.index,
                "port": r.port,
                "metrics_port": r.metrics_port,
                "pid": r.process.pid if r.process else None,
            }
            for r in mesh.replicas
        ],
        "gateway_pid": mesh.gateway.pid if mesh.gateway else None,
    }
    print(json.dumps(ready), flush=True)

    exit_code = 0
    while not stopping:
        dead = [p for p in mesh.processes() if p.poll() is not None]
        if dead:
            # A replica stopped on purpose (scale-out rehearsal) is fine while others of its
            # service still run; the mesh is broken only when a whole service is gone.
            alive = {
                s: any(r.process is not None and r.process.poll() is None for r in mesh.of(s))
                for s in BACKENDS
            }
            gateway_alive = mesh.gateway is not None and mesh.gateway.poll() is None
            if not all(alive.values()) or not gateway_alive:
                print(
                    f"docmesh: a service stopped unexpectedly: {alive}, gateway {gateway_alive}",
                    file=sys.stderr,
                )
                exit_code = 1
                break
        time.sleep(0.5)
    stop_mesh(mesh)
    return exit_code


if __name__ == "__main__":
    raise SystemExit(main())
