"""promtool unit tests of the alerts: synthetic series for release "vocabulo" in namespace "vocabulo".

Each case is one promtool test group: its series, then for every alert the set of label maps
expected to be firing at each evaluation time (an empty list = must not fire).
"""

from __future__ import annotations

from typing import Any

NS = 'namespace="vocabulo"'
HTTP = "vocabulo_http_request_duration_seconds"
ALERTS = (
    "VocabuloApiNotReady",
    "VocabuloApiDegraded",
    "VocabuloApiHighErrorRatio",
    "VocabuloApiSlow",
    "VocabuloRestoreJobFailed",
    "VocabuloBackupMissing",
    "VocabuloPostgresDown",
)


def deployment(name: str, available: str, spec: str) -> list[dict[str, str]]:
    """kube-state-metrics series of one Deployment."""
    sel = f'{NS}, deployment="vocabulo-{name}"'
    return [
        {"series": f"kube_deployment_status_replicas_available{{{sel}}}", "values": available},
        {"series": f"kube_deployment_spec_replicas{{{sel}}}", "values": spec},
    ]


def requests(service: str, route: str, status: str, per_minute: int) -> dict[str, str]:
    """A request counter growing by ``per_minute`` each minute."""
    labels = f'{NS}, service="{service}", route="{route}", method="POST", status="{status}"'
    return {"series": f"{HTTP}_count{{{labels}}}", "values": f"0+{per_minute}x30"}


def histogram(service: str, route: str, per_bucket: dict[str, int]) -> list[dict[str, str]]:
    """Cumulative latency buckets, each growing by its count per minute."""
    labels = f'{NS}, service="{service}", route="{route}", method="POST", status="200"'
    return [
        {"series": f'{HTTP}_bucket{{{labels}, le="{le}"}}', "values": f"0+{n}x30"}
        for le, n in per_bucket.items()
    ]


def healthy_release() -> list[dict[str, str]]:
    """Everything fine: ready pods, few errors, fast answers, recent backup, database up."""
    return [
        *deployment("quiz", "2x30", "2x30"),
        *deployment("junior", "1x30", "1x30"),
        requests("quiz", "/get_recommendations", "200", 600),
        requests("quiz", "/get_recommendations", "503", 6),  # 1 %
        *histogram("quiz", "/get_recommendations", {"0.025": 90, "0.05": 100, "+Inf": 100}),
        *histogram("junior", "/process-image/", {"1": 60, "2": 100, "5": 100, "+Inf": 100}),
        # A slow /ready must not count as API latency.
        *histogram("junior", "/ready", {"1": 0, "2": 0, "5": 0, "+Inf": 500}),
        {
            "series": f'kube_job_failed{{{NS}, job_name="vocabulo-db-restore-ed005293-62ecf", condition="false"}}',
            "values": "1x30",
        },
        {
            "series": f'kube_job_failed{{{NS}, job_name="vocabulo-db-restore-ed005293-62ecf", condition="true"}}',
            "values": "0x30",
        },
        {
            "series": f'kube_statefulset_status_replicas_ready{{{NS}, statefulset="vocabulo-postgresql"}}',
            "values": "1x30",
        },
        {
            "series": f'kube_cronjob_created{{{NS}, cronjob="vocabulo-backup"}}',
            "values": "0x30",
        },
        {
            # a success every minute (time() counts from 0 in promtool)
            "series": f'kube_cronjob_status_last_successful_time{{{NS}, cronjob="vocabulo-backup"}}',
            "values": "0+60x30",
        },
    ]


def _firing(**labels: str) -> list[dict[str, str]]:
    return [labels]


