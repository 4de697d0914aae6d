"""Print one requirement list from pyproject.toml, for the image build's cached dependency layers.

    python deploy/docker/requirements.py runtime   # [project] dependencies
    python deploy/docker/requirements.py codegen   # the `build` extra plus what protos/generate.py imports

pyproject.toml stays the single source of the version ranges; the Dockerfile installs these lists
before copying the sources so that a code change does not reinstall every dependency.
Standard library only: it runs on the bare base image.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

# protos/generate.py imports google.api (googleapis-common-protos) and needs protobuf besides the
# `build` extra; their ranges come from the runtime dependencies.
CODEGEN_RUNTIME_PACKAGES = frozenset({"protobuf", "googleapis-common-protos"})


def _name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if match is None:
        raise ValueError(f"not a requirement: {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def requirements(kind: str, pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    runtime: list[str] = list(project["dependencies"])
    if kind == "runtime":
        return runtime
    if kind == "codegen":
        build: list[str] = list(project["optional-dependencies"]["build"])
        return build + [r for r in runtime if _name(r) in CODEGEN_RUNTIME_PACKAGES]
    raise ValueError(f"unknown list {kind!r}: use runtime or codegen")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write(__doc__ or "")
        return 2
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    if not pyproject.exists():  # in the image build the script is run from the build context root
        pyproject = Path("pyproject.toml")
    sys.stdout.write("\n".join(requirements(argv[1], pyproject)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
