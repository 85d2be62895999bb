"""Rendering helpers of the operations tests (imported by path: tests/ is not a package)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "chart"))
from chart_render import documents, template, values_file

# Every day-2 feature on: what tests/ops renders and checks.
OPS_VALUES: dict[str, Any] = {
    "backup": {
        "enabled": True,
        "schedule": "30 1 * * *",
        "keep": 5,
        "persistence": {"storageClass": "standard", "size": "3Gi"},
    },
    "monitoring": {"enabled": True},
}


def render(helm_bin: str, tmp: Path, values: dict[str, Any], *extra: str) -> list[dict[str, Any]]:
    """Documents of ``helm template`` with ``values`` (and extra helm flags)."""
    return documents(template(helm_bin, values_file(tmp, "ops", values), *extra))


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """Objects of one kind, by name."""
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}