def cases(quiz_p95: float = 0.05) -> list[dict[str, Any]]:
    """The scenarios; ``quiz_p95`` is the threshold the rule file under test was rendered with."""
    slow_quiz = quiz_p95 < 0.0975  # p95 of the slow series below is 0.0975 s
    return [
        {
            "name": "healthy release: nothing fires",
            "interval": "1m",
            "series": healthy_release(),
            "expect": {f"{t}m": {a: [] for a in ALERTS} for t in (6, 16, 25)},
        },
        {
            "name": "an API without ready pods, another short of replicas, one scaled to zero",
            "interval": "1m",
            "series": [
                *deployment("quiz", "0x30", "1x30"),
                *deployment("junior", "1x30", "2x30"),
                {
                    "series": f'kube_deployment_status_replicas_available{{{NS}, deployment="other-quiz"}}',
                    "values": "0x30",
                },
            ],
            "expect": {
                "4m": {"VocabuloApiNotReady": [], "VocabuloApiDegraded": []},
                "6m": {
                    "VocabuloApiNotReady": _firing(
                        severity="critical", namespace="vocabulo", deployment="vocabulo-quiz"
                    ),
                    "VocabuloApiDegraded": [],
                },
                "16m": {
                    "VocabuloApiNotReady": _firing(
                        severity="critical", namespace="vocabulo", deployment="vocabulo-quiz"
                    ),
                    "VocabuloApiDegraded": [
                        {"severity": "warning", "namespace": "vocabulo", "deployment": d}
                        for d in ("vocabulo-junior", "vocabulo-quiz")
                    ],
                },
            },
        },
        {
            "name": "scaled to zero on purpose: no page",
            "interval": "1m",
            "series": [*deployment("quiz", "0x30", "0x30")],
            "expect": {"10m": {"VocabuloApiNotReady": [], "VocabuloApiDegraded": []}},
        },
        {
            "name": "quiz answers 10 % 5xx (fires after 5 min), junior 4 % + failing probes (never)",
            "interval": "1m",
            "series": [
                requests("quiz", "/get_recommendations", "200", 90),
                requests("quiz", "/get_recommendations", "503", 10),
                requests("junior", "/process-image/", "200", 96),
                requests("junior", "/process-image/", "500", 4),
                # An unready pod's /ready answers 503 to every probe: readiness, not API errors.
                requests("junior", "/ready", "503", 50),
            ],
            "expect": {
                "4m": {"VocabuloApiHighErrorRatio": []},
                "8m": {
                    "VocabuloApiHighErrorRatio": _firing(
                        severity="critical", namespace="vocabulo", service="quiz"
                    )
                },
            },
        },
        {
            "name": "quiz p95 0.0975 s vs its threshold; junior p95 1.9 s under 5 s despite slow /ready",
            "interval": "1m",
            "series": [
                *histogram("quiz", "/get_recommendations", {"0.05": 0, "0.1": 100, "+Inf": 100}),
                *histogram("junior", "/process-image/", {"1": 60, "2": 100, "5": 100, "+Inf": 100}),
                *histogram("junior", "/ready", {"1": 0, "2": 0, "5": 0, "+Inf": 500}),
            ],
            "expect": {
                "8m": {"VocabuloApiSlow": []},
                "15m": {
                    "VocabuloApiSlow": _firing(
                        severity="warning", namespace="vocabulo", service="quiz"
                    )
                    if slow_quiz
                    else []
                },
            },
        },
        {
            "name": "the restore Job failed",
            "interval": "1m",
            "series": [
                {
                    "series": f'kube_job_failed{{{NS}, job_name="vocabulo-db-restore-ed005293-62ecf", condition="true"}}',
                    "values": "0 0 1x10",
                },
                {
                    "series": f'kube_job_failed{{{NS}, job_name="other-db-restore-ed005293-62ecf", condition="true"}}',
                    "values": "1x10",
                },
            ],
            "expect": {
                "1m": {"VocabuloRestoreJobFailed": []},
                "3m": {
                    "VocabuloRestoreJobFailed": _firing(
                        severity="critical",
                        namespace="vocabulo",
                        job_name="vocabulo-db-restore-ed005293-62ecf",
                    )
                },
            },
        },
        {
            "name": "last successful backup at t=0: fine at 25 h, missing at 27 h",
            "interval": "1h",
            "series": [
                {
                    "series": f'kube_cronjob_created{{{NS}, cronjob="vocabulo-backup"}}',
                    "values": "0x30",
                },
                {
                    "series": f'kube_cronjob_status_last_successful_time{{{NS}, cronjob="vocabulo-backup"}}',
                    "values": "0x30",
                },
            ],
            "expect": {
                "25h": {"VocabuloBackupMissing": []},
                "27h": {
                    "VocabuloBackupMissing": _firing(
                        severity="critical", namespace="vocabulo", cronjob="vocabulo-backup"
                    )
                },
            },
        },
        {
            "name": "a CronJob that never succeeded: missing once it is 26 h old",
            "interval": "1h",
            "series": [
                {
                    "series": f'kube_cronjob_created{{{NS}, cronjob="vocabulo-backup"}}',
                    "values": "0x30",
                },
            ],
            "expect": {
                "25h": {"VocabuloBackupMissing": []},
                "27h": {
                    "VocabuloBackupMissing": _firing(
                        severity="critical", namespace="vocabulo", cronjob="vocabulo-backup"
                    )
                },
            },
        },
        {
            "name": "PostgreSQL loses its ready pod at 2 min",
            "interval": "1m",
            "series": [
                {
                    "series": f'kube_statefulset_status_replicas_ready{{{NS}, statefulset="vocabulo-postgresql"}}',
                    "values": "1 1 0x20",
                },
            ],
            "expect": {
                "3m": {"VocabuloPostgresDown": []},
                "5m": {
                    "VocabuloPostgresDown": _firing(
                        severity="critical", namespace="vocabulo", statefulset="vocabulo-postgresql"
                    )
                },
            },
        },
    ]


def promtool_tests(rule_file: str, quiz_p95: float = 0.05) -> dict[str, Any]:
    """The cases as a ``promtool test rules`` file for ``rule_file``."""
    tests = []
    for case in cases(quiz_p95):
        tests.append(
            {
                "name": case["name"],
                "interval": case["interval"],
                "input_series": case["series"],
                "alert_rule_test": [
                    {
                        "eval_time": at,
                        "alertname": alert,
                        "exp_alerts": [{"exp_labels": labels} for labels in firing],
                    }
                    for at, by_alert in case["expect"].items()
                    for alert, firing in by_alert.items()
                ],
            }
        )
    return {"rule_files": [rule_file], "evaluation_interval": "1m", "tests": tests}
