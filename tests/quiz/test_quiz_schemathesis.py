"""Property-based run of schemathesis over the Quiz API's OpenAPI schema: no server error."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import ASGIClient

EXAMPLES_PER_OPERATION = 40


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
def test_no_server_error_on_any_operation(client: TestClient, mode: GenerationMode) -> None:
    """Every documented operation, with schema-valid and schema-violating inputs, never a 5xx."""
    schema = schemathesis.openapi.from_dict(client.app.openapi())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {
        "/get_recommendations",
        "/v1/quizzes",
        "/v1/predictions",
        "/v1/learners/{user_id}/progress",
    }
    # The schema comes from the app object and calls go straight to it, under the lifespan the
    # session's TestClient owns: schemathesis's ASGI loader would start (and restart) a lifespan
    # of its own on the same app, reloading the models mid-run.
    session = ASGIClient(client.app)
    exercised: set[str] = set()
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(
                session=session, base_url=session.base_url, checks=[not_a_server_error]
            )

        try:
            run()
            exercised.add(operation.path)
        except Unsatisfiable:
            # an operation without inputs (/health) has no schema-violating form
            assert mode is GenerationMode.NEGATIVE, operation.path
    assert exercised >= {"/get_recommendations", "/v1/quizzes", "/v1/predictions"}
