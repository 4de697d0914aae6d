"""deploy/requirements.lock: the exact versions of the runtime dependencies and the build extra.

`make lock` resolves it from pyproject.toml's ranges; the image installs through it and
`make install` uses it as constraints, so the image, CI and a developer's venv run the same
packages."""

from __future__ import annotations

import re
import shlex
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from tests.deploy.test_dockerfile import _pip_installs, _stages

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCK = REPO_ROOT / "deploy" / "requirements.lock"
LOCK_PATH = "deploy/requirements.lock"


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked() -> dict[str, Requirement]:
    """Each pinned requirement of the lock by normalised name (comments and `# via` lines dropped)."""
    found = {}
    for line in LOCK.read_text().splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            requirement = Requirement(text)
            found[_norm(requirement.name)] = requirement
    return found


def _pin(requirement: Requirement) -> str:
    (specifier,) = requirement.specifier
    return specifier.version


def _declared() -> list[Requirement]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["build"]]]


def test_every_locked_requirement_is_one_exact_version() -> None:
    locked = _locked()
    assert locked
    for name, requirement in locked.items():
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", (name, str(requirement))


def test_the_lock_pins_every_runtime_dependency_and_build_tool_within_its_pyproject_range() -> None:
    """A pyproject.toml range changed without `make lock` fails here."""
    locked = _locked()
    for declared in _declared():
        name = _norm(declared.name)
        assert name in locked, f"{name} is not in {LOCK_PATH}: run `make lock`"
        assert declared.specifier.contains(_pin(locked[name]), prereleases=True), (
            f"{name}=={_pin(locked[name])} is outside {declared.specifier}: run `make lock`"
        )


def test_this_venv_runs_the_locked_versions() -> None:
    """`make install` installs through the lock, so the tests exercise what the image ships."""
    wrong = {}
    for name, requirement in _locked().items():
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        installed = metadata.version(name)
        if installed != _pin(requirement):
            wrong[name] = (installed, _pin(requirement))
    assert wrong == {}, f"installed vs locked (run `make install`): {wrong}"


def test_every_dependency_install_of_the_image_is_constrained_by_the_lock() -> None:
    _, by_name, stages = _stages()
    assert any(LOCK_PATH in copy.split()[:-1] for copy in by_name["base"].of("COPY"))
    list_installs = [
        words
        for stage in stages
        for words in _pip_installs(stage)
        if "-r" in words or "--requirement" in words
    ]
    assert len(list_installs) == 2, list_installs  # codegen's and builder's
    for words in list_installs:
        assert "-c" in words and words[words.index("-c") + 1] == LOCK_PATH, words


def test_make_install_uses_the_lock_as_constraints_and_make_lock_writes_it() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert re.search(r"^LOCK := deploy/requirements\.lock$", makefile, re.MULTILINE)
    installs = [
        shlex.split(line.strip().replace("$(LOCK)", LOCK_PATH))
        for line in makefile.splitlines()
        if "pip install" in line and "-e" in line.split()
    ]
    project_install = next(words for words in installs if "--no-deps" not in words)
    assert "-c" in project_install and project_install[project_install.index("-c") + 1] == LOCK_PATH
    lock_recipe = makefile.split("\nlock:", 1)[1].split("\n\n", 1)[0]
    assert "pip compile" in lock_recipe and "-o $(LOCK)" in lock_recipe
