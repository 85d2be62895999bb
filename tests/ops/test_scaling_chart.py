"""Scaling and shutdown settings of the APIs, restore from the backup PVC, and the values schema."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from ops_render import by_kind, render

CHART = Path(__file__).resolve().parents[2] / "charts" / "vocabulo"


def api_pod(docs: list[dict[str, Any]], api: str) -> dict[str, Any]:
    return by_kind(docs, "Deployment")[f"vocabulo-{api}"]["spec"]["template"]


def shutdown_budget(pod: dict[str, Any]) -> tuple[int, int, int]:
    """(preStop sleep, uvicorn drain, grace period) of an API pod."""
    (container,) = pod["spec"]["containers"]
    command = container["command"]
    drain = int(command[command.index("--timeout-graceful-shutdown") + 1])
    pre_stop = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command")
    sleep = int(pre_stop[1]) if pre_stop else 0
    return sleep, drain, pod["spec"]["terminationGracePeriodSeconds"]


@pytest.mark.parametrize("api", ["quiz", "junior"])
def test_default_spread_and_shutdown(helm_bin: str, tmp_path: Path, api: str) -> None:
    pod = api_pod(render(helm_bin, tmp_path, {}), api)
    (spread,) = pod["spec"]["topologySpreadConstraints"]
    assert spread["topologyKey"] == "kubernetes.io/hostname"
    assert spread["whenUnsatisfiable"] == "ScheduleAnyway"
    selector = spread["labelSelector"]["matchLabels"]
    assert selector.items() <= pod["metadata"]["labels"].items()
    assert selector["app.kubernetes.io/component"] == api
    assert shutdown_budget(pod) == (5, 20, 30)


def test_shutdown_budget_follows_the_grace_period(helm_bin: str, tmp_path: Path) -> None:
    values = {"quiz": {"terminationGracePeriodSeconds": 60, "preStopSleepSeconds": 10}}
    sleep, drain, grace = shutdown_budget(api_pod(render(helm_bin, tmp_path, values), "quiz"))
    assert (sleep, drain, grace) == (10, 45, 60)
    assert sleep + drain + 5 <= grace
    no_hook = {"junior": {"preStopSleepSeconds": 0}}
    pod = api_pod(render(helm_bin, tmp_path, no_hook), "junior")
    assert "lifecycle" not in pod["spec"]["containers"][0]
    assert shutdown_budget(pod) == (0, 25, 30)


def test_too_short_grace_period_is_refused(helm_bin: str) -> None:
    result = subprocess.run(
        [helm_bin, "template", "x", str(CHART), "--set", "quiz.terminationGracePeriodSeconds=8"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "quiz.terminationGracePeriodSeconds must exceed" in result.stderr


def test_raw_constraints_replace_the_default_spread(helm_bin: str, tmp_path: Path) -> None:
    zone = {
        "maxSkew": 2,
        "topologyKey": "topology.kubernetes.io/zone",
        "whenUnsatisfiable": "DoNotSchedule",
        "labelSelector": {"matchLabels": {"app.kubernetes.io/component": "quiz"}},
    }
    docs = render(helm_bin, tmp_path, {"quiz": {"topologySpreadConstraints": [zone]}})
    assert api_pod(docs, "quiz")["spec"]["topologySpreadConstraints"] == [zone]
    off = render(helm_bin, tmp_path, {"junior": {"topologySpread": {"enabled": False}}})
    assert "topologySpreadConstraints" not in api_pod(off, "junior")["spec"]


@pytest.mark.parametrize(("claim", "expected"), [("", "vocabulo-backup"), ("nas", "nas")])
def test_restore_source_backup_reads_the_backup_pvc(
    helm_bin: str, tmp_path: Path, claim: str, expected: str
) -> None:
    values = {
        "backup": {"enabled": True, "persistence": {"existingClaim": claim}},
        "restore": {"mode": "replace", "dump": {"source": "backup", "path": "x.dump"}},
    }
    (job,) = [
        j
        for j in by_kind(render(helm_bin, tmp_path, values), "Job").values()
        if j["metadata"]["labels"]["app.kubernetes.io/component"] == "db-restore"
    ]
    spec = job["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    assert container["args"] == ["--mode", "replace", "--dump", "/dump/x.dump"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["dump"]["persistentVolumeClaim"] == {"claimName": expected, "readOnly": True}


@pytest.mark.parametrize(
    ("setting", "where"),
    [
        ("backup.keep=0", "/backup/keep"),
        ("backup.schedule=daily", "/backup/schedule"),
        ("backup.persistence.size=lots", "/backup/persistence/size"),
        ("backup.enabeld=true", "backup"),
        ("monitoring.alerts.errorRatio=2", "/monitoring/alerts/errorRatio"),
        (
            "monitoring.alerts.latencyP95Seconds.quiz=fast",
            "/monitoring/alerts/latencyP95Seconds/quiz",
        ),
        ("monitoring.serviceMonitor.interval=often", "/monitoring/serviceMonitor/interval"),
        ("quiz.topologySpread.whenUnsatisfiable=Maybe", "/quiz/topologySpread/whenUnsatisfiable"),
        ("junior.preStopSleepSeconds=-1", "/junior/preStopSleepSeconds"),
    ],
)
def test_schema_rejects_wrong_day2_values(helm_bin: str, setting: str, where: str) -> None:
    result = subprocess.run(
        [helm_bin, "template", "x", str(CHART), "--set", setting],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0, f"{setting} was accepted"
    assert "schema" in result.stderr
    assert where in result.stderr, result.stderr
