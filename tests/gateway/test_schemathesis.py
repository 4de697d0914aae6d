"""Property-based tests of every operation in /openapi.json against the real mesh (schemathesis).

The mesh runs as processes (the launcher of `make run`), because schemathesis calls the API
synchronously and would block an in-process event loop. Examples per operation are few, to keep
the suite fast; the checks: no 5xx, responses (and their content types) match the document.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from docmesh_dev import launcher


@pytest.fixture(scope="module")
def mesh() -> Iterator[tuple[str, str]]:
    """(gateway URL, dev API key) of a mesh of four processes on free ports."""
    root = Path(tempfile.mkdtemp(prefix="docmesh-schemathesis-"))
    env = launcher.base_environment(root)
    env.update({"DOCMESH_LOG_LEVEL": "WARNING", "DOCMESH_LLM_PROVIDER": "builtin"})
    plan = launcher.plan(1, free_ports=True)
    launcher.start_mesh(plan, env)
    try:
        yield f"http://127.0.0.1:{plan.gateway_port}", env["DOCMESH_DEV_API_KEY"]
    finally:
        launcher.stop_mesh(plan)


def test_no_server_errors_and_responses_match_the_document(mesh: tuple[str, str]) -> None:
    # schemathesis' lazy pytest loader does not work with pytest 9, so the operations are driven
    # here: one Hypothesis run per operation, every failure collected and reported together.
    url, api_key = mesh
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    checks = [
        not_a_server_error,
        response_schema_conformance,
        content_type_conformance,
        status_code_conformance,
    ]
    failures: dict[str, str] = {}
    operations = 0
    for result in schema.get_all_operations():
        operations += 1
        if not hasattr(result, "ok"):
            failures[f"operation #{operations}"] = f"could not be loaded: {result.err()}"
            continue
        operation = result.ok()

        @settings(
            max_examples=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            case.call_and_validate(headers={"X-API-Key": api_key}, checks=checks)

        try:
            run()
        except Exception as error:  # every failing operation is reported, not just the first
            failures[operation.label] = f"{type(error).__name__}: {error}"[:2000]
    assert operations >= 26
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
