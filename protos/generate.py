"""Generate Python code, gRPC stubs and mypy stubs for every proto under protos/.

Output goes to gen/ (git-ignored) as the namespace package ``docmesh``, so that
``import docmesh.session.v1.session_service_pb2`` works once gen/ is on the path.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import google.api  # googleapis-common-protos ships google/api/*.proto next to its modules
from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
OUT = ROOT / "gen"


def _include_dirs() -> list[Path]:
    grpc_tools_protos = Path(protoc.__file__).parent / "_proto"
    googleapis = Path(next(iter(google.api.__path__))).parent.parent
    return [PROTOS, grpc_tools_protos, googleapis]


def main() -> int:
    sources = sorted(str(p.relative_to(PROTOS)) for p in (PROTOS / "docmesh").rglob("*.proto"))
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    (OUT / "docmesh").mkdir()
    bin_dir = Path(sys.executable).parent  # the venv's protoc-gen-mypy plugins
    args = [
        "grpc_tools.protoc",
        f"--plugin=protoc-gen-mypy={bin_dir / 'protoc-gen-mypy'}",
        f"--plugin=protoc-gen-mypy_grpc={bin_dir / 'protoc-gen-mypy_grpc'}",
        *(f"-I{d}" for d in _include_dirs()),
        f"--python_out={OUT}",
        f"--grpc_python_out={OUT}",
        f"--mypy_out={OUT}",
        f"--mypy_grpc_out={OUT}",
        # The gateway's OpenAPI document takes its descriptions from the proto comments, which
        # only a descriptor set with source info carries.
        "--include_imports",
        "--include_source_info",
        f"--descriptor_set_out={OUT / 'docmesh' / 'descriptor_set.binpb'}",
        *sources,
    ]
    code = protoc.main(args)
    if code != 0:
        print(f"protoc failed with exit code {code}", file=sys.stderr)
        return int(code)
    # py.typed makes mypy read the generated stubs; no __init__.py files so that
    # `docmesh` stays a namespace package.
    (OUT / "docmesh" / "py.typed").write_text("")
    (OUT / ".stamp").write_text("\n".join(sources) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
