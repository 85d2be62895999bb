"""Property-based run of schemathesis over the Junior API's OpenAPI schema: no server error."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from schemathesis import GenerationMode

EXAMPLES_PER_OPERATION = 30
BUDGET_S = 60.0


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
def test_no_server_error_on_any_operation(
    client: TestClient, mode: GenerationMode, fuzz_no_server_error: Callable[..., set[str]]
) -> None:
    """Every documented operation, with schema-valid and schema-violating inputs, never a 5xx."""
    started = time.monotonic()
    # /ready: 503 is its documented "not ready" answer; tested in test_api/test_db_faults
    exercised = fuzz_no_server_error(
        client.app, mode, EXAMPLES_PER_OPERATION, skip=frozenset({"/ready"})
    )
    assert exercised >= {"/process-image/", "/v1/process-text"}
    assert time.monotonic() - started < BUDGET_S
