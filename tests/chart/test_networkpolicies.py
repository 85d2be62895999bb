"""The NetworkPolicies' connectivity map, computed by network-config-analyzer, equals the design.

The expected matrix is data: every allowed edge is listed, and since nca prints every allowed
connection, set equality also proves that every other pair touching the release is denied.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from chart_render import NAMESPACE, VARIANTS

# Pods outside the release that the analysis adds: cluster DNS, API clients with and without the
# client label, an ingress controller and Prometheus (only allowed in when their feature is on).
OUTSIDE: list[dict[str, Any]] = [
    {"ns": "kube-system", "name": "coredns", "labels": {"k8s-app": "kube-dns"}},
    {"ns": "apps", "name": "client", "labels": {"vocabulo.io/client": "true"}},
    {"ns": "apps", "name": "stranger", "labels": {"app": "backend"}},
    {"ns": NAMESPACE, "name": "neighbour", "labels": {"app": "other"}},
    {
        "ns": "ingress-nginx",
        "name": "controller",
        "labels": {"app.kubernetes.io/name": "ingress-nginx"},
    },
    {"ns": "monitoring", "name": "prometheus", "labels": {"app.kubernetes.io/name": "prometheus"}},
]

DNS = "TCP,UDP/53"
PG = "TCP/5432"
HTTP = "TCP/8000"
INTERNET = "0.0.0.0-255.255.255.255"
EXTERNAL_DB = "10.20.0.0-10.20.255.255"
NODELOCAL_DNS = "169.254.20.10"

RELEASE_PODS = ["quiz", "junior", "postgresql", "pgadmin", "db-restore", "test-quiz", "test-junior"]
API_CALLERS = ["apps/client", "test-quiz", "test-junior"]


def designed_matrix(variant: str) -> set[tuple[str, str, str]]:
    """The connectivity the design allows, for one documented variant."""
    pods = list(RELEASE_PODS)
    if variant == "backup":
        pods.append("backup")  # the CronJob's pods: PostgreSQL and DNS only
    if variant == "no-pgadmin":
        pods.remove("pgadmin")
    external = variant == "external-db"
    if external:
        pods.remove("postgresql")
        pods.append("db-roles")  # the pre-install/pre-upgrade roles hook
    edges = {(pod, "kube-system/coredns", DNS) for pod in pods}
    if variant == "dns-ipblocks":  # NodeLocal DNSCache on the host network
        edges |= {(pod, NODELOCAL_DNS, DNS) for pod in pods}
    for client in ("quiz", "junior", "db-restore", "pgadmin", "backup", "db-roles"):
        if client in pods:
            edges.add((client, EXTERNAL_DB if external else "postgresql", PG))
    callers = list(API_CALLERS)
    if variant == "ingress":
        callers.append("ingress-nginx/controller")
    if variant == "monitoring":
        callers.append("monitoring/prometheus")
    edges |= {(caller, api, HTTP) for caller in callers for api in ("quiz", "junior")}
    return edges


def _extra_resources() -> str:
    namespaces = sorted({p["ns"] for p in OUTSIDE})
    docs: list[dict[str, Any]] = [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}},
        }
        for ns in namespaces
    ]
    for pod in OUTSIDE:
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": pod["name"], "namespace": pod["ns"], "labels": pod["labels"]},
                "spec": {"containers": [{"name": "c", "image": "example"}]},
            }
        )
    return yaml.safe_dump_all(docs)


def _node(raw: str) -> str:
    """'vocabulo/vocabulo-quiz[Deployment]' → 'quiz'; outside pods keep 'ns/name'."""
    raw = re.sub(r"\[\w+\]$", "", raw.strip())
    prefix = f"{NAMESPACE}/vocabulo-"
    name = raw[len(prefix) :] if raw.startswith(prefix) else raw
    return re.sub(r"^db-restore-[0-9a-f]{8}-[0-9a-f]{5}$", "db-restore", name)  # named by its dump


def _conn(raw: str) -> str:
    """'{protocols:TCP, UDP,dst_ports:53}' → 'TCP,UDP/53'."""
    if raw.strip() == "All connections":
        return "ALL"
    found = re.fullmatch(r"\{protocols:([A-Z, ]+),dst_ports:([0-9,\-]+)\}", raw.strip())
    assert found, f"unexpected nca connection text {raw!r}"
    return f"{found[1].replace(' ', '')}/{found[2]}"


def _in_release(node: str) -> bool:
    """Release pods are short names; outside pods are 'ns/name'; IP ranges start with a digit."""
    return "/" not in node and not node[0].isdigit()


def computed_matrix(nca_bin: str, manifests: Path, extra: Path) -> set[tuple[str, str, str]]:
    """Edges reported by nca that touch the release (its namespace or its pods)."""
    result = subprocess.run(
        [
            nca_bin,
            "--connectivity",
            str(manifests),
            "--resource_list",
            str(manifests),
            "--resource_list",
            str(extra),
            "--output_format",
            "txt_no_fw_rules",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    edges = set()
    for line in result.stdout.splitlines():
        if " => " not in line:
            continue
        pair, _, conn = line.rpartition(" : ")
        src, dst = (_node(p) for p in pair.split(" => "))
        if not (_in_release(src) or _in_release(dst)):
            continue  # outside ↔ outside: not governed by this release
        edges.add((src, dst, _conn(conn)))
    return edges


@pytest.fixture(scope="module")
def extra_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nca") / "outside.yaml"
    path.write_text(_extra_resources())
    return path


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_connectivity_equals_the_designed_matrix(
    nca_bin: str, rendered: dict[str, str], extra_file: Path, tmp_path: Path, variant: str
) -> None:
    manifests = tmp_path / "release.yaml"
    manifests.write_text(rendered[variant])
    computed = computed_matrix(nca_bin, manifests, extra_file)
    expected = designed_matrix(variant)
    assert computed == expected, (
        f"allowed but not designed: {sorted(computed - expected)}\n"
        f"designed but denied: {sorted(expected - computed)}"
    )
    assert not any(INTERNET in edge for edge in computed)


def test_the_analysis_sees_a_missing_policy(
    nca_bin: str, rendered: dict[str, str], extra_file: Path, tmp_path: Path
) -> None:
    """Dropping the default-deny policy must open paths (guards against a vacuous comparison)."""
    docs = [d for d in yaml.safe_load_all(rendered["default"]) if d]
    kept = [d for d in docs if not d["metadata"]["name"].endswith("default-deny")]
    manifests = tmp_path / "open.yaml"
    manifests.write_text(yaml.safe_dump_all(kept))
    computed = computed_matrix(nca_bin, manifests, extra_file)
    assert (INTERNET, "pgadmin", "ALL") in computed
    assert ("apps/stranger", "pgadmin", "ALL") in computed
