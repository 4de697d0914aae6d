"""Operational policies of the rendered dev and prod overlays: security, resources, probes,
disruption budgets, images, and agreement with what the services actually read and listen on
(the settings classes, loaded with the environment each container would get)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from docmesh_common.settings import ServiceSettings
from tests.deploy.kustomize import Doc, split_image
from tests.deploy.model import (
    LONG_RUNNING_KINDS,
    Workload,
    console_scripts,
    effective_env,
    env_names,
    find,
    load_settings_as_pod,
    selects,
    service_package,
    settings_class,
    workloads,
)

Overlay = tuple[str, list[Doc]]
DOCMESH_SERVICES = ("session", "agent", "document", "gateway")
GRPC_BACKENDS = ("session", "agent", "document")


def _service_container(docs: list[Doc], service: str) -> tuple[Workload, Doc]:
    workload = next(w for w in workloads(docs, ("Deployment",)) if w.name == service)
    return workload, workload.pod_spec["containers"][0]


def _pod_settings(docs: list[Doc], container: Doc) -> ServiceSettings:
    package = service_package(container)
    assert package is not None, container["name"]
    return load_settings_as_pod(settings_class(package), effective_env(container, docs))


def _named_port(container: Doc, name_or_number: Any) -> int:
    if isinstance(name_or_number, int):
        return name_or_number
    return next(p["containerPort"] for p in container.get("ports", []) if p.get("name") == name_or_number)


# --- security ------------------------------------------------------------------------------


def test_every_container_runs_non_root_read_only_without_privileges_or_capabilities(overlay: Overlay) -> None:
    _, docs = overlay
    for workload in workloads(docs):
        pod_security = workload.pod_spec.get("securityContext", {})
        for container in workload.containers:
            security = {**pod_security, **container.get("securityContext", {})}
            where = f"{workload}/{container['name']}"
            assert security.get("runAsNonRoot") is True, where
            assert security.get("allowPrivilegeEscalation") is False, where
            assert security.get("readOnlyRootFilesystem") is True, where
            assert security.get("privileged", False) is False, where
            assert "ALL" in security.get("capabilities", {}).get("drop", []), where
            assert not security.get("capabilities", {}).get("add"), where
            assert security.get("seccompProfile", {}).get("type") == "RuntimeDefault", where
            assert security.get("runAsUser", 1) != 0, where


def test_the_image_user_is_the_pod_user(overlay: Overlay) -> None:
    """The Dockerfile's numeric USER and the pods' runAsUser agree, so files the image owns are readable."""
    from tests.deploy.test_dockerfile import final_stage_user

    uid = int(final_stage_user().split(":")[0])
    _, docs = overlay
    for name in DOCMESH_SERVICES:
        workload, _ = _service_container(docs, name)
        assert workload.pod_spec["securityContext"]["runAsUser"] == uid, name


def test_docmesh_containers_get_a_writable_tmp_and_no_other_writable_path(overlay: Overlay) -> None:
    _, docs = overlay
    for workload in workloads(docs):
        volumes = {v["name"]: v for v in workload.pod_spec.get("volumes", [])}
        for container in workload.containers:
            if service_package(container) is None:
                continue
            mounts = {m["mountPath"]: m for m in container.get("volumeMounts", [])}
            assert "emptyDir" in volumes[mounts["/tmp"]["name"]], str(workload)
            for path, mount in mounts.items():
                if path != "/tmp":
                    assert mount.get("readOnly") is True, f"{workload} {path}"


def test_no_pod_mounts_a_service_account_token(overlay: Overlay) -> None:
    _, docs = overlay
    for workload in workloads(docs):
        assert workload.pod_spec.get("automountServiceAccountToken") is False, str(workload)


def test_each_service_runs_under_its_own_service_account(overlay: Overlay) -> None:
    _, docs = overlay
    accounts = [_service_container(docs, s)[0].pod_spec["serviceAccountName"] for s in DOCMESH_SERVICES]
    assert len(set(accounts)) == len(accounts)
    for account in accounts:
        assert find(docs, "ServiceAccount", account) is not None, account


def test_the_secret_template_in_base_holds_no_values(rendered: dict[str, list[Doc]]) -> None:
    from tests.deploy.kustomize import secret_values

    for doc in rendered["base"]:
        if doc["kind"] == "Secret":
            values = secret_values(doc)
            assert values, doc["metadata"]["name"]
            assert all(v in ("", "[]") for v in values.values()), doc["metadata"]["name"]


# --- resources, probes, lifecycle --------------------------------------------------------------


def test_every_container_has_cpu_and_memory_requests_and_limits(overlay: Overlay) -> None:
    _, docs = overlay
    for workload in workloads(docs):
        for container in workload.containers:
            resources = container.get("resources", {})
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources.get(bound, {})), f"{workload} {bound}"


def test_every_long_running_container_has_liveness_and_readiness_probes(overlay: Overlay) -> None:
    _, docs = overlay
    for workload in workloads(docs, LONG_RUNNING_KINDS):
        for container in workload.pod_spec["containers"]:
            assert "livenessProbe" in container, str(workload)
            assert "readinessProbe" in container, str(workload)


def test_grpc_backends_are_probed_natively_on_the_port_their_settings_listen_on(overlay: Overlay) -> None:
    _, docs = overlay
    for service in GRPC_BACKENDS:
        _, container = _service_container(docs, service)
        settings = _pod_settings(docs, container)
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            assert container[probe]["grpc"]["port"] == settings.port, f"{service} {probe}"


def test_the_gateway_is_probed_over_http_healthz_and_readyz_on_its_port(overlay: Overlay) -> None:
    _, docs = overlay
    _, container = _service_container(docs, "gateway")
    settings = _pod_settings(docs, container)
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert _named_port(container, container[probe]["httpGet"]["port"]) == settings.port, probe


def test_termination_grace_outlasts_prestop_plus_the_services_own_drain(overlay: Overlay) -> None:
    _, docs = overlay
    for service in DOCMESH_SERVICES:
        workload, container = _service_container(docs, service)
        settings = _pod_settings(docs, container)
        pre_stop = container["lifecycle"]["preStop"]["sleep"]["seconds"]
        assert pre_stop > 0, service
        # The drain is the shutdown grace plus any other drain-time setting (e.g. a delay before
        # the server stops accepting calls), read from the settings class, not assumed.
        drain = settings.shutdown_grace_seconds + sum(
            float(getattr(settings, name))
            for name in type(settings).model_fields
            if "drain" in name and name.endswith("_seconds")
        )
        assert workload.pod_spec["terminationGracePeriodSeconds"] > pre_stop + drain, service


def test_every_docmesh_deployment_spreads_its_pods_over_zones_and_nodes(overlay: Overlay) -> None:
    _, docs = overlay
    for service in DOCMESH_SERVICES:
        workload, _ = _service_container(docs, service)
        constraints = workload.pod_spec["topologySpreadConstraints"]
        keys = {c["topologyKey"] for c in constraints}
        assert {"topology.kubernetes.io/zone", "kubernetes.io/hostname"} <= keys, service
        for constraint in constraints:
            assert selects(constraint["labelSelector"], workload.pod_labels), service


# --- availability ------------------------------------------------------------------------------


def test_every_deployment_and_statefulset_has_a_disruption_budget_that_lets_a_node_drain(
    overlay: Overlay,
) -> None:
    _, docs = overlay
    budgets = [d for d in docs if d["kind"] == "PodDisruptionBudget"]
    for workload in workloads(docs, LONG_RUNNING_KINDS):
        matching = [b for b in budgets if selects(b["spec"]["selector"], workload.pod_labels)]
        assert len(matching) == 1, str(workload)
        spec = matching[0]["spec"]
        if "minAvailable" in spec:
            assert isinstance(spec["minAvailable"], int)
            assert spec["minAvailable"] < workload.doc["spec"].get("replicas", 1), str(workload)
        else:
            assert spec["maxUnavailable"] not in (0, "0%"), str(workload)


def test_agent_and_gateway_are_autoscaled_and_their_deployments_leave_replicas_to_the_autoscaler(
    overlay: Overlay,
) -> None:
    _, docs = overlay
    for service in ("agent", "gateway"):
        hpa = find(docs, "HorizontalPodAutoscaler", service)
        assert hpa is not None, service
        target = hpa["spec"]["scaleTargetRef"]
        assert (target["kind"], target["name"]) == ("Deployment", service)
        assert 1 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
        assert "replicas" not in find(docs, "Deployment", service)["spec"], service  # type: ignore[index]


def test_deployments_roll_without_taking_a_pod_away_before_its_replacement_is_ready(overlay: Overlay) -> None:
    _, docs = overlay
    for service in DOCMESH_SERVICES:
        workload, _ = _service_container(docs, service)
        assert workload.doc["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0, service


# --- images ------------------------------------------------------------------------------------


def test_every_image_is_pinned_by_a_tag_or_digest_and_never_latest(overlay: Overlay) -> None:
    _, docs = overlay
    for workload in workloads(docs):
        for container in workload.containers:
            image = container["image"]
            _, tag = split_image(image)
            assert tag or "@sha256:" in image, image
            assert tag != "latest", image


def test_all_docmesh_containers_run_one_image_whose_commands_are_its_console_scripts(
    overlay: Overlay,
) -> None:
    _, docs = overlay
    scripts = console_scripts()
    images = set()
    for service in DOCMESH_SERVICES:
        _, container = _service_container(docs, service)
        images.add(container["image"])
        assert container["command"] == [f"docmesh-{service}"]
        assert scripts[f"docmesh-{service}"].startswith(f"docmesh_{service}.")
    migrate = find(docs, "Job", "session-migrate")
    assert migrate is not None
    migrate_container = migrate["spec"]["template"]["spec"]["containers"][0]
    images.add(migrate_container["image"])
    assert migrate_container["command"] == ["python", "-m", "docmesh_session.migrate"]
    assert len(images) == 1


def test_the_migration_job_runs_a_module_that_exists() -> None:
    import importlib.util

    assert importlib.util.find_spec("docmesh_session.migrate") is not None


# --- settings: names, ports, targets -----------------------------------------------------------


def test_every_env_var_a_container_gets_is_a_setting_its_service_reads(overlay: Overlay) -> None:
    _, docs = overlay
    for workload in workloads(docs):
        for container in workload.containers:
            package = service_package(container)
            if package is None:
                continue
            known = env_names(settings_class(package))
            given = set(effective_env(container, docs))
            assert {name.upper() for name in given} - set(known) == set(), f"{workload}/{container['name']}"


def test_every_container_environment_loads_into_its_settings_class(overlay: Overlay) -> None:
    """The values parse: a bad duration, port or URL would stop the process at start."""
    _, docs = overlay
    for workload in workloads(docs):
        for container in workload.containers:
            if service_package(container) is not None:
                _pod_settings(docs, container)


def test_container_ports_and_metrics_annotations_match_the_ports_the_settings_listen_on(
    overlay: Overlay,
) -> None:
    _, docs = overlay
    for service in DOCMESH_SERVICES:
        workload, container = _service_container(docs, service)
        settings = _pod_settings(docs, container)
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        serving_port_name = "grpc" if service in GRPC_BACKENDS else "http"
        assert ports[serving_port_name] == settings.port, service
        # The gateway serves /metrics on its HTTP port; the backends on their own metrics port.
        metrics_port = settings.metrics_port or settings.port
        if service in GRPC_BACKENDS:
            assert settings.metrics_port != 0, service
            assert ports["metrics"] == settings.metrics_port, service
        annotations = workload.pod_annotations
        assert annotations["prometheus.io/scrape"] == "true", service
        assert int(annotations["prometheus.io/port"]) == metrics_port, service
        assert annotations["prometheus.io/path"] == "/metrics", service
        assert settings.bind_host == "0.0.0.0", service


def test_the_default_ports_of_the_settings_are_the_ports_deployed(overlay: Overlay) -> None:
    """Nothing relies on an override: an operator who drops the ConfigMap gets the same ports."""
    _, docs = overlay
    for service in DOCMESH_SERVICES:
        _, container = _service_container(docs, service)
        cls = settings_class(f"docmesh_{service}")
        settings = _pod_settings(docs, container)
        assert cls.model_fields["port"].default == settings.port, service
        assert cls.model_fields["metrics_port"].default == settings.metrics_port, service


def test_grpc_backends_have_headless_services_on_the_port_the_pods_listen_on(overlay: Overlay) -> None:
    """A headless Service does no port mapping: clients dial pod IPs at the Service port."""
    _, docs = overlay
    for service in GRPC_BACKENDS:
        workload, container = _service_container(docs, service)
        settings = _pod_settings(docs, container)
        svc = find(docs, "Service", service)
        assert svc is not None
        assert svc["spec"]["clusterIP"] == "None", service
        assert selects({"matchLabels": svc["spec"]["selector"]}, workload.pod_labels), service
        grpc_port = next(p for p in svc["spec"]["ports"] if p["name"] == "grpc")
        assert grpc_port["port"] == settings.port == _named_port(container, grpc_port["targetPort"]), service


def test_clients_reach_each_backend_through_dns_round_robin_on_its_headless_service(overlay: Overlay) -> None:
    _, docs = overlay
    target_fields = {"session_target": "session", "agent_target": "agent", "document_target": "document"}
    seen = 0
    for service in DOCMESH_SERVICES:
        _, container = _service_container(docs, service)
        settings = _pod_settings(docs, container)
        for field, upstream in target_fields.items():
            if field not in type(settings).model_fields:
                continue
            seen += 1
            target = getattr(settings, field)
            assert target.startswith("dns:///"), (service, field, target)
            host, _, port = target.removeprefix("dns:///").rpartition(":")
            _, upstream_container = _service_container(docs, upstream)
            upstream_settings = _pod_settings(docs, upstream_container)
            svc = find(docs, "Service", host)
            assert svc is not None and svc["spec"]["clusterIP"] == "None", (service, target)
            assert host == upstream
            assert int(port) == upstream_settings.port, (service, target)
    assert seen == 5  # agent -> session, document; gateway -> session, agent, document


def test_the_gateway_service_and_ingress_reach_the_gateway_http_port(overlay: Overlay) -> None:
    _, docs = overlay
    workload, container = _service_container(docs, "gateway")
    settings = _pod_settings(docs, container)
    svc = find(docs, "Service", "gateway")
    assert svc is not None and svc["spec"].get("clusterIP") != "None"
    assert selects({"matchLabels": svc["spec"]["selector"]}, workload.pod_labels)
    http = next(p for p in svc["spec"]["ports"] if p["name"] == "http")
    assert _named_port(container, http["targetPort"]) == settings.port
    ingress = find(docs, "Ingress", "gateway")
    assert ingress is not None
    paths = [path for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]]
    root = next(p for p in paths if p["path"] == "/")
    assert root["pathType"] == "Prefix"
    assert root["backend"]["service"] == {"name": "gateway", "port": {"name": "http"}}


def test_the_ingress_does_not_expose_the_gateway_metrics(overlay: Overlay) -> None:
    _, docs = overlay
    ingress = find(docs, "Ingress", "gateway")
    assert ingress is not None
    paths = [path for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]]
    metrics = next(p for p in paths if p["path"] == "/metrics")
    assert metrics["pathType"] == "Exact"
    blocked = find(docs, "Service", metrics["backend"]["service"]["name"])
    assert blocked is not None and "selector" not in blocked["spec"]
    assert not any(d["kind"] in ("Endpoints", "EndpointSlice") for d in docs)


def test_the_api_keys_file_the_gateway_reads_is_mounted_from_a_secret(overlay: Overlay) -> None:
    _, docs = overlay
    workload, container = _service_container(docs, "gateway")
    settings = _pod_settings(docs, container)
    keys_file = settings.api_keys_file  # type: ignore[attr-defined]
    mount = next(m for m in container["volumeMounts"] if keys_file.startswith(m["mountPath"] + "/"))
    volume = next(v for v in workload.pod_spec["volumes"] if v["name"] == mount["name"])
    secret = find(docs, "Secret", volume["secret"]["secretName"])
    assert secret is not None
    from tests.deploy.kustomize import secret_values

    assert keys_file.rsplit("/", 1)[1] in secret_values(secret)


@pytest.mark.parametrize("service", ["session"])
def test_the_session_service_and_the_migration_job_use_the_same_database(
    overlay: Overlay, service: str
) -> None:
    _, docs = overlay
    _, container = _service_container(docs, service)
    migrate = find(docs, "Job", "session-migrate")
    assert migrate is not None
    job_container = migrate["spec"]["template"]["spec"]["containers"][0]
    service_url = _pod_settings(docs, container).database_url  # type: ignore[attr-defined]
    job_url = _pod_settings(docs, job_container).database_url  # type: ignore[attr-defined]
    assert service_url == job_url
    assert urlsplit(service_url).scheme == "postgresql+asyncpg"


def test_dev_mode_is_on_in_dev_and_off_in_prod(rendered: dict[str, list[Doc]]) -> None:
    for name, expected in (("dev", True), ("prod", False)):
        _, container = _service_container(rendered[name], "gateway")
        settings = _pod_settings(rendered[name], container)
        assert settings.dev_mode is expected, name  # type: ignore[attr-defined]
        # Every dev gateway replica accepts the same key; prod has none at all.
        assert bool(settings.dev_api_key) is expected, name  # type: ignore[attr-defined]


def test_the_api_keys_file_in_each_overlay_is_one_the_gateway_loads(overlay: Overlay, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from docmesh_gateway.auth import load_keys_file
    from tests.deploy.kustomize import secret_values

    _, docs = overlay
    secret = find(docs, "Secret", "docmesh-api-keys")
    assert secret is not None
    for key, text in secret_values(secret).items():
        path = tmp_path / key
        path.write_text(text)
        load_keys_file(path)  # raises KeysFileError on a malformed file


def test_the_page_token_secret_comes_from_the_secret_and_is_not_the_built_in_default(
    overlay: Overlay,
) -> None:
    """Every session replica must sign page tokens with the same key, and not with a public one."""
    _, docs = overlay
    _, container = _service_container(docs, "session")
    secret = _pod_settings(docs, container).page_token_secret  # type: ignore[attr-defined]
    default = settings_class("docmesh_session").model_fields["page_token_secret"].default
    assert secret and secret != default
    refs = {e["name"]: e.get("valueFrom", {}) for e in container.get("env", [])}
    assert "secretKeyRef" in refs["DOCMESH_PAGE_TOKEN_SECRET"]
