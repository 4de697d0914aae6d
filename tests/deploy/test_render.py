"""The kustomizations render offline, every file they list exists and parses, every patch hits a
resource that exists, and the Python renderer agrees with kustomize itself."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.deploy import kustomize
from tests.deploy.conftest import K8S, PROD_OPERATOR_FILES
from tests.deploy.kustomize import Doc, KustomizeError

Renderer = Callable[[Path], list[Doc]]


def _renderers() -> list[tuple[str, Renderer]]:
    found: list[tuple[str, Renderer]] = [("python", kustomize.render_python)]
    kubectl_path = kustomize.kubectl()
    if kubectl_path is not None:
        found.append(("kubectl", lambda d: kustomize.render_with_kubectl(d, kubectl_path)))
    return found


RENDERERS = _renderers()
RENDERER_IDS = [name for name, _ in RENDERERS]


@pytest.fixture
def tree(tmp_path: Path, k8s_tree: Path) -> Path:
    """A private, writable copy of the rendered tree for tests that break it."""
    copy = tmp_path / "k8s"
    shutil.copytree(k8s_tree, copy)
    return copy


def test_each_overlay_renders_the_four_services_and_their_objects(rendered: dict[str, list[Doc]]) -> None:
    for name in ("dev", "prod"):
        kinds = {(d["kind"], d["metadata"]["name"]) for d in rendered[name]}
        for service in ("session", "agent", "document", "gateway"):
            assert ("Deployment", service) in kinds, name
            assert ("ServiceAccount", service) in kinds, name
            assert ("PodDisruptionBudget", service) in kinds, name
            assert ("Service", service) in kinds, name
        for expected in [
            ("Namespace", "docmesh"),
            ("Ingress", "gateway"),
            ("HorizontalPodAutoscaler", "agent"),
            ("HorizontalPodAutoscaler", "gateway"),
            ("Job", "session-migrate"),
            ("NetworkPolicy", "default-deny-all"),
            ("Secret", "docmesh-secrets"),
        ]:
            assert expected in kinds, (name, expected)


def test_dev_runs_postgres_as_a_statefulset_with_a_volume_claim_and_redis_as_a_deployment(
    rendered: dict[str, list[Doc]],
) -> None:
    dev = {(d["kind"], d["metadata"]["name"]): d for d in rendered["dev"]}
    postgres = dev[("StatefulSet", "postgres")]
    assert postgres["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"]
    assert ("Deployment", "redis") in dev
    assert ("Service", "postgres") in dev and ("Service", "redis") in dev


def test_prod_has_no_in_cluster_database_and_more_replicas_than_dev(rendered: dict[str, list[Doc]]) -> None:
    prod = {(d["kind"], d["metadata"]["name"]): d for d in rendered["prod"]}
    dev = {(d["kind"], d["metadata"]["name"]): d for d in rendered["dev"]}
    assert not any(kind in ("StatefulSet",) or name in ("postgres", "redis") for kind, name in prod)
    for name in ("session", "document"):
        assert prod[("Deployment", name)]["spec"]["replicas"] > dev[("Deployment", name)]["spec"]["replicas"]
    for name in ("agent", "gateway"):
        hpa = ("HorizontalPodAutoscaler", name)
        assert prod[hpa]["spec"]["minReplicas"] > dev[hpa]["spec"]["minReplicas"]
        assert prod[hpa]["spec"]["minReplicas"] >= 2


@pytest.mark.skipif(kustomize.kubectl() is None, reason="kubectl (with kustomize) is not installed")
def test_python_renderer_produces_what_kustomize_produces(k8s_tree: Path, kubectl_path: str) -> None:
    for directory in ("base", "overlays/dev", "overlays/prod"):
        ours = kustomize.normalized(kustomize.render_python(k8s_tree / directory))
        theirs = kustomize.normalized(kustomize.render_with_kubectl(k8s_tree / directory, kubectl_path))
        assert ours == theirs, directory


@pytest.mark.parametrize(("_name", "render"), RENDERERS, ids=RENDERER_IDS)
def test_a_listed_resource_that_does_not_exist_fails_the_render(
    tree: Path, _name: str, render: Renderer
) -> None:
    kustomization = tree / "base" / "kustomization.yaml"
    data = yaml.safe_load(kustomization.read_text())
    data["resources"].append("missing.yaml")
    kustomization.write_text(yaml.safe_dump(data))
    with pytest.raises(KustomizeError, match=r"missing\.yaml"):
        render(tree / "overlays" / "dev")


@pytest.mark.parametrize(("_name", "render"), RENDERERS, ids=RENDERER_IDS)
def test_a_patch_whose_target_does_not_exist_fails_the_render(
    tree: Path, _name: str, render: Renderer
) -> None:
    patch = tree / "overlays" / "prod" / "patches" / "autoscaling.yaml"
    patch.write_text(patch.read_text().replace("name: agent", "name: agent-renamed"))
    with pytest.raises(KustomizeError):
        render(tree / "overlays" / "prod")


@pytest.mark.parametrize(("_name", "render"), RENDERERS, ids=RENDERER_IDS)
def test_a_manifest_that_does_not_parse_fails_the_render(tree: Path, _name: str, render: Renderer) -> None:
    (tree / "base" / "document.yaml").write_text("apiVersion: v1\nkind: [unclosed\n")
    with pytest.raises(KustomizeError):
        render(tree / "base")


@pytest.mark.parametrize(("_name", "render"), RENDERERS, ids=RENDERER_IDS)
def test_prod_does_not_render_until_the_operator_writes_the_secrets(
    tree: Path, _name: str, render: Renderer
) -> None:
    (tree / "overlays" / "prod" / "secrets.env").unlink()
    with pytest.raises(KustomizeError, match=r"secrets\.env"):
        render(tree / "overlays" / "prod")


def _referenced_files(directory: Path) -> set[Path]:
    data = yaml.safe_load(kustomize.kustomization_file(directory).read_text())
    found = {kustomize.kustomization_file(directory).resolve()}
    for entry in data.get("resources", []):
        path = (directory / entry).resolve()
        found |= _referenced_files(path) if path.is_dir() else {path}
    for patch in data.get("patches", []):
        found.add((directory / patch["path"]).resolve())
    for generator in [*data.get("secretGenerator", []), *data.get("configMapGenerator", [])]:
        for name in [*generator.get("envs", []), *generator.get("files", [])]:
            found.add((directory / name.rpartition("=")[2]).resolve())
    return found


def test_every_manifest_under_deploy_k8s_is_used_by_an_overlay() -> None:
    used = _referenced_files(K8S / "overlays" / "dev") | _referenced_files(K8S / "overlays" / "prod")
    manifests = {p.resolve() for p in K8S.rglob("*.yaml")}
    assert manifests - used == set()


def test_prod_secret_files_are_git_ignored_and_only_their_examples_are_committed() -> None:
    ignore = (K8S / "overlays" / "prod" / ".gitignore").read_text().split()
    for target, example in PROD_OPERATOR_FILES.items():
        assert target in ignore
        assert (K8S / "overlays" / "prod" / example).is_file()
