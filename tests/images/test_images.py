"""Build the three images with a real container engine and run them as production would:
non-root, read-only root, no capabilities; restore into a Postgres container; APIs answer /ready.

Run with `make test-images` (marker ``images``). No image can be pulled here, so the base is a
debootstrap Debian and Python/PostgreSQL come from Debian packages (tests/images/*.Dockerfile).
"""

from __future__ import annotations

import re
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from image_engine import (
    POSTGRES,
    PYTHON_BASE,
    ROOT,
    TAG,
    build,
    docker,
    engine,
    wait_for,
    wheelhouse,
)

sys.path.insert(0, str(ROOT / "tests"))  # the restore tests' fixture dumps (tests/fixtures)

pytestmark = [pytest.mark.images, pytest.mark.timeout(2400)]

HERE = Path(__file__).resolve().parent
IMAGES = {"db-restore": "restore", "quiz": "quiz", "junior": "junior"}
RUN_FLAGS = [
    "--read-only",
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    "--tmpfs",
    "/tmp:rw,size=256m",
]
QUIZ_PASSWORD, JUNIOR_PASSWORD = uuid.uuid4().hex, uuid.uuid4().hex
BUILD_SECONDS: dict[str, float] = {}


@pytest.fixture(scope="module")
def images() -> Iterator[dict[str, str]]:
    """Private engine + base images + the three Vocabulo images, tagged ``:test``."""
    was_running = docker("info", check=False, timeout=30).returncode == 0
    try:
        engine("base")
    except RuntimeError as exc:
        pytest.fail(str(exc))
    BUILD_SECONDS["python-base"] = build(HERE / "python-base.Dockerfile", PYTHON_BASE, context=HERE)
    BUILD_SECONDS["postgres"] = build(HERE / "postgres.Dockerfile", POSTGRES, context=HERE)
    tags = {}
    for image, requirements in IMAGES.items():
        wheelhouse(requirements)
        tags[image] = f"vocabulo/{image}:{TAG}"
        BUILD_SECONDS[image] = build(
            ROOT / "Dockerfiles" / f"{image}.Dockerfile", tags[image], f"PYTHON_IMAGE={PYTHON_BASE}"
        )
    print("build seconds:", {k: round(v, 1) for k, v in BUILD_SECONDS.items()})
    yield tags
    if not was_running:  # leave the machine as we found it (layers stay cached on disk)
        engine("stop")


@pytest.fixture(scope="module")
def network(images: dict[str, str]) -> Iterator[str]:
    name = f"vocabulo-test-{uuid.uuid4().hex[:8]}"
    docker("network", "create", name)
    yield name
    docker("network", "rm", name, check=False)


@pytest.fixture(scope="module")
def postgres(network: str) -> Iterator[str]:
    """A PostgreSQL 15 container with an empty ``vocabulo`` database; yields its host name."""
    name = f"pg-{uuid.uuid4().hex[:8]}"
    docker("run", "-d", "--name", name, "--network", network, "--tmpfs", "/tmp", POSTGRES)
    try:
        deadline = time.monotonic() + 60
        while docker("exec", name, "pg_isready", "-h", "/tmp", check=False).returncode != 0:
            assert time.monotonic() < deadline, docker("logs", name, check=False).stderr
            time.sleep(1)
        docker("exec", name, "createdb", "-h", "/tmp", "-U", "postgres", "vocabulo")
        yield name
    finally:
        docker("rm", "-f", name, check=False)


def _pg_env(host: str, user: str, password: str = "") -> list[str]:
    pairs = {"PGHOST": host, "PGPORT": "5432", "PGDATABASE": "vocabulo", "PGUSER": user}
    if password:
        pairs["PGPASSWORD"] = password
    return [arg for key, value in pairs.items() for arg in ("-e", f"{key}={value}")]


