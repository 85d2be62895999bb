"""Connection budget (issue 15 item 7): the most connections the release can open, computed from
values, sizes PostgreSQL's max_connections or refuses to render (docs/chart.md)."""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml
from chart_render import CHART, documents, helm, template

from apps.common.db import make_engine
from apps.junior.settings import JuniorSettings
from apps.quiz.settings import QuizSettings

RESERVED, ROLES, RESTORE, BACKUP = 3, 1, 2, 2


def budget(values: dict[str, Any]) -> int:
    """docs/chart.md's formula, written independently of the chart's template."""
    total = RESERVED + ROLES
    for api in ("quiz", "junior"):
        v = values[api]
        if not v["enabled"]:
            continue
        pods = v["autoscaling"]["maxReplicas"] if v["autoscaling"]["enabled"] else v["replicaCount"]
        pods += math.ceil(pods * 0.25)  # rolling update surge
        per_pod = 2 * v["database"]["poolSize"] + v["database"].get("readPoolSize", 0)
        total += pods * per_pod
    total += RESTORE if values["restore"]["enabled"] else 0
    total += BACKUP if values["backup"]["enabled"] else 0
    total += values["pgadmin"]["databaseConnections"] if values["pgadmin"]["enabled"] else 0
    return total


def merged(overrides: dict[str, Any]) -> dict[str, Any]:
    values = yaml.safe_load((CHART / "values.yaml").read_text())

    def merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
        for key, value in extra.items():
            if isinstance(value, dict) and isinstance(base.get(key), dict):
                merge(base[key], value)
            else:
                base[key] = value

    merge(values, overrides)
    return values


def max_connections(docs: list[dict[str, Any]]) -> int:
    (sts,) = [d for d in docs if d["kind"] == "StatefulSet"]
    (pg,) = sts["spec"]["template"]["spec"]["containers"]
    assert pg["args"][0] == "-c"
    key, _, value = pg["args"][1].partition("=")
    assert key == "max_connections"
    return int(value)


SCALED = {
    "quiz": {"autoscaling": {"enabled": True, "maxReplicas": 4}},
    "junior": {"autoscaling": {"enabled": True, "maxReplicas": 4}},
}


@pytest.mark.parametrize(
    ("overrides", "expected_budget"),
    [
        ({}, 67),  # 2 quiz pods × 18 + 2 junior pods × 10 + 3 + 1 + 2 + 5
        (SCALED, 151),  # 5 × 18 + 5 × 10 + 11: the 112 of issue 15 plus surge and operations
        # quiz not autoscaled here: 2 × (10 + 20) + 5 × 10 + 3 + 1 + 2 + 2 (backup) + 5
        ({**SCALED, "backup": {"enabled": True}, "quiz": {"database": {"readPoolSize": 20}}}, 123),
    ],
)
def test_max_connections_covers_the_budget(
    helm_bin: str, tmp_path: Any, overrides: dict[str, Any], expected_budget: int
) -> None:
    values = merged(overrides)
    assert budget(values) == expected_budget
    path = tmp_path / "values.yaml"
    path.write_text(yaml.safe_dump(overrides))
    docs = documents(template(helm_bin, path))
    assert max_connections(docs) == max(100, expected_budget)


def test_pool_values_are_what_the_services_open() -> None:
    """The chart's per-pod figures are the services' real pools: pool + equal overflow, and the
    quiz read pool; the chart's defaults equal the settings' defaults."""
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    url = "postgresql://x@127.0.0.1:1/db"
    quiz = QuizSettings(database_url=url)
    junior = JuniorSettings(database_url=url)
    assert values["quiz"]["database"] == {
        "poolSize": quiz.db_pool_size,
        "readPoolSize": quiz.read_pool_size,
    }
    assert values["junior"]["database"] == {"poolSize": junior.db_pool_size}
    engine = make_engine(quiz, "budget-test")
    assert engine.pool.size() + engine.pool._max_overflow == 2 * quiz.db_pool_size  # type: ignore[attr-defined]
    engine.dispose()


def test_pool_env_reaches_the_settings(helm_bin: str, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = documents(
        template(
            helm_bin,
            None,
            "--set",
            "quiz.database.poolSize=7",
            "--set",
            "quiz.database.readPoolSize=3",
            "--set",
            "junior.database.poolSize=2",
        )
    )
    envs = {}
    for d in docs:
        if d["kind"] == "Deployment" and d["metadata"]["name"] in (
            "vocabulo-quiz",
            "vocabulo-junior",
        ):
            (c,) = d["spec"]["template"]["spec"]["containers"]
            envs[d["metadata"]["name"]] = {e["name"]: e.get("value") for e in c["env"]}
    for name in ("QUIZ_DB_POOL_SIZE", "QUIZ_READ_POOL_SIZE"):
        monkeypatch.setenv(name, envs["vocabulo-quiz"][name])
    monkeypatch.setenv("JUNIOR_DB_POOL_SIZE", envs["vocabulo-junior"]["JUNIOR_DB_POOL_SIZE"])
    url = "postgresql://x@127.0.0.1:1/db"
    quiz = QuizSettings(database_url=url)
    assert (quiz.db_pool_size, quiz.read_pool_size) == (7, 3)
    assert JuniorSettings(database_url=url).db_pool_size == 2


def test_too_small_limits_are_refused(helm_bin: str) -> None:
    low = helm(helm_bin, "template", "x", str(CHART), "--set", "postgresql.maxConnections=50")
    assert low.returncode != 0
    assert (
        "postgresql.maxConnections=50 is below the release's connection budget of 67" in low.stderr
    )
    ok = template(helm_bin, None, "--set", "postgresql.maxConnections=80")
    assert max_connections(documents(ok)) == 80
    external = helm(
        helm_bin,
        "template",
        "x",
        str(CHART),
        "--set",
        "postgresql.enabled=false",
        "--set",
        "externalDatabase.host=db.example",
        "--set",
        "auth.existingSecret=db",
        "--set",
        "externalDatabase.maxConnections=60",
    )
    assert external.returncode != 0
    assert (
        "externalDatabase.maxConnections=60 is below the release's connection budget"
        in external.stderr
    )
