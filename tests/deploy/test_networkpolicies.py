"""NetworkPolicies, evaluated: the rendered policies are applied to the pods of each overlay (and
to the peers outside the namespace: the ingress controller, Prometheus, kube-dns, managed
databases, the internet) with Kubernetes' semantics, and every flow the mesh needs is allowed
while flows it does not need are denied. Ports come from the settings classes."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from tests.deploy.kustomize import Doc, secret_values
from tests.deploy.model import (
    effective_env,
    find,
    load_settings_as_pod,
    selects,
    service_package,
    settings_class,
    workloads,
)

NAMESPACE = "docmesh"


@dataclass(frozen=True)
class Endpoint:
    """A pod (namespace + labels) or an address outside the cluster (ip)."""

    name: str
    namespace: str = ""
    labels: dict[str, str] = field(default_factory=dict, hash=False)
    namespace_labels: dict[str, str] = field(default_factory=dict, hash=False)
    ip: str = ""


INGRESS_CONTROLLER = Endpoint(
    "ingress-nginx",
    "ingress-nginx",
    {"app.kubernetes.io/name": "ingress-nginx"},
    {"kubernetes.io/metadata.name": "ingress-nginx"},
)
PROMETHEUS = Endpoint(
    "prometheus",
    "monitoring",
    {"app.kubernetes.io/name": "prometheus"},
    {"kubernetes.io/metadata.name": "monitoring"},
)
KUBE_DNS = Endpoint(
    "kube-dns", "kube-system", {"k8s-app": "kube-dns"}, {"kubernetes.io/metadata.name": "kube-system"}
)
OTHER_NAMESPACE_POD = Endpoint(
    "stranger", "default", {"app.kubernetes.io/name": "session"}, {"kubernetes.io/metadata.name": "default"}
)
INTERNET = Endpoint("internet", ip="203.0.113.10")
MANAGED_DATABASE = Endpoint("managed-db", ip="198.51.100.20")


def _policies(docs: list[Doc]) -> list[Doc]:
    return [d for d in docs if d["kind"] == "NetworkPolicy"]


def _peer_matches(peer: Doc, policy_namespace: str, endpoint: Endpoint) -> bool:
    if "ipBlock" in peer:
        if not endpoint.ip:
            return False  # pod IPs are not what these ipBlocks are for
        address = ipaddress.ip_address(endpoint.ip)
        block = peer["ipBlock"]
        return address in ipaddress.ip_network(block["cidr"]) and not any(
            address in ipaddress.ip_network(e) for e in block.get("except", [])
        )
    if endpoint.ip:
        return False
    if "namespaceSelector" in peer:
        if not selects(peer["namespaceSelector"], endpoint.namespace_labels):
            return False
    elif endpoint.namespace != policy_namespace:
        return False
    return "podSelector" not in peer or selects(peer["podSelector"], endpoint.labels)


def _port_matches(rule: Doc, port: int, protocol: str) -> bool:
    ports = rule.get("ports")
    if not ports:
        return True
    for entry in ports:
        if entry.get("protocol", "TCP") != protocol:
            continue
        if "port" not in entry:
            return True
        low = entry["port"]
        if isinstance(low, int) and low <= port <= entry.get("endPort", low):
            return True
    return False


def _side_allows(
    docs: list[Doc], pod: Endpoint, peer: Endpoint, port: int, protocol: str, direction: str
) -> bool:
    """Whether `pod`'s policies allow traffic in `direction` (Ingress from / Egress to) `peer`."""
    if pod.ip or pod.namespace != NAMESPACE:
        return True  # outside the namespace: not governed by these policies
    rules_key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    isolating = [
        p
        for p in _policies(docs)
        if direction in p["spec"].get("policyTypes", ["Ingress"])
        and selects(p["spec"]["podSelector"], pod.labels)
    ]
    if not isolating:
        return True
    for policy in isolating:
        for rule in policy["spec"].get(rules_key) or []:
            peers = rule.get(peers_key)
            peer_ok = not peers or any(_peer_matches(x, NAMESPACE, peer) for x in peers)
            if peer_ok and _port_matches(rule, port, protocol):
                return True
    return False


def allowed(
    docs: list[Doc], source: Endpoint, destination: Endpoint, port: int, protocol: str = "TCP"
) -> bool:
    return _side_allows(docs, source, destination, port, protocol, "Egress") and _side_allows(
        docs, destination, source, port, protocol, "Ingress"
    )


def _pods(docs: list[Doc]) -> dict[str, Endpoint]:
    return {
        w.name: Endpoint(w.name, NAMESPACE, w.pod_labels, {"kubernetes.io/metadata.name": NAMESPACE})
        for w in workloads(docs)
    }


def _settings(docs: list[Doc], name: str):  # type: ignore[no-untyped-def]
    workload = next(w for w in workloads(docs) if w.name == name)
    container = workload.pod_spec["containers"][0]
    package = service_package(container)
    assert package is not None
    return load_settings_as_pod(settings_class(package), effective_env(container, docs))


def _store_ports(docs: list[Doc]) -> tuple[int, int]:
    values = secret_values(find(docs, "Secret", "docmesh-secrets"))  # type: ignore[arg-type]
    return urlsplit(values["DOCMESH_DATABASE_URL"]).port or 5432, urlsplit(
        values["DOCMESH_REDIS_URL"]
    ).port or 6379


