"""Store processes that a fault test owns: started on free ports, stopped, frozen and killed
by the test, never the machine's own PostgreSQL or Redis.

Each port stays reserved (docmesh_dev.ports) for the server object's life, so a server the test
stopped can start again on the same port: nothing else is handed it meanwhile."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from docmesh_dev.ports import reserve_port


def _wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


class OwnRedis:
    """A redis-server of the test's own, on a free port, that the test may freeze or kill."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (Debian package redis-server)")
        self.binary = binary
        self.workdir = workdir
        self._reservation = reserve_port()
        self.port = self._reservation.port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port)

    def _running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def freeze(self) -> None:
        """SIGSTOP: the port stays open, nothing answers (a hung Redis)."""
        assert self._running() and self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        if self._running() and self.process is not None:
            os.kill(self.process.pid, signal.SIGCONT)

    def kill(self) -> None:
        if self._running() and self.process is not None:
            os.kill(self.process.pid, signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=10)

    def close(self) -> None:
        """Kill the server and let its port go."""
        self.kill()
        self._reservation.release()


@contextmanager
def own_redis(workdir: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(workdir)
    server.start()
    try:
        yield server
    finally:
        server.close()


def _as_postgres(*args: str) -> list[str]:
    """A command run as the `postgres` user: initdb and the server refuse to run as root."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)


class OwnPostgres:
    """A PostgreSQL cluster of the test's own (initdb into a temp dir, a free port, trust auth)."""

    def __init__(self) -> None:
        if shutil.which("initdb") is None or shutil.which("pg_ctl") is None:
            pytest.fail("initdb/pg_ctl are not installed")
        # Outside pytest's tmp_path: the postgres user must own the data directory.
        self.root = Path(tempfile.mkdtemp(prefix="docmesh-faults-pg-"))
        self.data = self.root / "data"
        self._reservation = reserve_port()
        self.port = self._reservation.port
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        subprocess.run(
            _as_postgres("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync"),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            _as_postgres(
                "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", *args
            ),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> None:
        self._ctl("start")
        _wait_for_port(self.port)

    def stop(self) -> None:
        """pg_ctl stop -m fast: sessions are terminated (AdminShutdown), new ones refused."""
        self._ctl("stop", "-m", "fast")

    def restart(self) -> None:
        """pg_ctl restart -m fast: the sub-second restart an operator does."""
        self._ctl("restart", "-m", "fast")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("stop", "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)
        self._reservation.release()


@contextmanager
def own_postgres() -> Iterator[OwnPostgres]:
    server = OwnPostgres()
    server.start()
    try:
        yield server
    finally:
        server.destroy()
