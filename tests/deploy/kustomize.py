"""Render kustomizations: with `kubectl kustomize` when it is installed, else with a small renderer.

The pure-Python renderer implements exactly the kustomize features deploy/k8s uses, and refuses
any other (a field it does not know is an error, never ignored):
resources (files and directories), namespace, images, replicas, patches (strategic merge, by
path), secretGenerator / configMapGenerator (envs, files, literals; behavior create, merge,
replace) with generatorOptions.disableNameSuffixHash. It checks on the way what a broken overlay
gets wrong: a listed file that does not exist or does not parse, a patch whose target does not
exist, a generator that merges into nothing, two resources with one identity.
When kubectl is there, a test renders with both and compares, so the two cannot drift apart.
"""

from __future__ import annotations

import base64
import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

Doc = dict[str, Any]

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
SUPPORTED_FIELDS = frozenset(
    {
        "apiVersion",
        "kind",
        "namespace",
        "resources",
        "images",
        "replicas",
        "patches",
        "secretGenerator",
        "configMapGenerator",
        "generatorOptions",
    }
)
# Kinds without a namespace among those deploy/k8s uses.
CLUSTER_SCOPED = frozenset(
    {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass"}
)
# Strategic-merge keys of the lists deploy/k8s patches (Kubernetes' patchMergeKey).
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "ports": "containerPort",
    "imagePullSecrets": "name",
}
REPLICATED_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"})
POD_SPEC_PATHS = (("spec", "template", "spec"), ("spec", "jobTemplate", "spec", "template", "spec"))


class KustomizeError(Exception):
    """A kustomization that cannot be rendered: the message says which file and why."""


