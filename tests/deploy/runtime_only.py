"""Run a docmesh console script with only the image's packages importable.

    python tests/deploy/runtime_only.py docmesh-gateway

The image installs the [project] dependencies and nothing else; the dev venv has the test extra
and whatever was installed by hand. This bootstrap refuses every import of a third-party module
whose distribution is not in DOCMESH_RUNTIME_DISTRIBUTIONS (a JSON list: the runtime dependencies
and what they require), so a service that would crash in the image crashes here too, including
on imports made late (a server library loading its protocol implementation by name at start).
"""

from __future__ import annotations

import importlib.abc
import json
import os
import re
import sys
from collections.abc import Sequence
from importlib import metadata
from importlib.machinery import ModuleSpec
from types import ModuleType


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class RuntimeOnlyFinder(importlib.abc.MetaPathFinder):
    """Raises ImportError for modules that only a non-runtime distribution provides."""

    def __init__(self, allowed: set[str]) -> None:
        self._allowed = allowed
        self._providers = metadata.packages_distributions()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        top = fullname.split(".")[0]
        if top in sys.stdlib_module_names or top == "docmesh" or top.startswith("docmesh_"):
            return None
        distributions = {_norm(d) for d in self._providers.get(top, [])}
        if distributions and not distributions & self._allowed:
            raise ImportError(f"{fullname} comes from {sorted(distributions)}, not a runtime dependency")
        return None


def main(argv: list[str]) -> int:
    allowed = {_norm(d) for d in json.loads(os.environ["DOCMESH_RUNTIME_DISTRIBUTIONS"])}
    sys.meta_path.insert(0, RuntimeOnlyFinder(allowed))
    (entry,) = [ep for ep in metadata.entry_points(group="console_scripts") if ep.name == argv[1]]
    sys.argv = [argv[1], *argv[2:]]
    result = entry.load()()
    return int(result or 0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
