"""Fixtures of the operations tests: the chart rendered with backups and monitoring on, promtool."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
# tests/ is not a package and pytest runs with --import-mode=importlib: import helpers by path.
sys.path[:0] = [str(HERE), str(HERE.parent / "chart")]
from chart_render import ensure_tool  # noqa: E402
from ops_render import OPS_VALUES, render  # noqa: E402


@pytest.fixture(scope="session")
def helm_bin() -> str:
    """helm from .tools/bin, installed on first use (scripts/tools/install_helm.sh)."""
    return ensure_tool("helm")


@pytest.fixture(scope="session")
def ops_docs(helm_bin: str, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The chart rendered with backups and monitoring on."""
    return render(helm_bin, tmp_path_factory.mktemp("ops"), OPS_VALUES)


@pytest.fixture(scope="session")
def promtool() -> str:
    """promtool from Debian's prometheus package; installed if missing. Fails, never skips."""
    result = subprocess.run(
        ["bash", str(HERE / "install_promtool.sh")], capture_output=True, text=True, timeout=600
    )
    found = shutil.which("promtool")
    if result.returncode != 0 or not found:
        pytest.fail(f"promtool unavailable (tests/ops/install_promtool.sh): {result.stderr}")
    return found