def kubectl() -> str | None:
    """Path of a kubectl whose embedded kustomize works offline, or None."""
    path = shutil.which("kubectl")
    if path is None:
        return None
    try:
        probe = subprocess.run([path, "kustomize", "--help"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return path if probe.returncode == 0 else None


def render_with_kubectl(directory: Path, kubectl_path: str) -> list[Doc]:
    result = subprocess.run(
        [kubectl_path, "kustomize", str(directory)], capture_output=True, text=True, timeout=60, check=False
    )
    if result.returncode != 0:
        raise KustomizeError(f"kubectl kustomize {directory} failed: {result.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def identity(doc: Doc) -> tuple[str, str, str]:
    group = doc["apiVersion"].split("/")[0] if "/" in doc["apiVersion"] else ""
    return (group, doc["kind"], doc["metadata"]["name"])


def kustomization_file(directory: Path) -> Path:
    for name in KUSTOMIZATION_FILES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    raise KustomizeError(f"{directory}: no kustomization.yaml")


def load_yaml_documents(path: Path) -> list[Doc]:
    if not path.is_file():
        raise KustomizeError(f"{path}: listed but does not exist")
    try:
        docs = [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]
    except yaml.YAMLError as error:
        raise KustomizeError(f"{path}: does not parse: {error}") from error
    for doc in docs:
        if not isinstance(doc, dict) or not {"apiVersion", "kind", "metadata"} <= doc.keys():
            raise KustomizeError(f"{path}: a document without apiVersion, kind and metadata")
        if not doc["metadata"].get("name"):
            raise KustomizeError(f"{path}: a {doc['kind']} without metadata.name")
    return docs


def strategic_merge(target: Any, patch: Any, key: str | None = None) -> Any:
    """Kubernetes strategic merge for the shapes deploy/k8s uses: maps merge, keyed lists merge."""
    if isinstance(target, dict) and isinstance(patch, dict):
        merged = dict(target)
        for name, value in patch.items():
            if value is None:
                merged.pop(name, None)
            elif name in merged:
                merged[name] = strategic_merge(merged[name], value, name)
            else:
                merged[name] = copy.deepcopy(value)
        return merged
    if isinstance(target, list) and isinstance(patch, list) and key in MERGE_KEYS:
        merge_key = MERGE_KEYS[key]
        merged_list = [copy.deepcopy(item) for item in target]
        added = []
        for item in patch:
            position = next(
                (i for i, old in enumerate(merged_list) if old.get(merge_key) == item.get(merge_key)), None
            )
            if position is None:
                added.append(copy.deepcopy(item))
            else:
                merged_list[position] = strategic_merge(merged_list[position], item)
        # Like kustomize: items only the patch has come first, in the patch's order.
        return added + merged_list
    return copy.deepcopy(patch)


def _kv_pairs(base: Path, generator: Doc) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for env_file in generator.get("envs", []):
        path = base / env_file
        if not path.is_file():
            raise KustomizeError(f"{path}: listed in {generator['name']} but does not exist")
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, sep, value = line.partition("=")
            if not sep:
                raise KustomizeError(f"{path}: not KEY=value: {line!r}")
            pairs[name.strip()] = value
    for file_entry in generator.get("files", []):
        key, sep, file_name = file_entry.partition("=")
        key, file_name = (key, file_name) if sep else (Path(file_entry).name, file_entry)
        path = base / file_name
        if not path.is_file():
            raise KustomizeError(f"{path}: listed in {generator['name']} but does not exist")
        pairs[key] = path.read_text(encoding="utf-8")
    for literal in generator.get("literals", []):
        name, sep, value = literal.partition("=")
        if not sep:
            raise KustomizeError(f"literal {literal!r} of {generator['name']} is not KEY=value")
        pairs[name] = value
    unknown = set(generator) - {"name", "behavior", "envs", "files", "literals", "type", "options"}
    if unknown:
        raise KustomizeError(f"generator {generator['name']}: unsupported fields {sorted(unknown)}")
    return pairs


def _generate(base: Path, kind: str, generator: Doc, docs: list[Doc]) -> None:
    pairs = _kv_pairs(base, generator)
    behavior = generator.get("behavior", "create")
    data_field = "data"
    values: dict[str, str] = (
        {k: base64.b64encode(v.encode()).decode() for k, v in pairs.items()} if kind == "Secret" else pairs
    )
    existing = next(
        (d for d in docs if d["kind"] == kind and d["metadata"]["name"] == generator["name"]), None
    )
    if behavior == "create":
        if existing is not None:
            raise KustomizeError(f"{kind} {generator['name']} already exists: use behavior merge or replace")
        doc: Doc = {
            "apiVersion": "v1",
            "kind": kind,
            "metadata": {"name": generator["name"]},
            data_field: values,
        }
        if kind == "Secret":
            doc["type"] = generator.get("type", "Opaque")
        docs.append(doc)
        return
    if existing is None:
        raise KustomizeError(f"{kind} {generator['name']}: behavior {behavior} but no such resource")
    if behavior == "replace":
        existing.pop("stringData", None)
        existing[data_field] = values
    elif behavior == "merge":
        existing.setdefault(data_field, {}).update(values)
    else:
        raise KustomizeError(f"{kind} {generator['name']}: unknown behavior {behavior!r}")


def _pod_specs(doc: Doc) -> list[Doc]:
    specs = []
    for path in POD_SPEC_PATHS:
        node: Any = doc
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            specs.append(node)
    return specs


def split_image(image: str) -> tuple[str, str]:
    """("registry:5000/app", "1.2") from "registry:5000/app:1.2"; the tag is "" when there is none."""
    reference = image.split("@", 1)[0]
    name, sep, tag = reference.rpartition(":")
    if not sep or "/" in tag:
        return reference, ""
    return name, tag


def _apply_images(images: list[Doc], docs: list[Doc]) -> None:
    for doc in docs:
        for spec in _pod_specs(doc):
            for container in [*spec.get("initContainers", []), *spec.get("containers", [])]:
                name, tag = split_image(container["image"])
                for image in images:
                    if image["name"] != name:
                        continue
                    unknown = set(image) - {"name", "newName", "newTag"}
                    if unknown:
                        raise KustomizeError(f"images entry {image['name']}: unsupported {sorted(unknown)}")
                    new_tag = image.get("newTag", tag)
                    container["image"] = image.get("newName", name) + (f":{new_tag}" if new_tag else "")


def render_python(directory: Path) -> list[Doc]:
    """Render one kustomization directory (recursively) without kustomize."""
    file = kustomization_file(directory)
    try:
        kustomization = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise KustomizeError(f"{file}: does not parse: {error}") from error
    unknown = set(kustomization) - SUPPORTED_FIELDS
    if unknown:
        raise KustomizeError(f"{file}: fields this renderer does not implement: {sorted(unknown)}")

    docs: list[Doc] = []
    for entry in kustomization.get("resources", []):
        path = (directory / entry).resolve()
        docs.extend(render_python(path) if path.is_dir() else load_yaml_documents(path))
    seen: set[tuple[str, str, str]] = set()
    for doc in docs:
        if identity(doc) in seen:
            raise KustomizeError(f"{file}: {identity(doc)} defined twice")
        seen.add(identity(doc))

    options = kustomization.get("generatorOptions", {})
    generators = [("Secret", g) for g in kustomization.get("secretGenerator", [])] + [
        ("ConfigMap", g) for g in kustomization.get("configMapGenerator", [])
    ]
    if generators and options.get("disableNameSuffixHash") is not True:
        raise KustomizeError(f"{file}: name-suffix hashes are not implemented; set disableNameSuffixHash")
    for kind, generator in generators:
        _generate(directory, kind, generator, docs)

    for patch_entry in kustomization.get("patches", []):
        if set(patch_entry) != {"path"}:
            raise KustomizeError(f"{file}: only `patches: - path: FILE` is implemented, got {patch_entry}")
        for patch in load_yaml_documents(directory / patch_entry["path"]):
            target = next((d for d in docs if identity(d) == identity(patch)), None)
            if target is None:
                raise KustomizeError(
                    f"{directory / patch_entry['path']}: patch target {identity(patch)} not found"
                )
            docs[docs.index(target)] = strategic_merge(target, patch)

    for entry in kustomization.get("replicas", []):
        matches = [
            d for d in docs if d["metadata"]["name"] == entry["name"] and d["kind"] in REPLICATED_KINDS
        ]
        if not matches:
            raise KustomizeError(f"{file}: replicas for {entry['name']}, which does not exist")
        for doc in matches:
            doc["spec"]["replicas"] = entry["count"]

    if "images" in kustomization:
        _apply_images(kustomization["images"], docs)

    if "namespace" in kustomization:
        for doc in docs:
            if doc["kind"] not in CLUSTER_SCOPED:
                doc["metadata"]["namespace"] = kustomization["namespace"]
    return docs


def render(directory: Path, kubectl_path: str | None) -> list[Doc]:
    return render_with_kubectl(directory, kubectl_path) if kubectl_path else render_python(directory)


def normalized(docs: list[Doc]) -> list[Doc]:
    """Comparable form: Secrets' data decoded into stringData, documents in a fixed order."""
    out = []
    for doc in copy.deepcopy(docs):
        if doc["kind"] == "Secret":
            plain = dict(doc.pop("stringData", {}) or {})
            for key, value in (doc.pop("data", {}) or {}).items():
                plain[key] = base64.b64decode(value).decode()
            doc["stringData"] = plain
        out.append(doc)
    return sorted(out, key=lambda d: (identity(d), d["metadata"].get("namespace", "")))


def secret_values(doc: Doc) -> dict[str, str]:
    """Plain values of a rendered Secret (data decoded, stringData as is)."""
    return normalized([doc])[0]["stringData"]
