"""Fixtures of the document tests: the MSC oracle in batches, and a running document server.

The oracle (``../shared/tools/msc-oracle/oracle``, node) loads a file in the real SocialCalc
engine and prints the recalculated cells as JSON; it is the judge of what we render. One run
costs about 0.15 s (``--no-sheetjs``), so a batch runs the files in parallel, one process each.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import AsyncIterator, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import grpc
import pytest

from docmesh.document.v1 import document_service_pb2_grpc

OracleBatch = Callable[..., dict[str, dict[str, Any]]]

# The test server's input limit (the default is 2 MiB; smaller keeps the limit tests cheap).
MAX_INPUT_BYTES = 1024 * 1024


def oracle_number(value: Any) -> Decimal:
    """The oracle's JSON number as the Decimal of its shortest repr (what JavaScript prints)."""
    assert isinstance(value, int | float) and not isinstance(value, bool), f"not a number: {value!r}"
    return Decimal(repr(value))


@pytest.fixture(scope="session")
def oracle_batch(oracle: Path, tmp_path_factory: pytest.TempPathFactory) -> OracleBatch:
    """``oracle_batch({"name": msc_text, ...}, sheetjs=False)`` → ``{"name": oracle_json}``."""
    workdir = tmp_path_factory.mktemp("oracle")

    def run_one(path: Path, sheetjs: bool) -> dict[str, Any]:
        args = [str(oracle), str(path), "--compact"]
        if not sheetjs:
            args.append("--no-sheetjs")
        proc = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
        if proc.returncode not in (0, 1):
            raise AssertionError(
                f"oracle failed on {path.name} ({proc.returncode}): {proc.stderr or proc.stdout}"
            )
        return json.loads(proc.stdout)

    def batch(texts: Mapping[str, str], *, sheetjs: bool = False) -> dict[str, dict[str, Any]]:
        paths = {}
        for name, text in texts.items():
            path = workdir / f"{name}.msc"
            path.write_text(text, encoding="utf-8", newline="")
            paths[name] = path
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            futures = {name: pool.submit(run_one, path, sheetjs) for name, path in paths.items()}
            return {name: future.result() for name, future in futures.items()}

    return batch


@pytest.fixture(scope="session")
async def document_server(run_server: Callable[..., Any]) -> AsyncIterator[Any]:
    """A real document server on a free port, shared by the service tests."""
    from docmesh_document.server import create_server
    from docmesh_document.settings import DocumentSettings

    settings = DocumentSettings(
        DOCMESH_DOCUMENT_PORT=0, DOCMESH_DOCUMENT_METRICS_PORT=0, DOCMESH_MAX_INPUT_BYTES=MAX_INPUT_BYTES
    )
    async with run_server(create_server, settings) as server:
        yield server


@pytest.fixture(scope="session")
async def document_stub(document_server: Any) -> AsyncIterator[document_service_pb2_grpc.DocumentServiceStub]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{document_server.port}") as channel:
        yield document_service_pb2_grpc.DocumentServiceStub(channel)
