"""Reading rendered manifests the way the kubelet and the services will: workloads, their
containers' effective environment, and the settings class each container's process loads."""

from __future__ import annotations

import importlib
import inspect
import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from docmesh_common.settings import ServiceSettings
from tests.deploy.kustomize import Doc, secret_values

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "Job")
LONG_RUNNING_KINDS = ("Deployment", "StatefulSet")


@dataclass(frozen=True)
class Workload:
    doc: Doc

    @property
    def kind(self) -> str:
        return str(self.doc["kind"])

    @property
    def name(self) -> str:
        return str(self.doc["metadata"]["name"])

    @property
    def pod_spec(self) -> Doc:
        spec: Doc = self.doc["spec"]["template"]["spec"]
        return spec

    @property
    def pod_labels(self) -> dict[str, str]:
        labels: dict[str, str] = self.doc["spec"]["template"]["metadata"].get("labels", {})
        return labels

    @property
    def pod_annotations(self) -> dict[str, str]:
        annotations: dict[str, str] = self.doc["spec"]["template"]["metadata"].get("annotations", {})
        return annotations

    @property
    def containers(self) -> list[Doc]:
        return [*self.pod_spec.get("initContainers", []), *self.pod_spec["containers"]]

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}"


def workloads(docs: list[Doc], kinds: tuple[str, ...] = WORKLOAD_KINDS) -> list[Workload]:
    return [Workload(d) for d in docs if d["kind"] in kinds]


def find(docs: list[Doc], kind: str, name: str) -> Doc | None:
    return next((d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name), None)


def selects(selector: Doc, labels: dict[str, str]) -> bool:
    """A LabelSelector (matchLabels and matchExpressions) against a label set."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


# --- what the processes read ----------------------------------------------------------------


def console_scripts() -> dict[str, str]:
    """[project.scripts] of pyproject.toml: command -> "module:function"."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return dict(project["scripts"])


def service_package(container: Doc) -> str | None:
    """The docmesh package a container runs: from its console script or its `python -m` module."""
    command = [*container.get("command", []), *container.get("args", [])]
    if not command:
        return None
    scripts = console_scripts()
    if command[0] in scripts:
        return scripts[command[0]].split(":")[0].split(".")[0]
    if command[0] in ("python", "python3") and len(command) >= 3 and command[1] == "-m":
        return command[2].split(".")[0]
    return None


def settings_class(package: str) -> type[ServiceSettings]:
    """The ServiceSettings subclass defined in `<package>.settings`."""
    module = importlib.import_module(f"{package}.settings")
    found = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, ServiceSettings)
        and obj is not ServiceSettings
        and obj.__module__ == module.__name__
    ]
    if len(found) != 1:
        raise LookupError(f"{module.__name__} defines {len(found)} ServiceSettings subclasses: {found}")
    return found[0]


def env_names(cls: type[BaseSettings]) -> dict[str, str]:
    """Every environment variable a settings class reads (upper case) -> its field name.

    Read from the pydantic model: validation_alias (a string or AliasChoices of strings), else
    alias, else env_prefix + field name; all case-insensitive like the settings themselves.
    """
    prefix = str(cls.model_config.get("env_prefix", ""))
    names: dict[str, str] = {}
    for field, info in cls.model_fields.items():
        alias: Any = info.validation_alias or info.alias
        if isinstance(alias, str):
            names[alias.upper()] = field
        elif isinstance(alias, AliasChoices):
            for choice in alias.choices:
                if isinstance(choice, str):
                    names[choice.upper()] = field
        else:
            names[f"{prefix}{field}".upper()] = field
    return names


def effective_env(container: Doc, docs: list[Doc]) -> dict[str, str]:
    """The environment the kubelet gives a container: envFrom sources in order, then env."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            config_map = find(docs, "ConfigMap", source["configMapRef"]["name"])
            if config_map is None:
                raise LookupError(f"ConfigMap {source['configMapRef']['name']} not found")
            env.update({k: str(v) for k, v in (config_map.get("data") or {}).items()})
        elif "secretRef" in source:
            secret = find(docs, "Secret", source["secretRef"]["name"])
            if secret is None:
                raise LookupError(f"Secret {source['secretRef']['name']} not found")
            env.update(secret_values(secret))
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = str(item["value"])
        elif "secretKeyRef" in item.get("valueFrom", {}):
            ref = item["valueFrom"]["secretKeyRef"]
            secret = find(docs, "Secret", ref["name"])
            if secret is None or ref["key"] not in secret_values(secret):
                raise LookupError(f"Secret {ref['name']} key {ref['key']} not found")
            env[item["name"]] = secret_values(secret)[ref["key"]]
        elif "configMapKeyRef" in item.get("valueFrom", {}):
            ref = item["valueFrom"]["configMapKeyRef"]
            config_map = find(docs, "ConfigMap", ref["name"])
            if config_map is None or ref["key"] not in (config_map.get("data") or {}):
                raise LookupError(f"ConfigMap {ref['name']} key {ref['key']} not found")
            env[item["name"]] = str(config_map["data"][ref["key"]])
        else:
            env[item["name"]] = ""
    return env


@contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    """os.environ replaced by exactly `env` (plus PATH/HOME) for the duration."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update({k: v for k, v in saved.items() if k in ("PATH", "HOME")})
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def load_settings_as_pod(cls: type[ServiceSettings], env: dict[str, str]) -> ServiceSettings:
    """The settings the process would load from this environment (raises on a bad value)."""
    with environment(env):
        return cls()
