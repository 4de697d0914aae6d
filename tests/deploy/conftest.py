"""Fixtures of the deployment tests: the manifests rendered once per test run, offline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.deploy import kustomize
from tests.deploy.kustomize import Doc

REPO_ROOT = Path(__file__).resolve().parents[2]
K8S = REPO_ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "prod")
# The files an operator writes from the *.example next to them before `kubectl apply -k`.
PROD_OPERATOR_FILES = {"secrets.env": "secrets.env.example", "api-keys.json": "api-keys.json.example"}


@pytest.fixture(scope="session")
def kubectl_path() -> str | None:
    return kustomize.kubectl()


@pytest.fixture(scope="session")
def k8s_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of deploy/k8s with prod's operator files written from their examples."""
    tree = tmp_path_factory.mktemp("k8s") / "k8s"
    shutil.copytree(K8S, tree, ignore=shutil.ignore_patterns(*PROD_OPERATOR_FILES))
    prod = tree / "overlays" / "prod"
    for target, example in PROD_OPERATOR_FILES.items():
        shutil.copy(prod / example, prod / target)
    return tree


@pytest.fixture(scope="session")
def rendered(k8s_tree: Path, kubectl_path: str | None) -> dict[str, list[Doc]]:
    """base, dev and prod rendered (kubectl kustomize when installed, else the Python renderer)."""
    out = {"base": kustomize.render(k8s_tree / "base", kubectl_path)}
    for overlay in OVERLAYS:
        out[overlay] = kustomize.render(k8s_tree / "overlays" / overlay, kubectl_path)
    return out


@pytest.fixture(scope="session", params=OVERLAYS)
def overlay(request: pytest.FixtureRequest, rendered: dict[str, list[Doc]]) -> tuple[str, list[Doc]]:
    """Each deployable overlay in turn: (name, rendered documents)."""
    name = str(request.param)
    return name, rendered[name]