@dataclass
class Mesh:
    """An overlay's pods and the ports and stores they use, as the settings say."""

    docs: list[Doc]
    pods: dict[str, Endpoint]
    ports: dict[str, int]
    metrics: dict[str, int]
    database: Endpoint
    redis: Endpoint
    database_port: int
    redis_port: int


@pytest.fixture
def mesh(overlay: tuple[str, list[Doc]]) -> Mesh:
    name, docs = overlay
    pods = _pods(docs)
    ports = {s: _settings(docs, s).port for s in ("session", "agent", "document", "gateway")}
    database_port, redis_port = _store_ports(docs)
    if name == "dev":
        database, redis = pods["postgres"], pods["redis"]
    else:
        database = MANAGED_DATABASE
        redis = Endpoint("managed-redis", ip="198.51.100.21")
    return Mesh(
        docs=docs,
        pods=pods,
        ports=ports,
        metrics={s: _settings(docs, s).metrics_port or ports[s] for s in ports},
        database=database,
        redis=redis,
        database_port=database_port,
        redis_port=redis_port,
    )


def test_there_is_a_default_deny_for_ingress_and_egress_of_every_pod(overlay: tuple[str, list[Doc]]) -> None:
    _, docs = overlay
    deny = [
        p
        for p in _policies(docs)
        if p["spec"]["podSelector"] == {}
        and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    assert len(deny) == 1


def test_every_pod_is_selected_by_a_policy_of_its_own(overlay: tuple[str, list[Doc]]) -> None:
    _, docs = overlay
    for workload in workloads(docs):
        own = [
            p
            for p in _policies(docs)
            if p["spec"]["podSelector"] != {} and selects(p["spec"]["podSelector"], workload.pod_labels)
        ]
        assert own, str(workload)


def test_the_flows_the_mesh_needs_are_allowed(mesh: Mesh) -> None:
    docs, pods, ports, metrics = mesh.docs, mesh.pods, mesh.ports, mesh.metrics
    database, redis, database_port, redis_port = (
        mesh.database,
        mesh.redis,
        mesh.database_port,
        mesh.redis_port,
    )
    needed = [
        (pods["gateway"], pods["agent"], ports["agent"]),
        (pods["gateway"], pods["session"], ports["session"]),
        (pods["gateway"], pods["document"], ports["document"]),
        (pods["agent"], pods["session"], ports["session"]),
        (pods["agent"], pods["document"], ports["document"]),
        (pods["session"], database, database_port),
        (pods["session-migrate"], database, database_port),
        (pods["session"], redis, redis_port),
        (pods["gateway"], redis, redis_port),
        (INGRESS_CONTROLLER, pods["gateway"], ports["gateway"]),
        (pods["agent"], INTERNET, 443),
    ]
    needed += [(PROMETHEUS, pods[s], metrics[s]) for s in ("session", "agent", "document", "gateway")]
    for source, destination, port in needed:
        assert allowed(docs, source, destination, port), f"{source.name} -> {destination.name}:{port}"


def test_every_pod_can_resolve_names(mesh: Mesh) -> None:
    docs, pods = mesh.docs, mesh.pods
    for pod in pods.values():
        assert allowed(docs, pod, KUBE_DNS, 53, "UDP"), pod.name
        assert allowed(docs, pod, KUBE_DNS, 53, "TCP"), pod.name


def test_flows_the_mesh_does_not_need_are_denied(mesh: Mesh) -> None:
    docs, pods, ports, metrics = mesh.docs, mesh.pods, mesh.ports, mesh.metrics
    database, redis, database_port, redis_port = (
        mesh.database,
        mesh.redis,
        mesh.database_port,
        mesh.redis_port,
    )
    denied = [
        (pods["document"], pods["session"], ports["session"]),
        (pods["session"], pods["agent"], ports["agent"]),
        (pods["session"], pods["document"], ports["document"]),
        (pods["agent"], pods["gateway"], ports["gateway"]),
        (pods["document"], INTERNET, 443),
        (pods["session"], INTERNET, 443),
        (pods["gateway"], INTERNET, 443),
        (pods["agent"], database, database_port),
        (pods["document"], redis, redis_port),
        (INGRESS_CONTROLLER, pods["session"], ports["session"]),
        (INGRESS_CONTROLLER, pods["agent"], ports["agent"]),
        (PROMETHEUS, pods["session"], ports["session"]),
        (pods["gateway"], pods["session"], metrics["session"]),
        (INTERNET, pods["agent"], metrics["agent"]),
        (OTHER_NAMESPACE_POD, pods["session"], ports["session"]),
        (OTHER_NAMESPACE_POD, pods["gateway"], ports["gateway"]),
        (INTERNET, pods["gateway"], ports["gateway"]),
        (pods["session"], KUBE_DNS, 443),
    ]
    if not database.ip:  # dev: the in-cluster stores are reachable only by their clients
        denied += [
            (pods["gateway"], database, database_port),
            (pods["agent"], redis, redis_port),
            (pods["redis"], database, database_port),
        ]
    for source, destination, port in denied:
        assert not allowed(docs, source, destination, port), f"{source.name} -> {destination.name}:{port}"


def test_the_evaluator_allows_everything_when_there_are_no_policies(overlay: tuple[str, list[Doc]]) -> None:
    _, docs = overlay
    without = [d for d in docs if d["kind"] != "NetworkPolicy"]
    pods = _pods(docs)
    assert allowed(without, pods["document"], pods["session"], 50051)
    assert not allowed(docs, pods["document"], pods["session"], 50051)
