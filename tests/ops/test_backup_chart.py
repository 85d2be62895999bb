"""The backup CronJob and its PVC as rendered: schedule, retention, storage, credentials, security."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from chart_render import checkov_reports, kubernetes_validate
from ops_render import by_kind, render
from test_pod_security import violations

ROOT = Path(__file__).resolve().parents[2]
CRDS = {"ServiceMonitor", "PrometheusRule"}


def cronjob(docs: list[dict[str, Any]]) -> dict[str, Any]:
    (job,) = by_kind(docs, "CronJob").values()
    return job


def pod_spec(job: dict[str, Any]) -> dict[str, Any]:
    return job["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def test_cronjob_runs_a_verified_backup_with_retention(ops_docs: list[dict[str, Any]]) -> None:
    job = cronjob(ops_docs)
    assert job["metadata"]["name"] == "vocabulo-backup"
    assert job["spec"]["schedule"] == "30 1 * * *"
    assert job["spec"]["concurrencyPolicy"] == "Forbid"
    assert job["spec"]["timeZone"] == "Etc/UTC"
    (container,) = pod_spec(job)["containers"]
    assert container["image"] == "vocabulo/db-restore:0.1.0"
    assert container["command"] == ["vocabulo-backup"]  # wrapper made in db-restore.Dockerfile
    assert container["args"] == ["--dir", "/backups", "--keep", "5", "--prefix", "vocabulo"]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert set(mounts) == {"/backups", "/tmp"}
    volumes = {v["name"]: v for v in pod_spec(job)["volumes"]}
    assert volumes[mounts["/backups"]]["persistentVolumeClaim"]["claimName"] == "vocabulo-backup"
    assert "emptyDir" in volumes[mounts["/tmp"]]


def test_backup_module_is_the_lead_s_cli() -> None:
    """The container's command runs the real vocabulo-backup entry point (its --help works)."""
    result = subprocess.run(
        [sys.executable, "-m", "db_restore.backup", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT}:{ROOT / 'jobs/db-restore'}", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "--keep" in result.stdout


def test_backup_uses_the_restore_job_credentials(ops_docs: list[dict[str, Any]]) -> None:
    (container,) = pod_spec(cronjob(ops_docs))["containers"]
    (job,) = [
        d
        for d in by_kind(ops_docs, "Job").values()
        if d["metadata"]["labels"]["app.kubernetes.io/component"] == "db-restore"
    ]
    restore = job["spec"]["template"]["spec"]
    (restore_container,) = restore["containers"]
    backup_env, restore_env = env(container), env(restore_container)
    for key in ("PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD"):
        assert backup_env[key] == restore_env[key], key
    assert backup_env["PGPASSWORD"]["secretKeyRef"] == {
        "name": "vocabulo-db-credentials",
        "key": "db-admin-password",
    }


def test_backup_pod_is_restricted_labelled_and_bounded(ops_docs: list[dict[str, Any]]) -> None:
    job = cronjob(ops_docs)
    spec = pod_spec(job)
    assert not violations(spec)
    assert spec["automountServiceAccountToken"] is False
    assert spec["restartPolicy"] == "Never"
    template_labels = job["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    assert template_labels["app.kubernetes.io/component"] == "backup"
    (container,) = spec["containers"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert set(container["resources"]) == {"requests", "limits"}
    assert job["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"] > 0


def test_own_pvc_is_configurable_and_kept(ops_docs: list[dict[str, Any]]) -> None:
    pvc = by_kind(ops_docs, "PersistentVolumeClaim")["vocabulo-backup"]
    assert pvc["spec"]["storageClassName"] == "standard"
    assert pvc["spec"]["resources"]["requests"]["storage"] == "3Gi"
    assert pvc["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert pvc["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    assert pvc["metadata"]["labels"]["app.kubernetes.io/component"] == "backup"


def test_existing_claim_replaces_the_pvc(helm_bin: str, tmp_path: Path) -> None:
    docs = render(
        helm_bin, tmp_path, {"backup": {"enabled": True, "persistence": {"existingClaim": "nas"}}}
    )
    assert "vocabulo-backup" not in by_kind(docs, "PersistentVolumeClaim")
    volumes = {v["name"]: v for v in pod_spec(cronjob(docs))["volumes"]}
    assert volumes["backups"]["persistentVolumeClaim"]["claimName"] == "nas"


def test_backup_is_off_by_default_and_refuses_keep_zero(helm_bin: str, tmp_path: Path) -> None:
    docs = render(helm_bin, tmp_path, {})
    assert not by_kind(docs, "CronJob")
    assert "vocabulo-backup" not in by_kind(docs, "PersistentVolumeClaim")
    bad = tmp_path / "keep0.yaml"
    bad.write_text(yaml.safe_dump({"backup": {"enabled": True, "keep": 0}}))
    result = subprocess.run(
        [helm_bin, "template", "x", str(ROOT / "charts/vocabulo"), "--values", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "keep" in result.stderr


def test_crd_free_objects_validate_against_k8s_1_31(
    ops_docs: list[dict[str, Any]], tmp_path: Path
) -> None:
    plain = [d for d in ops_docs if d["kind"] not in CRDS]
    assert {"CronJob", "PersistentVolumeClaim", "ConfigMap"} <= {d["kind"] for d in plain}
    manifest = tmp_path / "ops.yaml"
    manifest.write_text(yaml.safe_dump_all(plain))
    result = kubernetes_validate(manifest)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def checkov_bin() -> str:
    from chart_render import ensure_tool

    return ensure_tool("checkov")


def test_checkov_passes_the_day2_objects(
    checkov_bin: str, ops_docs: list[dict[str, Any]], tmp_path: Path
) -> None:
    """checkov (kubernetes framework) on the backup and monitoring objects: 0 failed checks."""
    ours = [
        d
        for d in ops_docs
        if d["metadata"]["labels"].get("app.kubernetes.io/component") == "backup"
        or d["kind"] in CRDS
        or "grafana_dashboard" in d["metadata"]["labels"]
    ]
    assert {"CronJob", "PersistentVolumeClaim", "ConfigMap", *CRDS} <= {d["kind"] for d in ours}
    manifest = tmp_path / "ops.yaml"
    manifest.write_text(yaml.safe_dump_all(ours))
    (report,) = checkov_reports(checkov_bin, manifest, "kubernetes")
    failed = [c["check_id"] for c in report["results"]["failed_checks"]]
    assert not failed
    assert report["summary"]["passed"] > 40
    for check in report["results"]["skipped_checks"]:
        assert len(check.get("check_result", {}).get("suppress_comment", "")) > 20


def test_postgres_major_matches_the_backup_client(ops_docs: list[dict[str, Any]]) -> None:
    """pg_dump refuses a newer server: the chart's postgres and the image's client share a major."""
    dockerfile = (ROOT / "Dockerfiles" / "db-restore.Dockerfile").read_text()
    (client,) = set(re.findall(r"postgresql-client-(\d+)", dockerfile))
    (statefulset,) = by_kind(ops_docs, "StatefulSet").values()
    (container,) = statefulset["spec"]["template"]["spec"]["containers"]
    image, _, tag = container["image"].rpartition(":")
    assert image == "postgres"
    assert tag.split(".")[0] == client, f"postgres {tag} vs postgresql-client-{client}"
