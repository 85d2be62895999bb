"""tests/e2e run only with `make e2e` (pytest -m e2e) against a live kind release; never in make test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect this directory's tests unless the marker expression names ``e2e``."""
    if "e2e" in (config.getoption("markexpr") or ""):
        return
    mine = [item for item in items if HERE in Path(str(item.path)).parents]
    if mine:
        config.hook.pytest_deselected(items=mine)
        items[:] = [item for item in items if item not in mine]


@pytest.fixture(scope="session")
def kube() -> Iterator[object]:
    """A kubernetes ApiClient for KUBE_CONTEXT (default kind-vocabulo); skip when unreachable."""
    try:
        from kubernetes import client, config
    except ImportError:
        pytest.skip("the kubernetes Python client is not installed (make venv)")
    context = os.environ.get("KUBE_CONTEXT", "kind-vocabulo")
    try:
        config.load_kube_config(context=context)
        api = client.ApiClient()
        client.VersionApi(api).get_code(_request_timeout=5)
    except Exception as exc:  # no kubeconfig, no such context, or the server does not answer
        pytest.skip(
            f"no Kubernetes cluster reachable with context {context!r} ({exc.__class__.__name__}: "
            f"{str(exc)[:120]}); run `make up` first"
        )
    yield api
    api.close()
