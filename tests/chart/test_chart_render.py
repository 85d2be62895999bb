"""helm lint/template for every documented variant, schema validation, labels, secrets, wiring."""

from __future__ import annotations

import ast
import base64
from pathlib import Path
from typing import Any

import pytest
import yaml
from chart_render import (
    CHART,
    NAMESPACE,
    VARIANTS,
    documents,
    helm,
    kubernetes_validate,
    pod_specs,
    template,
)

from apps.junior.settings import JuniorSettings
from apps.quiz.settings import QuizSettings

COMPONENTS = {
    "quiz",
    "junior",
    "postgresql",
    "pgadmin",
    "db-restore",
    "db-roles",
    "backup",
    "tests",
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_helm_lint_strict(helm_bin: str, variant_files: dict[str, Path], variant: str) -> None:
    result = helm(helm_bin, "lint", "--strict", str(CHART), "--values", str(variant_files[variant]))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_manifests_validate_against_k8s_1_31(
    rendered: dict[str, str], tmp_path: Path, variant: str
) -> None:
    manifest = tmp_path / f"{variant}.yaml"
    manifest.write_text(rendered[variant])
    result = kubernetes_validate(manifest)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_object_is_namespaced_and_labelled(
    docs: dict[str, list[dict[str, Any]]], variant: str
) -> None:
    for doc in docs[variant]:
        meta = doc["metadata"]
        assert meta["namespace"] == NAMESPACE, meta["name"]
        assert meta["labels"]["app.kubernetes.io/instance"] == "vocabulo", meta["name"]
        assert meta["labels"]["app.kubernetes.io/managed-by"] == "Helm", meta["name"]
    for name, meta, _ in pod_specs(docs[variant]):
        assert meta["labels"].get("app.kubernetes.io/component") in COMPONENTS, name


def test_default_release_has_every_component(docs: dict[str, list[dict[str, Any]]]) -> None:
    kinds = {
        (d["kind"], d["metadata"]["labels"].get("app.kubernetes.io/component"))
        for d in docs["default"]
    }
    for expected in [
        ("Deployment", "quiz"),
        ("Deployment", "junior"),
        ("StatefulSet", "postgresql"),
        ("Deployment", "pgadmin"),
        ("Job", "db-restore"),
        ("Service", "quiz"),
        ("Service", "junior"),
        ("Service", "postgresql"),
        ("Service", "pgadmin"),
        ("ConfigMap", "pgadmin"),
    ]:
        assert expected in kinds


def _by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def test_services_are_cluster_internal(docs: dict[str, list[dict[str, Any]]]) -> None:
    services = _by_kind(docs["default"], "Service")
    assert all(s["spec"]["type"] == "ClusterIP" for s in services.values())
    assert services["vocabulo-postgresql"]["spec"]["clusterIP"] == "None"
    for api in ("quiz", "junior"):
        (port,) = services[f"vocabulo-{api}"]["spec"]["ports"]
        assert (port["port"], port["targetPort"]) == (80, "http")


def test_ingress_routes_only_the_apis(docs: dict[str, list[dict[str, Any]]]) -> None:
    ingresses = _by_kind(docs["ingress"], "Ingress")  # one per API: annotations of its own
    backends = {
        path["backend"]["service"]["name"]
        for ingress in ingresses.values()
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert backends == {"vocabulo-quiz", "vocabulo-junior"}
    for ingress in ingresses.values():
        assert ingress["spec"]["tls"][0]["secretName"] == "vocabulo-tls"
    assert not _by_kind(docs["default"], "Ingress")


def test_scaling_variant_adds_hpa_and_pdb(docs: dict[str, list[dict[str, Any]]]) -> None:
    hpas = _by_kind(docs["scaling"], "HorizontalPodAutoscaler")
    assert set(hpas) == {"vocabulo-quiz", "vocabulo-junior"}
    assert set(_by_kind(docs["scaling"], "PodDisruptionBudget")) == set(hpas)
    deployments = _by_kind(docs["scaling"], "Deployment")
    assert "replicas" not in deployments["vocabulo-quiz"]["spec"]  # the HPA owns it


def _env(spec: dict[str, Any], container: str) -> dict[str, Any]:
    (c,) = [c for c in spec["containers"] if c["name"] == container]
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in c.get("env", [])}


def test_services_get_their_own_credentials(docs: dict[str, list[dict[str, Any]]]) -> None:
    deployments = _by_kind(docs["default"], "Deployment")
    for api, user, key in (
        ("quiz", "vocabulo_quiz", "quiz-password"),
        ("junior", "vocabulo_junior", "junior-password"),
    ):
        env = _env(deployments[f"vocabulo-{api}"]["spec"]["template"]["spec"], api)
        assert env["PGUSER"] == user
        assert env["PGHOST"] == "vocabulo-postgresql.vocabulo.svc"
        assert env["PGPASSWORD"]["secretKeyRef"] == {"name": "vocabulo-db-credentials", "key": key}


def test_external_database_and_existing_secret(docs: dict[str, list[dict[str, Any]]]) -> None:
    ext = docs["external-db"]
    assert not _by_kind(ext, "StatefulSet")
    assert "vocabulo-db-credentials" not in _by_kind(ext, "Secret")
    env = _env(_by_kind(ext, "Deployment")["vocabulo-quiz"]["spec"]["template"]["spec"], "quiz")
    assert env["PGHOST"] == "db.example.internal"
    assert env["PGPASSWORD"]["secretKeyRef"]["name"] == "vocabulo-db"
    secrets = _by_kind(docs["existing-secret"], "Secret")
    assert not secrets, f"existingSecret must not render secrets: {list(secrets)}"


def test_external_database_without_secret_is_refused(helm_bin: str) -> None:
    result = helm(
        helm_bin,
        "template",
        "x",
        str(CHART),
        "--set",
        "postgresql.enabled=false",
        "--set",
        "externalDatabase.host=db.example.internal",
    )
    assert result.returncode != 0
    assert "auth.existingSecret" in result.stderr


def test_generated_passwords_are_random_and_never_in_values(helm_bin: str) -> None:
    first, second = (
        dict(_by_kind(documents(template(helm_bin)), "Secret").items()) for _ in range(2)
    )
    for name, secret in first.items():
        for key, value in secret["data"].items():
            assert len(base64.b64decode(value)) >= 24, (name, key)
            assert value != second[name]["data"][key], (name, key)
    assert (
        first["vocabulo-db-credentials"]["metadata"]["annotations"]["helm.sh/resource-policy"]
        == "keep"
    )
    assert not list(_password_values(yaml.safe_load((CHART / "values.yaml").read_text())))


def _password_values(node: Any, path: str = "") -> Any:
    """Non-empty values of password-like keys (key-name settings excluded)."""
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}"
            if "secretKeys" in where or str(key).endswith("Key"):
                continue
            if "password" in str(key).lower() and value not in ("", None):
                yield where
            yield from _password_values(value, where)


