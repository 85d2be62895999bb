"""`helm install --wait --wait-for-jobs` and GitOps syncs can succeed (issue 12 item 1): no
post-install hook, the restore is a plain Job named after its dump, the database roles are made
where the database starts. Proven on the rendered chart, and the roles start-up script on a real
PostgreSQL."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from chart_render import CHART, ROOT, documents, helm, template

sys.path.insert(0, str(ROOT))
from scripts.pgserver import LocalPostgres

SHA = "ab" * 32
URL = ("--set", "restore.dump.source=url", "--set", f"restore.dump.sha256={SHA}")
URL_SECRET = (
    *URL,
    "--set",
    "restore.dump.existingSecret=dump-url",
    "--set",
    "restore.dump.egressCIDRs={203.0.113.0/24}",
)
JOB_NAME = re.compile(r"^vocabulo-db-restore-[0-9a-f]{8}-[0-9a-f]{5}$")


def render(helm_bin: str, *extra: str) -> list[dict[str, Any]]:
    return documents(template(helm_bin, None, *extra))


def restore_job(docs: list[dict[str, Any]]) -> dict[str, Any]:
    (job,) = [
        d
        for d in docs
        if d["kind"] == "Job"
        and d["metadata"]["labels"]["app.kubernetes.io/component"] == "db-restore"
    ]
    return job


def container(spec: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [c for c in spec.get("initContainers", []) + spec["containers"] if c["name"] == name]
    return found


def env_of(c: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in c.get("env", [])}


def refused(helm_bin: str, *args: str) -> str:
    result = helm(helm_bin, "template", "x", str(CHART), *args)
    assert result.returncode != 0, f"{args} rendered"
    return result.stderr


def test_no_hook_waits_for_ready_pods(helm_bin: str, docs: dict[str, list[dict[str, Any]]]) -> None:
    """--wait runs post-install hooks only after every pod is ready, and Argo CD maps them to
    PostSync: a hook the APIs need would deadlock both. Only `helm test` pods and, for an external
    database, the pre-install roles Job are hooks."""
    for variant, rendered in docs.items():
        for doc in rendered:
            hook = (doc["metadata"].get("annotations") or {}).get("helm.sh/hook")
            component = doc["metadata"]["labels"].get("app.kubernetes.io/component")
            if component == "tests":
                assert hook == "test", variant
            elif component == "db-roles":
                assert variant == "external-db"
                assert hook == "pre-install,pre-upgrade"
            else:
                assert hook is None, (variant, doc["metadata"]["name"], hook)


def test_restore_is_a_plain_job_named_after_its_dump(helm_bin: str) -> None:
    job = restore_job(render(helm_bin))
    name = job["metadata"]["name"]
    assert JOB_NAME.match(name), name
    assert len(name) <= 63
    assert "ttlSecondsAfterFinished" not in job["spec"]  # Argo CD would re-create a deleted Job
    assert job["spec"]["backoffLimit"] == 3
    args = container(job["spec"]["template"]["spec"], "db-restore")["args"]
    assert args == [
        "--mode",
        "once",
        "--on-other-dump",
        "keep",
        "--dump",
        "/opt/vocabulo/data/lsf_app_dump.sql.gz",
    ]
    assert (
        "pg_isready"
        in container(job["spec"]["template"]["spec"], "wait-for-postgresql")["command"][-1]
    )
    assert restore_job(render(helm_bin))["metadata"]["name"] == name  # same dump: same Job
    with_sha = restore_job(render(helm_bin, "--set", f"restore.dump.sha256={SHA}"))
    assert with_sha["metadata"]["name"].startswith(f"vocabulo-db-restore-{SHA[:8]}-")
    names = {
        restore_job(render(helm_bin, *extra))["metadata"]["name"]
        for extra in (
            (),
            ("--set", f"restore.dump.sha256={'cd' * 32}"),
            ("--set", "restore.mode=replace"),
            ("--set", "restore.image.tag=0123456789ab"),  # a new content-tagged image
        )
    }
    assert len(names) == 4  # a new dump, mode or image runs a new Job
    long = restore_job(render(helm_bin, "--set", "fullnameOverride=" + "v" * 63))
    assert len(long["metadata"]["name"]) <= 63


def test_restore_job_never_touches_role_passwords(helm_bin: str) -> None:
    for extra in ((), ("--set", "restore.mode=replace", "--set", "restore.force=true")):
        spec = restore_job(render(helm_bin, *extra))["spec"]["template"]["spec"]
        env = env_of(container(spec, "db-restore"))
        assert not [k for k in env if k.startswith("VOCABULO_") and k.endswith("_PASSWORD")]


def test_replace_mode_is_deliberate_and_once_keeps_another_dump(helm_bin: str) -> None:
    args = container(
        restore_job(render(helm_bin, "--set", "restore.mode=replace"))["spec"]["template"]["spec"],
        "db-restore",
    )["args"]
    assert args[:2] == ["--mode", "replace"]
    assert "--on-other-dump" not in args
    assert "restore.force needs restore.mode=replace" in refused(
        helm_bin, "--set", "restore.force=true"
    )


def test_ttl_only_when_asked(helm_bin: str) -> None:
    job = restore_job(render(helm_bin, "--set", "restore.ttlSecondsAfterFinished=600"))
    assert job["spec"]["ttlSecondsAfterFinished"] == 600


def test_presigned_url_comes_from_a_secret_not_the_arguments(helm_bin: str) -> None:
    job = restore_job(render(helm_bin, *URL_SECRET, "--set", "restore.dump.urlKey=presigned"))
    spec = job["spec"]["template"]["spec"]
    c = container(spec, "db-restore")
    assert c["args"][c["args"].index("--dump-env") + 1] == "VOCABULO_DUMP_URL"
    assert "--dump" not in c["args"]
    assert env_of(c)["VOCABULO_DUMP_URL"] == {
        "secretKeyRef": {"name": "dump-url", "key": "presigned"}
    }
    assert job["metadata"]["name"].startswith(f"vocabulo-db-restore-{SHA[:8]}-")


def test_url_refusals_at_render_time(helm_bin: str) -> None:
    """A url restore without a checksum, a location or egress CIDRs could only fail in the
    cluster (the download would be blocked silently): refused with a message instead."""
    no_cidrs = refused(helm_bin, *URL, "--set", "restore.dump.existingSecret=dump-url")
    assert "restore.dump.egressCIDRs" in no_cidrs
    assert "block the download" in no_cidrs
    no_location = refused(helm_bin, *URL, "--set", "restore.dump.egressCIDRs={203.0.113.0/24}")
    assert "restore.dump.existingSecret" in no_location
    no_sha = refused(
        helm_bin,
        "--set",
        "restore.dump.source=url",
        "--set",
        "restore.dump.url=https://x.example/d.sql.gz",
        "--set",
        "restore.dump.egressCIDRs={203.0.113.0/24}",
    )
    assert "sha256" in no_sha
    # Without NetworkPolicies there is nothing to open.
    template(
        helm_bin,
        None,
        *URL,
        "--set",
        "restore.dump.existingSecret=d",
        "--set",
        "networkPolicy.enabled=false",
    )


def test_restore_from_a_volume(helm_bin: str) -> None:
    job = restore_job(
        render(
            helm_bin,
            "--set",
            "restore.dump.source=volume",
            "--set",
            "restore.dump.existingClaim=backups",
            "--set",
            "restore.dump.path=2026-11-26.dump",
        )
    )
    spec = job["spec"]["template"]["spec"]
    assert container(spec, "db-restore")["args"][-1] == "/dump/2026-11-26.dump"
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["dump"]["persistentVolumeClaim"] == {"claimName": "backups", "readOnly": True}
    assert job["metadata"]["annotations"]["vocabulo.io/dump"] == "volume:backups/2026-11-26.dump"


def test_bundled_postgresql_makes_the_roles_on_every_start(
    docs: dict[str, list[dict[str, Any]]],
) -> None:
    (sts,) = [d for d in docs["default"] if d["kind"] == "StatefulSet"]
    spec = sts["spec"]["template"]["spec"]
    assert [c["name"] for c in spec["initContainers"]] == ["role-sql", "apply-roles"]
    role_sql = container(spec, "role-sql")
    assert role_sql["command"][:3] == ["python", "-m", "db_restore.apply_roles"]
    assert env_of(role_sql)["VOCABULO_QUIZ_PASSWORD"]["secretKeyRef"]["key"] == "quiz-password"
    assert role_sql["securityContext"]["runAsUser"] == 999  # the file stays private to postgres
    main = container(spec, "postgresql")
    mounts = {m["mountPath"]: m["name"] for m in main["volumeMounts"]}
    assert mounts["/docker-entrypoint-initdb.d"] == "initdb"  # first start: the entrypoint
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["initdb"]["emptyDir"]["medium"] == "Memory"
    assert not [d for d in docs["default"] if d["metadata"]["name"].endswith("db-roles")]


def test_external_database_gets_a_pre_install_roles_hook(
    docs: dict[str, list[dict[str, Any]]],
) -> None:
    (job,) = [d for d in docs["external-db"] if d["metadata"]["name"] == "vocabulo-db-roles"]
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook-delete-policy"] == "before-hook-creation,hook-succeeded"
    c = container(job["spec"]["template"]["spec"], "db-roles")
    assert c["command"] == ["python", "-m", "db_restore.apply_roles"]
    env = env_of(c)
    assert env["PGHOST"] == "db.example.internal"
    assert env["VOCABULO_JUNIOR_PASSWORD"]["secretKeyRef"]["name"] == "vocabulo-db"


def _apply_roles_script(docs: list[dict[str, Any]]) -> str:
    (sts,) = [d for d in docs if d["kind"] == "StatefulSet"]
    command = container(sts["spec"]["template"]["spec"], "apply-roles")["command"]
    assert command[:2] == ["sh", "-c"]
    return command[2]


@pytest.fixture
def pg_root() -> Any:
    """A directory the postgres user can use (outside pytest's private tmp tree)."""
    root = Path(tempfile.mkdtemp(prefix="vocabulo-roles-"))
    os.chmod(root, 0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_start_up_script_applies_the_roles_on_a_real_postgresql(
    docs: dict[str, list[dict[str, Any]]], pg_root: Path
) -> None:
    """The rendered apply-roles script, run as the chart runs it (PGDATA, ROLES_SQL from the
    role-sql step), on a new and then on an existing data directory of a real PostgreSQL."""
    script = _apply_roles_script(docs["default"])
    server = LocalPostgres(pg_root / "data")
    sql_file = pg_root / "50-vocabulo-roles.sql"
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "db_restore.apply_roles",
            "--log-format",
            "text",
            "--sql-file",
            str(sql_file),
        ],
        env={
            **os.environ,
            "PYTHONPATH": f"{ROOT}:{ROOT / 'jobs/db-restore'}",
            "VOCABULO_QUIZ_PASSWORD": "quiz-start-1",
            "VOCABULO_JUNIOR_PASSWORD": "junior-start-1",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    os.chmod(sql_file, 0o644)  # in the pod, role-sql and postgres share the UID
    env = {
        "PATH": f"{server.bindir}:/usr/bin:/bin",
        "PGDATA": str(server.datadir),
        "POSTGRES_USER": "postgres",
        "ROLES_SQL": str(sql_file),
    }
    runner = ["runuser", "-u", server.run_as, "--"] if server.run_as else []

    def run_script() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*runner, "env", *[f"{k}={v}" for k, v in env.items()], "sh", "-c", script],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
            cwd=pg_root,
        )

    server.datadir.mkdir()
    if server.run_as:
        shutil.chown(server.datadir, server.run_as, server.run_as)
    fresh = run_script()
    assert fresh.returncode == 0, fresh.stderr
    assert "new data directory" in fresh.stdout
    server.init()
    applied = run_script()
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "roles applied" in applied.stdout
    assert "quiz-start-1" not in applied.stdout + applied.stderr
    assert not server.is_running()  # the temporary server is stopped again
    server.start()
    try:
        conn = psycopg2.connect(server.url)
        with conn.cursor() as cur:
            cur.execute(
                "SELECT rolname, rolcanlogin, rolpassword LIKE 'SCRAM-SHA-256$%%' FROM pg_authid "
                "WHERE rolname IN ('vocabulo_quiz', 'vocabulo_junior', 'readonly', 'readwrite') "
                "ORDER BY 1"
            )
            assert cur.fetchall() == [
                ("readonly", False, None),
                ("readwrite", False, None),
                ("vocabulo_junior", True, True),
                ("vocabulo_quiz", True, True),
            ]
        conn.close()
    finally:
        server.stop()
    again = run_script()  # every start: idempotent
    assert again.returncode == 0, again.stderr
