"""The Dockerfile's structure (no Docker engine here, so it is read, not built): stages, code
generation, a non-editable install without extras, a non-root numeric user, the console scripts,
and a .dockerignore that keeps local state out and lets every copied source in."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.deploy.kustomize import split_image

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
REQUIREMENTS_SCRIPT = REPO_ROOT / "deploy" / "docker" / "requirements.py"


@dataclass
class Stage:
    base: str
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def of(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def parse_dockerfile(text: str) -> tuple[dict[str, str], list[Stage]]:
    """Global ARG defaults and the stages with their instructions (continuations joined)."""
    logical: list[str] = []
    buffer = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not buffer and (not line or line.startswith("#")):
            continue
        if buffer and line.startswith("#"):
            continue
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        logical.append(buffer + line)
        buffer = ""
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in logical:
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            parts = rest.split()
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else str(len(stages))
            stages.append(Stage(base=parts[0], name=name))
        elif not stages:
            if keyword == "ARG":
                key, _, value = rest.partition("=")
                args[key.strip()] = value.strip()
        else:
            stages[-1].instructions.append((keyword, rest.strip()))
    return args, stages


def resolve(value: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), value)


def final_stage_user() -> str:
    _, stages = parse_dockerfile(DOCKERFILE.read_text())
    users = stages[-1].of("USER")
    assert users, "the final stage sets no USER"
    return users[-1]


def _stages() -> tuple[dict[str, str], dict[str, Stage], list[Stage]]:
    args, stages = parse_dockerfile(DOCKERFILE.read_text())
    return args, {s.name: s for s in stages}, stages


def _pip_installs(stage: Stage) -> list[list[str]]:
    installs = []
    for run in stage.of("RUN"):
        for command in re.split(r"&&|;", run):
            words = shlex.split(command)
            if len(words) >= 2 and words[0].endswith("pip") and words[1] == "install":
                installs.append(words[2:])
    return installs


def _project() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]


def test_the_build_has_codegen_builder_and_runtime_stages_on_a_pinned_slim_python_311() -> None:
    args, by_name, stages = _stages()
    assert {"codegen", "builder", "runtime"} <= set(by_name)
    assert stages[-1].name == "runtime"
    base_image = resolve(stages[-1].base, args)
    name, tag = split_image(base_image)
    assert name in ("python", "docker.io/library/python"), base_image
    assert tag.startswith("3.11") and "slim" in tag and tag != "latest", base_image


def test_protobuf_code_is_generated_in_the_build_from_the_build_extra() -> None:
    _, by_name, _ = _stages()
    codegen = by_name["codegen"]
    runs = " ".join(codegen.of("RUN"))
    assert "protos/generate.py" in runs
    assert any("requirements-codegen.txt" in " ".join(words) for words in _pip_installs(codegen))
    assert any(copy.split()[0] == "protos" for copy in codegen.of("COPY"))


def test_the_codegen_requirements_are_the_build_extra_plus_what_generate_imports() -> None:
    out = subprocess.run(
        [sys.executable, str(REQUIREMENTS_SCRIPT), "codegen"], capture_output=True, text=True, check=True
    ).stdout.split()
    project = _project()
    assert set(project["optional-dependencies"]["build"]) <= set(out)
    generate = (REPO_ROOT / "protos" / "generate.py").read_text()
    assert "import google.api" in generate and any(r.startswith("googleapis-common-protos") for r in out)
    assert not set(project["optional-dependencies"]["test"]) & set(out)


def test_the_runtime_requirements_are_exactly_the_project_dependencies() -> None:
    out = subprocess.run(
        [sys.executable, str(REQUIREMENTS_SCRIPT), "runtime"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == _project()["dependencies"]


def test_the_builder_installs_the_project_without_extras_and_not_editable_after_gen_exists() -> None:
    _, by_name, _ = _stages()
    builder = by_name["builder"]
    installs = _pip_installs(builder)
    project_installs = [words for words in installs if "." in words]
    assert project_installs == [["."]], installs
    position = {kw_args: i for i, kw_args in enumerate(builder.instructions)}
    gen_copy = next(
        i for (kw, a), i in position.items() if kw == "COPY" and "--from=codegen" in a and "gen" in a
    )
    install = next(i for (kw, a), i in position.items() if kw == "RUN" and "install ." in a)
    assert gen_copy < install


def test_no_stage_installs_test_dependencies_or_an_editable_project() -> None:
    _, _, stages = _stages()
    test_extra = {re.split(r"[<>=\[ ]", r)[0] for r in _project()["optional-dependencies"]["test"]}
    for stage in stages:
        for words in _pip_installs(stage):
            text = " ".join(words)
            assert "[test]" not in text and "-e" not in words and "--editable" not in words, (
                stage.name,
                text,
            )
            assert not any(w.split("[")[0].split(">")[0].split("=")[0] in test_extra for w in words), text


def test_the_runtime_stage_copies_the_built_venv_and_installs_nothing() -> None:
    _, _, stages = _stages()
    runtime = stages[-1]
    assert _pip_installs(runtime) == []
    assert any(c.startswith("--from=builder /opt/docmesh") for c in runtime.of("COPY"))
    assert not any(c.startswith("--from=codegen") for c in runtime.of("COPY")), "generators stay in the build"
    assert not [c for c in runtime.of("COPY") if not c.startswith("--from=")], "no sources in the final stage"


def test_the_runtime_user_is_numeric_and_not_root() -> None:
    user = final_stage_user()
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) > 0, user
    assert not gid or (gid.isdigit() and int(gid) > 0), user
    _, _, stages = _stages()
    last_keywords = [kw for kw, _ in stages[-1].instructions]
    assert "RUN" not in last_keywords[last_keywords.index("USER") :], "nothing runs as root after USER"


def test_every_console_script_is_checked_in_the_build_and_the_default_command_is_one() -> None:
    text = DOCKERFILE.read_text()
    scripts = _project()["scripts"]
    assert set(scripts) == {"docmesh-session", "docmesh-agent", "docmesh-document", "docmesh-gateway"}
    for script in scripts:
        assert script in text, script
    _, _, stages = _stages()
    cmd = stages[-1].of("CMD")[-1]
    assert cmd.startswith("[") and any(f'"{s}"' in cmd for s in scripts)
    env = " ".join(stages[-1].of("ENV"))
    assert "PATH=/opt/docmesh/bin" in env


# --- .dockerignore -------------------------------------------------------------------------


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + r"\Z")


def dockerignored(path: str, lines: list[str]) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = _pattern_regex(line.lstrip("!").strip("/"))
        if any(pattern.match(candidate) for candidate in candidates):
            excluded = not negate
    return excluded


def _ignore_lines() -> list[str]:
    return DOCKERIGNORE.read_text().splitlines()


def test_dockerignore_keeps_local_state_generated_code_and_tests_out_of_the_context() -> None:
    lines = _ignore_lines()
    for path in [
        ".git/HEAD",
        ".venv/bin/python",
        "gen/docmesh/session/v1/session_service_pb2.py",
        "tests/deploy/test_dockerfile.py",
        "bench/bench_session.py",
        "dev/docmesh_dev/launcher.py",
        ".state/docmesh.db",
        "services/session/docmesh_session/__pycache__/x.cpython-311.pyc",
        "docmesh.egg-info/PKG-INFO",
        ".pytest_cache/v/cache",
        "node_modules/x/index.js",
        "deploy/k8s/overlays/prod/secrets.env",
        ".env",
    ]:
        assert dockerignored(path, lines), path


def test_dockerignore_lets_in_every_path_the_dockerfile_copies() -> None:
    lines = _ignore_lines()
    _, _, stages = _stages()
    sources = [
        word
        for stage in stages
        for copy in stage.of("COPY")
        if not copy.startswith("--from=")
        for word in copy.split()[:-1]
    ]
    assert sources
    for source in sources:
        assert (REPO_ROOT / source).exists(), source
        assert not dockerignored(source, lines), source
    for example in ["services/common/docmesh_common/server.py", "gateway/docmesh_gateway/settings.py"]:
        assert not dockerignored(example, lines), example


def test_the_dockerignore_matcher_follows_dockers_exception_rule() -> None:
    lines = ["deploy", "!deploy/docker/requirements.py", "**/*.pyc"]
    assert dockerignored("deploy/k8s/base/session.yaml", lines)
    assert not dockerignored("deploy/docker/requirements.py", lines)
    assert dockerignored("a/b/c.pyc", lines)
    assert not dockerignored("a/b/c.py", lines)


def test_the_build_imports_every_entry_point_module_and_the_migration_module() -> None:
    """Catches a module that imports a package only the test extra installs."""
    _, by_name, _ = _stages()
    runs = " ".join(by_name["builder"].of("RUN"))
    imported = re.search(r'python -c "import ([^"]+)"', runs)
    assert imported is not None
    modules = {m.strip() for m in imported.group(1).split(",")}
    entry_modules = {target.split(":")[0] for target in _project()["scripts"].values()}
    assert entry_modules | {"docmesh_session.migrate"} <= modules


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The files of the wheel the image installs, built from the paths the Dockerfile copies."""
    import shutil
    import zipfile

    tmp_path = tmp_path_factory.mktemp("wheel")
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("services", "gateway", "gen"):
        shutil.copytree(REPO_ROOT / name, source / name, ignore=ignore)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            str(source),
            "-w",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    (wheel,) = tmp_path.glob("docmesh-*.whl")
    return set(zipfile.ZipFile(wheel).namelist())


