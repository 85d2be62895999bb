"""The pinned official images (postgres, dpage/pgadmin4) run as the chart runs them (issue 15
item 1): same user, read-only root, every capability dropped plus the chart's adds,
no-new-privileges, tmpfs where the chart mounts emptyDirs; PostgreSQL goes through the chart's
roles start-up steps (new data directory, restart, password rotation).

The flags come from the rendered chart, not from a copy. No registry is reachable on the build
machines, so there these tests skip with that reason; with Docker and network access they run
(`make test-images`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from image_engine import ROOT, docker, engine

sys.path.insert(0, str(ROOT / "tests" / "chart"))
from chart_render import documents, ensure_tool, template

pytestmark = [pytest.mark.images, pytest.mark.timeout(1200)]


@pytest.fixture(scope="module")
def rendered() -> list[dict[str, Any]]:
    return documents(template(ensure_tool("helm")))


def workload(docs: list[dict[str, Any]], kind: str, component: str) -> dict[str, Any]:
    (found,) = [
        d
        for d in docs
        if d["kind"] == kind and d["metadata"]["labels"]["app.kubernetes.io/component"] == component
    ]
    return found["spec"]["template"]["spec"]


def container(spec: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [c for c in spec.get("initContainers", []) + spec["containers"] if c["name"] == name]
    return found


def official_image(reference: str) -> str:
    """The image, present or pulled; skip with the reason when it cannot be had."""
    if docker("image", "inspect", reference, check=False).returncode == 0:
        return reference
    pulled = docker("pull", reference, check=False, timeout=900)
    if pulled.returncode != 0:
        pytest.skip(f"{reference} cannot be had here: {pulled.stderr.strip()[-200:]}")
    return reference


@pytest.fixture(scope="module")
def engine_up() -> Iterator[None]:
    was_running = docker("info", check=False, timeout=30).returncode == 0
    try:
        engine("start")
    except (RuntimeError, OSError) as exc:
        pytest.skip(f"no container engine: {exc}")
    yield
    if not was_running:
        engine("stop")


def run_flags(pod: dict[str, Any], c: dict[str, Any], mounts: dict[str, str]) -> list[str]:
    """docker run flags for one container of a rendered pod: user, read-only root,
    capabilities, no-new-privileges, emptyDirs as tmpfs, other volumes from ``mounts``."""
    sc = {**pod.get("securityContext", {}), **c.get("securityContext", {})}
    uid = sc["runAsUser"]
    gid = sc.get("runAsGroup", uid)
    flags = [
        "--user",
        f"{uid}:{gid}",
        "--group-add",
        str(pod["securityContext"].get("fsGroup", gid)),
    ]
    if sc.get("readOnlyRootFilesystem"):
        flags.append("--read-only")
    if sc.get("allowPrivilegeEscalation") is False:
        flags += ["--security-opt", "no-new-privileges"]
    caps = sc.get("capabilities", {})
    for cap in caps.get("drop", []):
        flags += ["--cap-drop", cap]
    for cap in caps.get("add", []):
        flags += ["--cap-add", cap]
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for mount in c.get("volumeMounts", []):
        volume = volumes.get(mount["name"], {"name": mount["name"]})
        if "emptyDir" in volume and mount["name"] not in mounts:
            size = volume["emptyDir"].get("sizeLimit", "64Mi").replace("Mi", "m")
            flags += [
                "--tmpfs",
                f"{mount['mountPath']}:rw,size={size},uid={uid},gid={gid},mode=0700",
            ]
            continue
        source = mounts[mount["name"]]
        if "subPath" in mount:
            source = str(Path(source) / mount["subPath"])
        ro = ",readonly" if mount.get("readOnly") else ""
        flags += ["--mount", f"type=bind,source={source},target={mount['mountPath']}{ro}"]
    return flags


def env_flags(c: dict[str, Any], secrets: dict[str, str]) -> list[str]:
    flags = []
    for env in c.get("env", []):
        value = env.get("value")
        if value is None:
            value = secrets[env["valueFrom"]["secretKeyRef"]["key"]]
        flags += ["-e", f"{env['name']}={value}"]
    return flags


@pytest.fixture
def host_dir() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="vocabulo-official-"))
    os.chmod(root, 0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


SECRETS = {
    "db-admin-password": uuid.uuid4().hex,
    "quiz-password": uuid.uuid4().hex,
    "junior-password": uuid.uuid4().hex,
    "pgadmin-password": uuid.uuid4().hex,
}


def role_sql(target: Path, quiz_password: str) -> None:
    """The chart's role-sql step (db_restore.apply_roles --sql-file), run from the repository."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "db_restore.apply_roles",
            "--log-format",
            "text",
            "--sql-file",
            str(target),
        ],
        env={
            **os.environ,
            "PYTHONPATH": f"{ROOT}:{ROOT / 'jobs/db-restore'}",
            "VOCABULO_QUIZ_PASSWORD": quiz_password,
            "VOCABULO_JUNIOR_PASSWORD": SECRETS["junior-password"],
        },
        check=True,
        timeout=60,
    )
    shutil.chown(target, 999, 999)


