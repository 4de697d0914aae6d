"""The contracts follow buf's STANDARD lint rules and document every message and field."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import google.api
import pytest
from google.protobuf import descriptor_pb2
from grpc_tools import protoc

from tests.conftest import REPO_ROOT

PROTOS = REPO_ROOT / "protos"
GOOGLEAPIS = Path(next(iter(google.api.__path__))).parent.parent
BUF_VERSION = "1.75.0"


def _descriptor_set(tmp_path: Path) -> descriptor_pb2.FileDescriptorSet:
    out = tmp_path / "set.pb"
    sources = sorted(str(p.relative_to(PROTOS)) for p in (PROTOS / "docmesh").rglob("*.proto"))
    code = protoc.main(
        [
            "protoc",
            f"-I{PROTOS}",
            f"-I{Path(protoc.__file__).parent / '_proto'}",
            f"-I{GOOGLEAPIS}",
            "--include_source_info",
            f"--descriptor_set_out={out}",
            *sources,
        ]
    )
    assert code == 0
    fds = descriptor_pb2.FileDescriptorSet()
    fds.ParseFromString(out.read_bytes())
    return fds


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[descriptor_pb2.FileDescriptorProto]:
    return list(_descriptor_set(tmp_path_factory.mktemp("fds")).file)


def test_every_package_is_docmesh_versioned_and_matches_its_directory(files) -> None:
    for f in files:
        assert f.package.startswith("docmesh.") and f.package.endswith(".v1"), f.name
        assert f.name.startswith(f.package.replace(".", "/") + "/"), f.name


def test_every_enum_starts_with_an_unspecified_zero_value_prefixed_by_its_name(files) -> None:
    import re

    for f in files:
        for enum in [*f.enum_type, *(e for m in f.message_type for e in m.enum_type)]:
            prefix = re.sub(r"(?<!^)(?=[A-Z])", "_", enum.name).upper() + "_"
            assert enum.value[0].number == 0, enum.name
            assert enum.value[0].name == prefix + "UNSPECIFIED", enum.name
            assert all(v.name.startswith(prefix) for v in enum.value), enum.name


def test_every_rpc_has_its_own_request_and_response_messages(files) -> None:
    for f in files:
        for service in f.service:
            assert service.name.endswith("Service")
            for rpc in service.method:
                assert rpc.input_type.endswith(f".{rpc.name}Request"), rpc.name
                assert rpc.output_type.endswith(f".{rpc.name}Response"), rpc.name


def test_every_message_field_enum_value_and_rpc_has_a_comment(files) -> None:
    undocumented = []
    for f in files:
        commented = {tuple(loc.path) for loc in f.source_code_info.location if loc.leading_comments.strip()}
        for i, message in enumerate(f.message_type):
            if (4, i) not in commented:
                undocumented.append(message.name)
            for j, fld in enumerate(message.field):
                if (4, i, 2, j) not in commented:
                    undocumented.append(f"{message.name}.{fld.name}")
        for i, enum in enumerate(f.enum_type):
            for j, value in enumerate(enum.value):
                if (5, i, 2, j) not in commented:
                    undocumented.append(value.name)
        for i, service in enumerate(f.service):
            if (6, i) not in commented:
                undocumented.append(service.name)
            for j, rpc in enumerate(service.method):
                if (6, i, 2, j) not in commented:
                    undocumented.append(f"{service.name}.{rpc.name}")
    assert undocumented == []


def _buf() -> Path | None:
    """buf from the npm registry, cached under .state/ (None when it cannot be installed)."""
    prefix = REPO_ROOT / ".state" / "buf"
    binary = prefix / "node_modules" / ".bin" / "buf"
    if binary.exists():
        return binary
    if shutil.which("npm") is None:
        return None
    result = subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(prefix),
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            f"@bufbuild/buf@{BUF_VERSION}",
        ],
        capture_output=True,
        timeout=300,
        check=False,
    )
    return binary if result.returncode == 0 and binary.exists() else None


def test_buf_lint_standard_passes(tmp_path: Path) -> None:
    buf = _buf()
    if buf is None:
        pytest.skip("npm package @bufbuild/buf did not install; the checks above cover the basics")
    # buf.yaml names googleapis as a BSR dependency, which needs the network; offline, the
    # same protos come from googleapis-common-protos as a second module of a workspace.
    workspace = tmp_path / "ws"
    shutil.copytree(PROTOS / "docmesh", workspace / "protos" / "docmesh")
    third_party = workspace / "third_party" / "google" / "api"
    third_party.mkdir(parents=True)
    for name in ("annotations.proto", "http.proto", "httpbody.proto"):
        shutil.copy(GOOGLEAPIS / "google" / "api" / name, third_party / name)
    (workspace / "buf.yaml").write_text(
        "version: v2\nmodules:\n  - path: protos\n  - path: third_party\nlint:\n  use:\n    - STANDARD\n"
    )
    result = subprocess.run(
        [str(buf), "lint", "protos"],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "BUF_CACHE_DIR": str(tmp_path / "cache")},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