@pytest.mark.parametrize(
    ("cpu", "threads"),
    [("2", "2"), ("1500m", "1"), ("500m", "1"), ("4000m", "4"), ("24", "16"), ("64000m", "16")],
)
def test_onnx_threads_follow_the_cpu_limit(helm_bin: str, cpu: str, threads: str) -> None:
    """Threads = whole CPUs of the limit, 1 to 16 (the services' settings refuse more)."""
    out = template(
        helm_bin,
        None,
        "--set-string",
        f"junior.resources.limits.cpu={cpu}",
        "--set-string",
        f"quiz.resources.limits.cpu={cpu}",
    )
    deployments = _by_kind(documents(out), "Deployment")
    for app in ("junior", "quiz"):
        spec = deployments[f"vocabulo-{app}"]["spec"]["template"]["spec"]
        env = _env(spec, app)
        assert env[f"{app.upper()}_ONNX_THREADS"] == threads
        settings = {"quiz": QuizSettings, "junior": JuniorSettings}[app]
        assert settings(database_url="postgresql://x@h/db", onnx_threads=int(threads))


def test_pods_roll_when_their_config_changes(helm_bin: str) -> None:
    def annotations(*extra: str) -> dict[str, str]:
        pgadmin = _by_kind(documents(template(helm_bin, None, *extra)), "Deployment")[
            "vocabulo-pgadmin"
        ]
        return pgadmin["spec"]["template"]["metadata"]["annotations"]

    assert (
        annotations()["checksum/config"]
        != annotations("--set", "auth.database=other")["checksum/config"]
    )


