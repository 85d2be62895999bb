"""Junior's optional JWT auth (JUNIOR_AUTH_MODE=jwt), with a stub pipeline: no models needed."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from apps.junior.app import create_app
from apps.junior.settings import JuniorSettings

SECRET = "junior-test-secret-0123456789abcdefghij"
BODY = {"text": "Le chat mange.", "target_difficulty": 1}


class StubPipeline:
    """Answers /v1/process-text with no sentence (the routes' auth is what is tested)."""

    def __init__(self, settings: JuniorSettings) -> None:
        self.settings = settings

    def process_text(self, text: str, difficulty: int) -> list[Any]:
        return []


def started(mode: str) -> TestClient:
    settings = JuniorSettings(
        DATABASE_URL="postgresql://nobody@127.0.0.1:1/none",
        auth_mode=mode,
        jwt_secret=SECRET if mode == "jwt" else None,
        log_json=False,
    )
    return TestClient(create_app(settings, builder=lambda conf, engine: StubPipeline(conf)))


def wait_loaded(client: TestClient) -> None:
    deadline = time.monotonic() + 10
    while client.app.state.pipeline is None and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.fixture(scope="module")
def jwt_client() -> Iterator[TestClient]:
    with started("jwt") as client:
        wait_loaded(client)
        yield client


def token(ttl: int = 300, **extra: Any) -> str:
    now = int(time.time())
    return jwt.encode({"sub": str(uuid.uuid4()), "exp": now + ttl, **extra}, SECRET, "HS256")


def test_jwt_mode_needs_a_valid_token(jwt_client: TestClient) -> None:
    response = jwt_client.post("/v1/process-text", json=BODY)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="junior"'
    expired = jwt_client.post(
        "/v1/process-text", json=BODY, headers={"Authorization": f"Bearer {token(ttl=-600)}"}
    )
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"].lower()
    image = jwt_client.post("/process-image/", files={"file": ("p.png", b"x", "image/png")})
    assert image.status_code == 401


def test_any_learner_token_is_served(jwt_client: TestClient) -> None:
    response = jwt_client.post(
        "/v1/process-text", json=BODY, headers={"Authorization": f"Bearer {token()}"}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"processed_results": []}
    assert jwt_client.get("/health").status_code == 200
    assert jwt_client.get("/metrics").status_code == 200


def test_mode_none_is_the_default_contract() -> None:
    with started("none") as client:
        wait_loaded(client)
        assert client.post("/v1/process-text", json=BODY).status_code == 200