def test_postgres_runs_restricted_through_the_roles_steps(
    engine_up: None, rendered: list[dict[str, Any]], host_dir: Path
) -> None:
    pod = workload(rendered, "StatefulSet", "postgresql")
    main, apply = container(pod, "postgresql"), container(pod, "apply-roles")
    image = official_image(main["image"])
    data, initdb = host_dir / "data", host_dir / "initdb"
    for path in (data, initdb):
        path.mkdir()
        shutil.chown(path, 999, 999)
    mounts = {"data": str(data), "initdb": str(initdb)}
    sql = initdb / "50-vocabulo-roles.sql"

    def apply_roles() -> str:
        result = docker(
            "run",
            "--rm",
            *run_flags(pod, apply, mounts),
            *env_flags(apply, SECRETS),
            "--entrypoint",
            apply["command"][0],
            image,
            *apply["command"][1:],
            check=False,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return result.stdout

    def start() -> str:
        name = f"pg-{uuid.uuid4().hex[:8]}"
        docker(
            "run",
            "-d",
            "--name",
            name,
            *run_flags(pod, main, mounts),
            *env_flags(main, SECRETS),
            image,
            *main["args"],
        )
        deadline = time.monotonic() + 120
        while (
            docker("exec", name, "pg_isready", "-h", "/var/run/postgresql", check=False).returncode
            != 0
        ):
            logs = docker("logs", name, check=False)
            assert time.monotonic() < deadline, logs.stdout[-3000:] + logs.stderr[-3000:]
            time.sleep(2)
        return name

    def query(name: str, statement: str) -> str:
        return docker(
            "exec",
            name,
            "psql",
            "-h",
            "/var/run/postgresql",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-tAc",
            statement,
        ).stdout.strip()

    role_sql(sql, SECRETS["quiz-password"])
    assert "new data directory" in apply_roles()
    name = start()
    try:
        assert query(name, "SHOW max_connections") == main["args"][1].split("=")[1]
        logins = "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'vocabulo_%' AND rolcanlogin"
        assert query(name, logins) == "vocabulo_junior,vocabulo_quiz"
        before = query(name, "SELECT rolpassword FROM pg_authid WHERE rolname = 'vocabulo_quiz'")
    finally:
        docker("stop", "-t", "30", name, check=False)
        docker("rm", "-f", name, check=False)
    role_sql(sql, "rotated-" + SECRETS["quiz-password"])  # the Secret changed: the pod restarts
    assert "roles applied" in apply_roles()
    name = start()
    try:
        after = query(name, "SELECT rolpassword FROM pg_authid WHERE rolname = 'vocabulo_quiz'")
        assert after.startswith("SCRAM-SHA-256$")
        assert after != before
    finally:
        docker("rm", "-f", name, check=False)


def test_pgadmin_starts_restricted_with_net_bind_service(
    engine_up: None, rendered: list[dict[str, Any]], host_dir: Path
) -> None:
    pod = workload(rendered, "Deployment", "pgadmin")
    c = container(pod, "pgadmin")
    image = official_image(c["image"])
    (config_map,) = [
        d
        for d in rendered
        if d["kind"] == "ConfigMap" and d["metadata"]["name"].endswith("pgadmin")
    ]
    config = host_dir / "config"
    config.mkdir()
    for key, value in config_map["data"].items():
        (config / key).write_text(value)
    port = c["ports"][0]["containerPort"]
    name = f"pgadmin-{uuid.uuid4().hex[:8]}"
    docker(
        "run",
        "-d",
        "--name",
        name,
        "-p",
        f"127.0.0.1::{port}",
        *run_flags(pod, c, {"config": str(config)}),
        *env_flags(c, SECRETS),
        image,
    )
    try:
        host_port = docker("port", name, f"{port}/tcp").stdout.split(":")[-1].strip()
        deadline, status = time.monotonic() + 300, 0
        while time.monotonic() < deadline and status != 200:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{host_port}/misc/ping", timeout=5
                ) as answer:
                    status = answer.status
            except OSError:
                time.sleep(3)
        logs = docker("logs", name, check=False)
        assert status == 200, logs.stdout[-3000:] + logs.stderr[-3000:]
        assert "Operation not permitted" not in logs.stdout + logs.stderr
    finally:
        docker("rm", "-f", name, check=False)


def test_flags_follow_the_chart(rendered: list[dict[str, Any]]) -> None:
    """The flag builder itself (runs everywhere the images tests are collected)."""
    pod = workload(rendered, "Deployment", "pgadmin")
    flags = run_flags(pod, container(pod, "pgadmin"), {"config": "/cfg"})
    text = " ".join(flags)
    assert "--user 5050:0" in text
    assert "--read-only" in flags
    assert "--cap-drop ALL" in text
    assert "--cap-add NET_BIND_SERVICE" in text
    assert "no-new-privileges" in text
    assert (
        "type=bind,source=/cfg/config_distro.py,target=/pgadmin4/config_distro.py,readonly" in text
    )
    assert any(f.startswith("/var/lib/pgadmin:rw") for f in flags)
    assert yaml.safe_dump(flags)
