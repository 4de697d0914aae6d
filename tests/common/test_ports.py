"""Free ports stay reserved from the moment they are chosen until the process meant for them
listens (docmesh_dev.ports): CI once lost a mesh start to a metrics port that something else was
handed between the launcher's choice and the replica's bind."""

from __future__ import annotations

import errno
import socket
import urllib.request
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from docmesh_common.metrics import start_metrics_server
from docmesh_dev.launcher import Mesh, plan, stop_mesh
from docmesh_dev.ports import reserve_port


def _plain_bind_refused(port: int) -> bool:
    """True when a socket that shares nothing (no SO_REUSEADDR/SO_REUSEPORT) cannot take the port."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            assert error.errno == errno.EADDRINUSE
            return True
        return False


def _every_port(mesh: Mesh) -> list[int]:
    return [p for r in mesh.replicas for p in (r.port, r.metrics_port)] + [mesh.gateway_port]


def test_a_reserved_port_is_not_handed_to_anyone_else() -> None:
    with reserve_port() as reservation:
        assert _plain_bind_refused(reservation.port)
    assert not _plain_bind_refused(reservation.port)


def test_outgoing_connections_never_get_a_reserved_port_as_their_local_port() -> None:
    held = [reserve_port() for _ in range(300)]
    listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
    connections: list[socket.socket] = []
    try:
        for _ in range(600):
            connections.append(socket.create_connection(listener.getsockname()))
            connections.append(listener.accept()[0])
        local_ports = {c.getsockname()[1] for c in connections[::2]}
        assert local_ports.isdisjoint({r.port for r in held})
    finally:
        for sock in [*connections, listener]:
            sock.close()
        for reservation in held:
            reservation.release()


def test_the_metrics_server_binds_a_reserved_port() -> None:
    with reserve_port() as reservation:
        httpd = start_metrics_server("127.0.0.1", reservation.port)
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{reservation.port}/metrics", timeout=5) as reply:
                assert reply.status == 200
        finally:
            httpd.shutdown()
            httpd.server_close()


def test_a_grpc_server_binds_a_reserved_port() -> None:
    with reserve_port() as reservation:
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
        health_pb2_grpc.add_HealthServicer_to_server(health.HealthServicer(), server)
        assert server.add_insecure_port(f"127.0.0.1:{reservation.port}") == reservation.port
        server.start()
        try:
            with grpc.insecure_channel(f"127.0.0.1:{reservation.port}") as channel:
                reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
        finally:
            server.stop(None)


def test_the_launchers_free_ports_stay_reserved_until_the_mesh_stops() -> None:
    mesh = plan(2, free_ports=True)
    ports = _every_port(mesh)
    assert len(set(ports)) == len(ports) == 13
    assert all(_plain_bind_refused(port) for port in ports)
    stop_mesh(mesh)
    assert not any(_plain_bind_refused(port) for port in ports)


def test_the_fixed_ports_of_make_run_are_not_reserved() -> None:
    assert plan(1, free_ports=False).reservations == {}
