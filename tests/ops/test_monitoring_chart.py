"""ServiceMonitor, PrometheusRule and Grafana dashboard: rendered only when asked, structurally valid."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from crd_schemas import SCHEMAS
from ops_render import by_kind, render

REQUIRED_ALERTS = {
    "VocabuloApiNotReady",
    "VocabuloApiHighErrorRatio",
    "VocabuloApiSlow",
    "VocabuloRestoreJobFailed",
    "VocabuloBackupMissing",
    "VocabuloPostgresDown",
}
DASHBOARD = (
    Path(__file__).resolve().parents[2] / "charts/vocabulo/files/grafana/vocabulo-dashboard.json"
)


def alerts(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every alerting rule of the rendered PrometheusRule(s)."""
    return [
        rule
        for doc in by_kind(docs, "PrometheusRule").values()
        for group in doc["spec"]["groups"]
        for rule in group["rules"]
        if "alert" in rule
    ]


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_crds_are_structurally_valid(ops_docs: list[dict[str, Any]], kind: str) -> None:
    (obj,) = by_kind(ops_docs, kind).values()
    jsonschema.validate(obj, SCHEMAS[kind])


def test_schema_check_is_not_vacuous(ops_docs: list[dict[str, Any]]) -> None:
    (monitor,) = by_kind(ops_docs, "ServiceMonitor").values()
    bad = json.loads(json.dumps(monitor))
    bad["spec"]["endpoints"][0]["interval"] = "30 seconds"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMAS["ServiceMonitor"])
    (rule,) = by_kind(ops_docs, "PrometheusRule").values()
    bad = json.loads(json.dumps(rule))
    bad["spec"]["groups"][0]["rules"][0]["expresion"] = "up"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMAS["PrometheusRule"])


def test_service_monitor_selects_exactly_the_api_services(ops_docs: list[dict[str, Any]]) -> None:
    (monitor,) = by_kind(ops_docs, "ServiceMonitor").values()
    selector = monitor["spec"]["selector"]
    (expr,) = selector["matchExpressions"]

    def selected(labels: dict[str, str]) -> bool:
        return all(labels.get(k) == v for k, v in selector["matchLabels"].items()) and (
            labels.get(expr["key"]) in expr["values"]
        )

    services = by_kind(ops_docs, "Service")
    chosen = {name for name, svc in services.items() if selected(svc["metadata"]["labels"])}
    assert chosen == {"vocabulo-quiz", "vocabulo-junior"}
    port_names = {p["name"] for name in chosen for p in services[name]["spec"]["ports"]}
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["port"] in port_names
    assert endpoint["path"] == "/metrics"
    assert endpoint["honorLabels"] is True  # keeps the metrics' own service="quiz|junior" label
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": ["vocabulo"]}


def test_every_issue_alert_is_present(ops_docs: list[dict[str, Any]]) -> None:
    rules = alerts(ops_docs)
    assert {r["alert"] for r in rules} >= REQUIRED_ALERTS
    for rule in rules:
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
        assert rule["annotations"]["summary"]
        assert rule["annotations"]["description"]
    slow = {
        r["expr"].split('service="')[1].split('"')[0]
        for r in rules
        if r["alert"] == "VocabuloApiSlow"
    }
    assert slow == {"quiz", "junior"}


def test_alerts_follow_the_release(helm_bin: str, tmp_path: Path) -> None:
    """Disabled parts have no alert; thresholds and the backup age come from values."""
    docs = render(
        helm_bin,
        tmp_path,
        {
            "monitoring": {
                "enabled": True,
                "alerts": {
                    "latencyP95Seconds": {"quiz": 0.2, "junior": 8},
                    "errorRatio": 0.1,
                    "backupMaxAgeHours": 50,
                },
            },
            "backup": {"enabled": False},
            "postgresql": {"enabled": False},
            "externalDatabase": {"host": "db.example.internal"},
            "auth": {"existingSecret": "vocabulo-db"},
            "junior": {"enabled": False},
        },
    )
    rules = {r["alert"]: r for r in alerts(docs)}
    assert "VocabuloBackupMissing" not in rules
    assert "VocabuloPostgresDown" not in rules
    assert rules["VocabuloApiSlow"]["expr"].rstrip().endswith("> 0.2")
    assert 'service="quiz"' in rules["VocabuloApiSlow"]["expr"]
    assert rules["VocabuloApiHighErrorRatio"]["expr"].rstrip().endswith("> 0.1")
    assert 'deployment=~"vocabulo-(quiz)"' in rules["VocabuloApiNotReady"]["expr"]
    with_backup = render(
        helm_bin,
        tmp_path,
        {
            "monitoring": {"enabled": True, "alerts": {"backupMaxAgeHours": 50}},
            "backup": {"enabled": True},
        },
    )
    (backup,) = [r for r in alerts(with_backup) if r["alert"] == "VocabuloBackupMissing"]
    assert f"> {50 * 3600}" in backup["expr"]


def test_monitoring_objects_only_when_enabled(helm_bin: str, tmp_path: Path) -> None:
    off = render(helm_bin, tmp_path, {})
    assert not {d["kind"] for d in off} & {"ServiceMonitor", "PrometheusRule"}
    assert not [d for d in off if "grafana_dashboard" in d["metadata"]["labels"]]
    parts = render(
        helm_bin,
        tmp_path,
        {
            "monitoring": {
                "enabled": True,
                "serviceMonitor": {"enabled": False},
                "dashboard": {"enabled": False},
            }
        },
    )
    assert {d["kind"] for d in parts} >= {"PrometheusRule"}
    assert not by_kind(parts, "ServiceMonitor")
    assert not [d for d in parts if "grafana_dashboard" in d["metadata"]["labels"]]


def test_dashboard_configmap_carries_the_file(ops_docs: list[dict[str, Any]]) -> None:
    (cm,) = [
        d
        for d in ops_docs
        if d["kind"] == "ConfigMap" and "grafana_dashboard" in d["metadata"]["labels"]
    ]
    assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
    ((key, text),) = cm["data"].items()
    assert key.endswith(".json")
    assert json.loads(text) == json.loads(DASHBOARD.read_text())


def _dashboard_exprs() -> list[str]:
    board = json.loads(DASHBOARD.read_text())
    return [t["expr"] for p in board["panels"] for t in p["targets"]]


def test_dashboard_queries_parse_with_promtool(promtool: str, tmp_path: Path) -> None:
    """Every panel query, with Grafana's variables filled in, is valid PromQL (promtool)."""
    exprs = _dashboard_exprs()
    assert len(exprs) >= 10
    assert any("vocabulo_http_request_duration_seconds_bucket" in e for e in exprs)
    filled = [e.replace("$namespace", "vocabulo").replace("$service", "quiz|junior") for e in exprs]
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"vocabulo:dashboard_panel_{i}", "expr": e}
                    for i, e in enumerate(filled)
                ],
            }
        ]
    }
    path = tmp_path / "dashboard-rules.yaml"
    path.write_text(yaml.safe_dump(rules))
    result = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
