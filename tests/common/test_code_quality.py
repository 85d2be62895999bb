"""The code stays ruff-clean, formatted and type-checked: the same commands as `make lint`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_check_and_format() -> None:
    check = run(str(BIN / "ruff"), "check", ".")
    assert check.returncode == 0, check.stdout[-4000:]
    fmt = run(str(BIN / "ruff"), "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout[-4000:]


@pytest.mark.slow
@pytest.mark.parametrize(
    "targets",
    [
        ("apps", "jobs/db-restore/db_restore", "scripts"),
        ("--explicit-package-bases", "data/build", "bench"),
    ],
    ids=["services", "builders"],
)
def test_mypy(targets: tuple[str, ...]) -> None:
    result = run(str(BIN / "mypy"), *targets)
    assert result.returncode == 0, result.stdout[-4000:]
