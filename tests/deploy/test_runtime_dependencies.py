"""The image installs the [project] dependencies only (no extras): the services must import and
start with nothing else. Checked two ways: statically (every third-party import of the service
code maps to a runtime distribution) and by starting each console script with every other
distribution made unimportable (tests/deploy/runtime_only.py)."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNTIME_ONLY = Path(__file__).resolve().parent / "runtime_only.py"
START_TIMEOUT_SECONDS = 60.0


def _project() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]


SOURCE_ROOTS = [REPO_ROOT / "services", REPO_ROOT / "gateway"]


def _imported_top_level_modules() -> dict[str, set[str]]:
    """Third-party top-level modules the service code imports -> the files importing them.

    Imports under `if TYPE_CHECKING:` and inside `try: ... except ImportError` are optional at run
    time and left out.
    """
    import ast

    own = (
        {"docmesh"}
        | {p.name for root in SOURCE_ROOTS for p in root.glob("*/docmesh_*")}
        | {p.name for p in (REPO_ROOT / "gateway").glob("docmesh_*")}
    )
    found: dict[str, set[str]] = {}

    def optional(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
        while node in parents:
            node = parents[node]
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                return True
            if isinstance(node, ast.Try) and any(
                h.type is not None and "ImportError" in ast.unparse(h.type) for h in node.handlers
            ):
                return True
        return False

    for root in SOURCE_ROOTS:
        for path in root.rglob("*.py"):
            if "/alembic/versions/" in path.as_posix():
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                if optional(node, parents):
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names or top in own or top == "__future__":
                        continue
                    found.setdefault(top, set()).add(str(path.relative_to(REPO_ROOT)))
    return found


@functools.cache
def _runtime_distributions() -> frozenset[str]:
    """The runtime dependencies and everything they require (without extras), as installed here."""
    from importlib import metadata

    from packaging.requirements import Requirement

    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    pending = [Requirement(r) for r in _project()["dependencies"]]
    seen: set[str] = set()
    while pending:
        requirement = pending.pop()
        name = norm(requirement.name)
        extras = requirement.extras
        key = name + (f"[{','.join(sorted(extras))}]" if extras else "")
        if key in seen:
            continue
        seen.add(key)
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for raw in requires:
            child = Requirement(raw)
            if child.marker is not None:
                environments = [{"extra": e} for e in extras] or [{"extra": ""}]
                if not any(child.marker.evaluate(env) for env in environments):
                    continue
            pending.append(child)
    return frozenset(s for s in seen if "[" not in s)


def test_the_runtime_dependencies_provide_every_module_the_services_import() -> None:
    """The image installs only [project] dependencies: a module only the test extra brings (or
    only the dev venv has) would crash a service in production at import time."""
    from importlib import metadata

    providers = metadata.packages_distributions()
    runtime = _runtime_distributions()
    missing = {}
    for module, files in _imported_top_level_modules().items():
        distributions = {re.sub(r"[-_.]+", "-", d).lower() for d in providers.get(module, [])}
        if not distributions & runtime:
            missing[module] = sorted(files)[:3]
    assert missing == {}, f"imported but not in [project] dependencies: {missing}"


# Like a pod with readOnlyRootFilesystem and an emptyDir on /tmp: a private mount namespace where /
# is read-only and /tmp a fresh tmpfs. (The user stays root here: the dev venv's interpreter may
# live where the image's user cannot read; EROFS stops root as well.)
SANDBOX = 'mount -t tmpfs -o size=64m,mode=1777 tmpfs /tmp && mount -o remount,bind,ro / && exec "$@"'


@functools.cache
def _sandbox_available() -> bool:
    """unshare as root: what CI and the developer machines have."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    # The sandbox mounts a fresh tmpfs on /tmp: a checkout or venv living under /tmp would vanish.
    if Path(sys.executable).resolve().is_relative_to("/tmp") or Path(__file__).resolve().is_relative_to(
        "/tmp"
    ):
        return False
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "true"], capture_output=True, check=False
    )
    return probe.returncode == 0


def _start_env(state: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCMESH_")}
    env.update(
        {
            "DOCMESH_RUNTIME_DISTRIBUTIONS": json.dumps(sorted(_runtime_distributions())),
            # As in the image: HOME on the writable /tmp, no bytecode written next to the code.
            "HOME": str(state),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            # Port 0 everywhere: the OS picks free ports.
            "DOCMESH_SESSION_PORT": "0",
            "DOCMESH_SESSION_METRICS_PORT": "0",
            "DOCMESH_AGENT_PORT": "0",
            "DOCMESH_AGENT_METRICS_PORT": "0",
            "DOCMESH_DOCUMENT_PORT": "0",
            "DOCMESH_DOCUMENT_METRICS_PORT": "0",
            "DOCMESH_GATEWAY_PORT": "0",
            "DOCMESH_DATABASE_URL": f"sqlite+aiosqlite:///{state / 'session.db'}",
            "DOCMESH_LLM_PROVIDER": "builtin",
            "DOCMESH_SHUTDOWN_GRACE_SECONDS": "2",
        }
    )
    return env


@dataclass
class Run:
    """One console script started under runtime_only.py, then sent SIGTERM."""

    sandboxed: bool
    started: bool = False
    returncode: int | None = None
    output: list[str] = field(default_factory=list)

    def tail(self) -> str:
        return "".join(self.output[-40:])


def _run(script: str, directory: Path) -> Run:
    command = [sys.executable, str(RUNTIME_ONLY), script]
    run = Run(sandboxed=_sandbox_available())
    if run.sandboxed:
        command = [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            SANDBOX,
            "sandbox",  # $0 of the sh -c script
            *command,
        ]
        directory = Path("/tmp")  # the sandbox's own tmpfs, the only writable place
    process = subprocess.Popen(
        command,
        cwd="/" if run.sandboxed else directory,
        env=_start_env(directory),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    try:
        # run_service logs {"msg": "started", ...} once the server listens.
        for line in process.stdout:
            run.output.append(line)
            if '"msg": "started"' in line:
                run.started = True
                break
            if time.monotonic() > deadline:
                break
        if run.started:
            # run_service installs its SIGTERM handler just after logging "started".
            time.sleep(0.5)
            process.send_signal(signal.SIGTERM)
            rest, _ = process.communicate(timeout=30)
            run.output.append(rest)
            run.returncode = process.returncode
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return run


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every console script at once (they are independent), so the check costs one start-up."""
    scripts = sorted(_project()["scripts"])
    directories = {script: tmp_path_factory.mktemp(script) for script in scripts}
    with ThreadPoolExecutor(max_workers=len(scripts)) as pool:
        futures = {script: pool.submit(_run, script, directories[script]) for script in scripts}
        return {script: future.result() for script, future in futures.items()}


@pytest.mark.parametrize("script", sorted(_project()["scripts"]))
def test_each_service_starts_and_stops_with_only_the_runtime_dependencies(
    runs: dict[str, Run], script: str
) -> None:
    run = runs[script]
    assert run.started, run.tail()
    assert run.returncode == 0, run.tail()


@pytest.mark.parametrize("script", sorted(_project()["scripts"]))
def test_each_service_runs_on_a_read_only_root_with_only_tmp_writable(
    runs: dict[str, Run], script: str
) -> None:
    """What the pods' readOnlyRootFilesystem and /tmp emptyDir allow: nothing else is written."""
    run = runs[script]
    if not run.sandboxed:
        pytest.skip("needs root with unshare to build the read-only sandbox")
    assert run.started and run.returncode == 0, run.tail()
    assert "Read-only file system" not in "".join(run.output), run.tail()
