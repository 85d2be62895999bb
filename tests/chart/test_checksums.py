"""checksum/* pod annotations hash what the cluster stores (issue 12 item 2): an upgrade with
unchanged values and Secrets changes no pod template, so nothing rolls.

Real helm renders the chart; for the ``lookup`` path it runs ``--dry-run=server`` against
tests/chart/fake_apiserver.py, which answers discovery and serves Secrets from memory.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from chart_render import CHART, NAMESPACE, RELEASE, documents, helm, pod_specs, template
from fake_apiserver import FakeCluster, fake_apiserver


def go_json(value: Any) -> str:
    """JSON exactly as Go's json.Marshal (helm's toJson) writes it: sorted keys, compact, HTML
    characters escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def stored_hash(obj: dict[str, Any]) -> str:
    return hashlib.sha256(go_json(obj.get("data", {})).encode()).hexdigest()


def render_live(helm_bin: str, kubeconfig: Path, *extra: str) -> list[dict[str, Any]]:
    """``helm template --dry-run=server`` against the fake cluster: ``lookup`` sees its Secrets."""
    result = helm(
        helm_bin,
        "template",
        RELEASE,
        str(CHART),
        "--namespace",
        NAMESPACE,
        "--dry-run=server",
        "--disable-openapi-validation",
        "--kubeconfig",
        str(kubeconfig),
        *extra,
    )
    assert result.returncode == 0, result.stderr
    return documents(result.stdout)


def pod_templates(docs: list[dict[str, Any]]) -> dict[str, Any]:
    return {name: {"metadata": meta, "spec": spec} for name, meta, spec in pod_specs(docs)}


def referenced(spec: dict[str, Any], kind: str) -> set[str]:
    """Names of the Secrets (kind "secret") or ConfigMaps ("configMap") a pod spec reads."""
    names = set()
    for container in spec.get("containers", []) + spec.get("initContainers", []):
        for env in container.get("env", []):
            ref = env.get("valueFrom", {}).get(f"{kind}KeyRef")
            if ref:
                names.add(ref["name"])
    for volume in spec.get("volumes", []):
        source = volume.get(kind)
        if source:
            names.add(source.get("secretName") or source.get("name"))
    return names


def check_checksums(docs: list[dict[str, Any]], cluster: FakeCluster | None = None) -> int:
    """Assert every checksum annotation equals the hash of what it names; return how many."""
    rendered = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    stored = dict(cluster.secrets) if cluster else {}
    checked = 0
    for name, meta, spec in pod_specs(docs):
        annotations = meta.get("annotations") or {}
        if not name.startswith(("Deployment/", "StatefulSet/")):
            # Job and CronJob pods read their Secrets when they start: nothing to roll.
            assert not any(k.startswith("checksum/") for k in annotations), name
            continue
        secrets = referenced(spec, "secret")
        config_maps = referenced(spec, "configMap")
        generated = {s for s in secrets if ("Secret", s) in rendered}
        existing = secrets - generated
        if "checksum/secret" in annotations:
            assert not generated, f"{name}: a generated Secret needs no checksum ({generated})"
            (secret,) = existing
            assert annotations["checksum/secret"] == stored_hash(stored[(NAMESPACE, secret)]), name
            checked += 1
        else:
            looked_up = {s for s in existing if (NAMESPACE, s) in stored}
            assert not looked_up, f"{name}: reads existing Secret(s) {looked_up} without checksum"
        if config_maps:
            (config_map,) = config_maps
            expected = stored_hash(rendered[("ConfigMap", config_map)])
            assert annotations.get("checksum/config") == expected, name
            checked += 1
    return checked


def existing_secret(name: str, **data: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()},
    }


DB_SECRET = {"db-admin-password": "a" * 32, "quiz-password": "q" * 32, "junior-password": "j" * 32}
EXISTING = (
    "--set",
    "auth.existingSecret=vocabulo-db",
    "--set",
    "pgadmin.existingSecret=vocabulo-pgadmin",
)


