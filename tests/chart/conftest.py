"""Fixtures of the offline chart tests: pinned tools installed on first use, cached renderings."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

# tests/ is not a package (and site-packages holds a stray "tests"): import the helper by path.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from chart_render import VARIANTS, documents, ensure_tool, template, values_file


@pytest.fixture(scope="session")
def tools() -> dict[str, str]:
    """helm, nca and checkov, installed in parallel on first use (about 1.5 min on a fresh clone)."""
    names = ("helm", "nca", "checkov")
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        futures = {name: pool.submit(ensure_tool, name) for name in names}
    found, errors = {}, []
    for name, future in futures.items():
        try:
            found[name] = future.result()
        except RuntimeError as exc:
            errors.append(str(exc))
    if errors:  # never skip: CI must prove the chart
        pytest.fail("\n".join(errors))
    return found


@pytest.fixture(scope="session")
def helm_bin(tools: dict[str, str]) -> str:
    """helm 4.1.4 from .tools/bin (scripts/tools/install_helm.sh)."""
    return tools["helm"]


@pytest.fixture(scope="session")
def nca_bin(tools: dict[str, str]) -> str:
    """network-config-analyzer 2.1.0 in its own venv .tools/nca."""
    return tools["nca"]


@pytest.fixture(scope="session")
def checkov_bin(tools: dict[str, str]) -> str:
    """checkov 3.3.30 in its own venv .tools/checkov (needs helm on PATH)."""
    return tools["checkov"]


@pytest.fixture(scope="session")
def variant_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One values file per documented variant."""
    tmp = tmp_path_factory.mktemp("values")
    return {name: values_file(tmp, name, values) for name, values in VARIANTS.items()}


@pytest.fixture(scope="session")
def rendered(helm_bin: str, variant_files: dict[str, Path]) -> dict[str, str]:
    """``helm template`` output of every variant (rendered once per session)."""
    return {name: template(helm_bin, path) for name, path in variant_files.items()}


@pytest.fixture(scope="session")
def docs(rendered: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Parsed documents of every variant."""
    return {name: documents(text) for name, text in rendered.items()}