def test_pgadmin_is_preconfigured_with_the_database(docs: dict[str, list[dict[str, Any]]]) -> None:
    config = _by_kind(docs["default"], "ConfigMap")["vocabulo-pgadmin"]
    servers = yaml.safe_load(config["data"]["servers.json"])["Servers"]["1"]
    assert servers["Host"] == "vocabulo-postgresql.vocabulo.svc"
    assert servers["Port"] == 5432
    assert servers["MaintenanceDB"] == "vocabulo"
    assert not any(
        d["metadata"]["labels"].get("app.kubernetes.io/component") == "pgadmin"
        for d in docs["no-pgadmin"]
    )


def test_notes_print_port_forward_and_pgadmin_login(helm_bin: str) -> None:
    result = helm(helm_bin, "install", "vocabulo", str(CHART), "-n", NAMESPACE, "--dry-run=client")
    assert result.returncode == 0, result.stderr
    notes = result.stdout.split("NOTES:", 1)[1]
    assert "port-forward svc/vocabulo-quiz 8001:80" in notes
    assert "port-forward svc/vocabulo-junior 8002:80" in notes
    assert "get secret vocabulo-pgadmin -o jsonpath='{.data.pgadmin-password}'" in notes
    assert "logs job/vocabulo-db-restore-" in notes  # the Job named after the dump
    assert "restore.mode=replace" in notes  # how to load another dump deliberately
    assert "hook" not in notes.split("Reach the APIs", 1)[0]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("quiz.replicaCount=two", "/quiz/replicaCount"),
        ("postgresql.enabled=maybe", "/postgresql/enabled"),
        ("restore.mode=sometimes", "/restore/mode"),
        ("restore.dump.source=ftp", "/restore/dump/source"),
        ("junior.service.port=70000", "/junior/service/port"),
        ("pgadmin.email=nobody", "/pgadmin/email"),
        ("quiz.resources.limits.cpu=lots", "/quiz/resources/limits/cpu"),
        ("ingress.enabeld=true", "ingress"),
        ("restore.dump.sha256=nothex", "/restore/dump/sha256"),
        ("quiz.database.poolSize=0", "/quiz/database/poolSize"),
        ("junior.database.readPoolSize=3", "junior"),
        ("networkPolicy.dns.ipBlocks={kube-dns}", "/networkPolicy/dns/ipBlocks/0"),
        ("postgresql.maxConnections=-1", "/postgresql/maxConnections"),
    ],
)
def test_schema_rejects_wrong_values(helm_bin: str, setting: str, message: str) -> None:
    result = helm(helm_bin, "template", "x", str(CHART), "--set", setting)
    assert result.returncode != 0, f"{setting} was accepted"
    assert "schema" in result.stderr, result.stderr
    assert message in result.stderr, result.stderr


def test_pgadmin_starts_as_its_entrypoint_expects(docs: dict[str, list[dict[str, Any]]]) -> None:
    """Issue 15 item 6: binary paths kept, e-mail domains where the entrypoint reads them, IPv4."""
    config = _by_kind(docs["default"], "ConfigMap")["vocabulo-pgadmin"]["data"]["config_distro.py"]
    namespace: dict[str, Any] = {}
    exec(
        compile(config, "config_distro.py", "exec"), namespace
    )  # valid Python, as pgAdmin loads it
    assert namespace["DEFAULT_BINARY_PATHS"]["pg"] == "/usr/local/pgsql-15"
    assert namespace["DEFAULT_BINARY_PATHS"]["pg-15"] == "/usr/local/pgsql-15"
    deployment = _by_kind(docs["default"], "Deployment")["vocabulo-pgadmin"]
    env = _env(deployment["spec"]["template"]["spec"], "pgadmin")
    assert env["PGADMIN_LISTEN_ADDRESS"] == "0.0.0.0"
    domains = env["PGADMIN_CONFIG_ALLOW_SPECIAL_EMAIL_DOMAINS"]
    assert ast.literal_eval(domains) == ["example", "local"]  # the entrypoint pastes it into Python


@pytest.mark.parametrize("api", ["quiz", "junior"])
def test_readiness_means_can_serve(docs: dict[str, list[dict[str, Any]]], api: str) -> None:
    """Issue 15 item 11: readiness = models loaded (/ready/serving), liveness stays /health."""
    spec = _by_kind(docs["default"], "Deployment")[f"vocabulo-{api}"]["spec"]["template"]["spec"]
    (c,) = spec["containers"]
    assert c["readinessProbe"]["httpGet"]["path"] == "/ready/serving"
    assert c["livenessProbe"]["httpGet"]["path"] == "/health"
    assert c["startupProbe"]["httpGet"]["path"] == "/health"
