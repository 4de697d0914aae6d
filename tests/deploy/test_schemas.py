"""Every rendered manifest is valid against Kubernetes' own OpenAPI schemas (kubernetes-validate,
strict: unknown fields are errors), for the newest Kubernetes version the package ships."""

from __future__ import annotations

import kubernetes_validate
import pytest
from kubernetes_validate import utils as kv

from tests.deploy.kustomize import Doc, identity

# The newest Kubernetes minor version kubernetes-validate ships schemas for.
KUBERNETES_VERSION = kv.latest_version()


def _validation_errors(docs: list[Doc]) -> list[str]:
    errors = []
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(p) for p in error.path)
            errors.append(f"{identity(doc)} {path}: {error.message}")
    return errors


def test_the_schemas_are_for_a_current_kubernetes() -> None:
    major, minor = (int(x) for x in KUBERNETES_VERSION.split(".")[:2])
    assert (major, minor) >= (1, 31)


@pytest.mark.parametrize("name", ["base", "dev", "prod"])
def test_every_rendered_manifest_validates_against_the_kubernetes_schema(
    rendered: dict[str, list[Doc]], name: str
) -> None:
    assert _validation_errors(rendered[name]) == []


def test_the_schema_check_rejects_a_misspelt_field(rendered: dict[str, list[Doc]]) -> None:
    deployment = next(d for d in rendered["prod"] if d["kind"] == "Deployment")
    broken = {**deployment, "spec": {**deployment["spec"], "replica": 3}}
    assert _validation_errors([broken]) != []