@pytest.mark.parametrize("image", sorted(IMAGES))
def test_image_runs_as_its_non_root_user_read_only(images: dict[str, str], image: str) -> None:
    result = docker(
        "run",
        "--rm",
        *RUN_FLAGS,
        "--entrypoint",
        "sh",
        images[image],
        "-c",
        "id -u; touch /probe 2>/dev/null && echo writable || echo read-only; touch /tmp/ok && echo tmp-ok",
    )
    uid, root, tmp = result.stdout.split()
    assert int(uid) >= 10000
    assert root == "read-only"
    assert tmp == "tmp-ok"


@pytest.fixture(scope="module")
def restored(images: dict[str, str], network: str, postgres: str) -> str:
    """Run the restore image, with its default (baked) dump, against the Postgres container."""
    baked = docker(
        "run",
        "--rm",
        "--entrypoint",
        "sh",
        images["db-restore"],
        "-c",
        "test -f /opt/vocabulo/data/lsf_app_dump.sql.gz",
        check=False,
    )
    assert baked.returncode == 0, "the restore image lacks the baked seed dump"
    result = docker(
        "run",
        "--rm",
        "--network",
        network,
        *RUN_FLAGS,
        *_pg_env(postgres, "postgres"),
        "-e",
        f"VOCABULO_QUIZ_PASSWORD={QUIZ_PASSWORD}",
        "-e",
        f"VOCABULO_JUNIOR_PASSWORD={JUNIOR_PASSWORD}",
        images["db-restore"],
        "--mode",
        "once",
        check=False,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return "baked"


def _psql(postgres: str, query: str) -> str:
    return docker(
        "exec", postgres, "psql", "-h", "/tmp", "-U", "postgres", "-d", "vocabulo", "-tAc", query
    ).stdout.strip()


def test_restore_image_restores_into_postgres(restored: str, postgres: str) -> None:
    tables = int(_psql(postgres, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
    assert tables >= 10, f"{restored} dump restored only {tables} tables"
    roles = _psql(
        postgres,
        "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles "
        "WHERE rolname LIKE 'vocabulo_%' AND rolcanlogin",
    )
    assert roles == "vocabulo_junior,vocabulo_quiz"


@pytest.mark.parametrize(
    ("api", "user", "password"),
    [
        ("quiz", "vocabulo_quiz", QUIZ_PASSWORD),
        ("junior", "vocabulo_junior", JUNIOR_PASSWORD),
    ],
    ids=["quiz", "junior"],
)
def test_api_container_answers_ready(
    images: dict[str, str],
    network: str,
    postgres: str,
    restored: str,
    api: str,
    user: str,
    password: str,
) -> None:
    name = f"{api}-{uuid.uuid4().hex[:8]}"
    docker(
        "run",
        "-d",
        "--name",
        name,
        "--network",
        network,
        *RUN_FLAGS,
        "-p",
        "127.0.0.1::8000",
        *_pg_env(postgres, user, password),
        "-e",
        f"{api.upper()}_ONNX_THREADS=1",
        images[api],
    )
    try:
        port = docker("port", name, "8000/tcp").stdout.split(":")[-1].strip()
        status, body = wait_for(f"http://127.0.0.1:{port}/ready", timeout=300, container=name)
        logs = docker("logs", "--tail", "40", name, check=False)
        assert (status, body.get("ready")) == (200, True), (
            f"{status} {body}\n{logs.stdout}{logs.stderr}"
        )
        health_status, _ = wait_for(f"http://127.0.0.1:{port}/health", timeout=10)
        assert health_status == 200
    finally:
        docker("rm", "-f", name, check=False)


def test_restore_image_backs_up_the_restored_database(
    images: dict[str, str], network: str, postgres: str, restored: str
) -> None:
    """The backup CronJob's command, in the restore image, non-root on a read-only root."""
    result = docker(
        "run",
        "--rm",
        "--network",
        network,
        *RUN_FLAGS,
        *_pg_env(postgres, "postgres"),
        "--entrypoint",
        "sh",
        images["db-restore"],
        "-c",
        "mkdir /tmp/backups && vocabulo-backup --dir /tmp/backups --keep 1 >/dev/null"
        " && cd /tmp/backups && sha256sum -c ./*.sha256 && ls",
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert ": OK" in result.stdout
    assert re.search(r"vocabulo-\d{8}T\d{6}Z\.dump", result.stdout)
