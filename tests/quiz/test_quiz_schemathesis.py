"""Property-based run of schemathesis over the Quiz API's OpenAPI schema: no server error."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from schemathesis import GenerationMode

EXAMPLES_PER_OPERATION = 40


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
def test_no_server_error_on_any_operation(
    client: TestClient, mode: GenerationMode, fuzz_no_server_error: Callable[..., set[str]]
) -> None:
    """Every documented operation, with schema-valid and schema-violating inputs, never a 5xx."""
    exercised = fuzz_no_server_error(client.app, mode, EXAMPLES_PER_OPERATION)
    assert exercised >= {"/get_recommendations", "/v1/quizzes", "/v1/predictions"}
    if mode is GenerationMode.POSITIVE:
        assert "/v1/learners/{user_id}/progress" in exercised
