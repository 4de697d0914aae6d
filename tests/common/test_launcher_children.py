"""The launcher's children: started with nothing run between fork and exec, and gone when the
launcher dies however it dies."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from docmesh_dev import launcher
from tests.conftest import REPO_ROOT


def test_a_child_is_started_without_python_code_between_fork_and_exec(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A preexec_fn makes subprocess fork() and run gRPC's fork handlers in the launcher (or test)
    # process: CI saw a child abort before its exec and a launcher hang inside fork().
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(launcher.subprocess, "Popen", lambda args, **kwargs: calls.append(kwargs))
    launcher._start(["docmesh-document"], {})
    assert calls and calls[0].get("preexec_fn") is None
    assert calls[0]["start_new_session"] is True


def _exited(pid: int) -> bool:
    """Gone, or a zombie nobody has reaped yet (it is not this test's child)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except (FileNotFoundError, ProcessLookupError):
        return True


@pytest.mark.skipif(
    shutil.which("setpriv") is None, reason="setpriv (util-linux) sets the parent-death signal"
)
def test_every_service_stops_when_the_launcher_is_killed(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DOCMESH_")},
        "DOCMESH_REPO_ROOT": str(tmp_path),
        "DOCMESH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'mesh.db'}",
        "DOCMESH_LLM_PROVIDER": "builtin",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "docmesh_dev.launcher", "--free-ports"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=REPO_ROOT,
    )
    assert process.stdout is not None
    ready = None
    try:
        for line in process.stdout:
            if line.startswith('{"event": "mesh-ready"'):
                ready = json.loads(line)
                break
        assert ready is not None, "the mesh did not start"
    finally:
        process.kill()  # SIGKILL: the launcher drains nothing
        process.wait()
    pids = [r["pid"] for r in ready["replicas"]] + [ready["gateway_pid"]]
    deadline = time.monotonic() + 30
    while not all(_exited(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    alive = [pid for pid in pids if not _exited(pid)]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert not alive, f"still running after the launcher died: {alive}"