def test_offline_renders_draw_new_passwords_but_identical_pod_templates(helm_bin: str) -> None:
    """Regression: the checksum used to hash a second rendering of the generated Secret, so every
    render (and every upgrade's first render) changed all four pod templates."""
    first, second = (documents(template(helm_bin)) for _ in range(2))
    secrets = [
        {d["metadata"]["name"]: d["data"] for d in r if d["kind"] == "Secret"}
        for r in (first, second)
    ]
    assert secrets[0] != secrets[1]  # random each time: nothing to look up offline
    assert pod_templates(first) == pod_templates(second)
    assert check_checksums(first) == 1  # pgAdmin's checksum/config only


def test_install_then_upgrades_keep_secrets_and_pod_templates(
    helm_bin: str, tmp_path: Path
) -> None:
    """Install (empty cluster), store what it rendered, then two upgrades: lookup keeps every
    generated password and no pod template changes."""
    with fake_apiserver(tmp_path) as (cluster, kubeconfig):
        installed = render_live(helm_bin, kubeconfig)
        for doc in installed:
            if doc["kind"] == "Secret":  # stored as helm install leaves it: owned by the release
                owner = {
                    "meta.helm.sh/release-name": RELEASE,
                    "meta.helm.sh/release-namespace": NAMESPACE,
                }
                doc["metadata"]["annotations"] = {**doc["metadata"].get("annotations", {}), **owner}
                cluster.store(doc)
        upgrades = [render_live(helm_bin, kubeconfig) for _ in range(2)]
        looked_up = [r for r in cluster.requests if "/secrets/" in r]
    assert looked_up, "the chart never looked a Secret up"
    for upgrade in upgrades:
        assert pod_templates(upgrade) == pod_templates(installed)
        for doc in upgrade:
            if doc["kind"] == "Secret":
                key = (NAMESPACE, doc["metadata"]["name"])
                assert doc["data"] == cluster.secrets[key]["data"], key
        check_checksums(upgrade, cluster)


def test_existing_secrets_are_hashed_as_stored(helm_bin: str, tmp_path: Path) -> None:
    with fake_apiserver(tmp_path) as (cluster, kubeconfig):
        cluster.store(existing_secret("vocabulo-db", **DB_SECRET))
        cluster.store(existing_secret("vocabulo-pgadmin", **{"pgadmin-password": "p" * 24}))
        first = render_live(helm_bin, kubeconfig, *EXISTING)
        again = render_live(helm_bin, kubeconfig, *EXISTING)
        # quiz, junior, postgresql and pgadmin read an existing Secret; pgAdmin also its ConfigMap.
        assert check_checksums(first, cluster) == 5
        assert pod_templates(again) == pod_templates(first)
        cluster.store(existing_secret("vocabulo-db", **{**DB_SECRET, "quiz-password": "r" * 32}))
        rotated = render_live(helm_bin, kubeconfig, *EXISTING)
        check_checksums(rotated, cluster)
    changed = {
        name for name, pod in pod_templates(rotated).items() if pod != pod_templates(first)[name]
    }
    assert changed == {
        "Deployment/vocabulo-quiz",
        "Deployment/vocabulo-junior",
        "StatefulSet/vocabulo-postgresql",
    }


def test_existing_secret_not_found_renders_no_checksum(helm_bin: str) -> None:
    """Offline (or before the Secret exists) there is nothing stored to hash: no annotation."""
    docs = documents(template(helm_bin, None, *EXISTING))
    for name, meta, _ in pod_specs(docs):
        assert "checksum/secret" not in (meta.get("annotations") or {}), name


def test_the_check_catches_a_wrong_checksum(helm_bin: str) -> None:
    docs = documents(template(helm_bin))
    for doc in docs:
        if doc["kind"] == "Deployment" and doc["metadata"]["name"] == "vocabulo-pgadmin":
            doc["spec"]["template"]["metadata"]["annotations"]["checksum/config"] = "0" * 64
    with pytest.raises(AssertionError, match="pgadmin"):
        check_checksums(docs)
