"""/health, /ready, /metrics, and database faults: 503 + not ready, then recovery without restart."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from quiz_fixture import load_fixture, quiz_settings

from apps.quiz.app import create_app
from data.build.learners import EXAMPLE_LEARNER_ID
from scripts.pgserver import LocalPostgres

BODY = {"user_id": str(EXAMPLE_LEARNER_ID)}


def test_health_ready_metrics(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {
        "ready": True,
        "checks": {"database": True, "model": True, "dictionary": True},
    }
    assert client.post("/get_recommendations", json=BODY).status_code == 200
    text = client.get("/metrics").text
    counts = [
        line
        for line in text.splitlines()
        if line.startswith("vocabulo_http_request_duration_seconds_count{")
    ]
    assert any(
        'route="/get_recommendations"' in c and 'status="200"' in c and 'service="quiz"' in c
        for c in counts
    ), counts
    assert "vocabulo_quiz_model_inference_seconds_count" in text
    assert 'vocabulo_quiz_model_info{sha256="' in text


@pytest.fixture
def private_server(private_postgres: LocalPostgres) -> LocalPostgres:
    """The shared stoppable server (tests/conftest.py) this test stops and starts."""
    return private_postgres


def wait_for(check, timeout_s: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False


def test_database_stop_gives_503_then_recovers(private_server: LocalPostgres) -> None:
    load_fixture(private_server.url)
    settings = quiz_settings(private_server.url, random_seed=2, db_connect_timeout_s=1)
    with TestClient(create_app(settings)) as client:
        assert client.post("/get_recommendations", json=BODY).status_code == 200
        private_server.stop("immediate")
        assert wait_for(lambda: not private_server.is_running()), "the server did not stop"
        r = client.post("/get_recommendations", json=BODY)
        assert r.status_code == 503
        assert r.json() == {"detail": "Database unavailable, please retry shortly"}
        progress = client.get(f"/v1/learners/{EXAMPLE_LEARNER_ID}/progress")
        assert progress.status_code == 503
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] is False
        assert client.get("/health").status_code == 200
        private_server.start()
        assert wait_for(lambda: client.get("/ready").status_code == 200)
        assert client.post("/get_recommendations", json=BODY).status_code == 200
