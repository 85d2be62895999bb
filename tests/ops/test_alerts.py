"""The PrometheusRule's alerts, checked by promtool: syntax (check rules) and behaviour (test rules)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from alert_cases import ALERTS, promtool_tests
from ops_render import OPS_VALUES, by_kind, render


def rule_file(docs: list[dict[str, Any]], path: Path, *, annotations: bool = True) -> Path:
    """Write the PrometheusRule's groups as a Prometheus rule file."""
    (rule,) = by_kind(docs, "PrometheusRule").values()
    groups = rule["spec"]["groups"]
    if not annotations:  # promtool compares annotations too; the cases assert labels only
        groups = [
            {**g, "rules": [{k: v for k, v in r.items() if k != "annotations"} for r in g["rules"]]}
            for g in groups
        ]
    path.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    return path


def promtool_run(promtool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool, *args], capture_output=True, text=True, timeout=60)


def test_promtool_check_rules(
    promtool: str, ops_docs: list[dict[str, Any]], tmp_path: Path
) -> None:
    path = rule_file(ops_docs, tmp_path / "rules.yaml")
    result = promtool_run(promtool, "check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(ALERTS) + 1} rules found" in result.stdout  # VocabuloApiSlow is per API


def test_promtool_check_rules_catches_a_bad_expression(promtool: str, tmp_path: Path) -> None:
    bad = {"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "sum by (x (up)"}]}]}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad))
    assert promtool_run(promtool, "check", "rules", str(path)).returncode != 0


@pytest.mark.parametrize("quiz_p95", [0.05, 0.5])
def test_alerts_fire_when_they_should_and_not_otherwise(
    promtool: str, helm_bin: str, tmp_path: Path, quiz_p95: float
) -> None:
    values = {
        **OPS_VALUES,
        "monitoring": {"enabled": True, "alerts": {"latencyP95Seconds": {"quiz": quiz_p95}}},
    }
    rules = rule_file(
        render(helm_bin, tmp_path, values), tmp_path / "rules.yaml", annotations=False
    )
    tests = tmp_path / "tests.yaml"
    tests.write_text(yaml.safe_dump(promtool_tests(rules.name, quiz_p95), sort_keys=False))
    result = subprocess.run(
        [promtool, "test", "rules", tests.name],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_promtool_test_rules_sees_a_wrong_expectation(
    promtool: str, ops_docs: list[dict[str, Any]], tmp_path: Path
) -> None:
    """Guard against a vacuous pass: a firing alert that the test says is silent must fail."""
    rule_file(ops_docs, tmp_path / "rules.yaml", annotations=False)
    tests = promtool_tests("rules.yaml")
    postgres = next(t for t in tests["tests"] if t["name"].startswith("PostgreSQL"))
    tests["tests"] = [postgres]
    for check in postgres["alert_rule_test"]:
        check["exp_alerts"] = []
    (tmp_path / "tests.yaml").write_text(yaml.safe_dump(tests))
    result = promtool_run(promtool, "test", "rules", str(tmp_path / "tests.yaml"))
    assert result.returncode != 0
    assert "VocabuloPostgresDown" in result.stdout + result.stderr