def test_the_wheel_the_image_installs_carries_generated_code_and_package_data(wheel_names: set[str]) -> None:
    """The image's install is not editable: files missing from the wheel are missing in production."""
    names = wheel_names
    generated = {
        str(p.relative_to(REPO_ROOT / "gen"))
        for p in (REPO_ROOT / "gen" / "docmesh").rglob("*")
        if p.is_file() and p.suffix in (".py", ".pyi", ".binpb")
    }
    assert generated and generated <= names, sorted(generated - names)[:5]
    for package_data in (
        "docmesh_session/alembic/env.py",
        "docmesh_session/alembic/script.py.mako",
        "docmesh_gateway/static/index.html",
    ):
        assert package_data in names, package_data
    migrations = {
        str(p.relative_to(REPO_ROOT / "services" / "session"))
        for p in (REPO_ROOT / "services/session/docmesh_session/alembic/versions").glob("*.py")
    }
    assert migrations and migrations <= names, sorted(migrations - names)


def test_the_developer_tools_are_not_in_the_image(wheel_names: set[str]) -> None:
    """The launcher and the test preflight live in dev/, a distribution the image never installs."""
    import docmesh_dev

    dev_root = Path(docmesh_dev.__file__).resolve().parent.parent
    assert dev_root == REPO_ROOT / "dev"
    assert not any(
        name.startswith(("docmesh_dev/", "docmesh_common/launcher", "docmesh_common/testenv"))
        for name in wheel_names
    )
    _, _, stages = _stages()
    copied = {word for stage in stages for copy in stage.of("COPY") for word in copy.split()[:-1]}
    assert not any(source == "dev" or source.startswith("dev/") for source in copied), copied
    assert dockerignored("dev/docmesh_dev/launcher.py", _ignore_lines())
