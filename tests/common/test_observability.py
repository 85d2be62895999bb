"""The shared /health, /ready, /metrics routes and the request middleware."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from apps.common.logs import JsonFormatter
from apps.common.observability import health_router, install_request_middleware


def make_app(checks: dict[str, bool]) -> FastAPI:
    app = FastAPI()
    install_request_middleware(app, "unit")
    app.include_router(health_router(lambda: dict(checks)))

    @app.get("/items/{item_id}")
    def item(item_id: int) -> dict[str, int]:
        return {"item_id": item_id}

    included = APIRouter(prefix="/v1")

    @included.get("/things/{name}")
    def thing(name: str) -> dict[str, str]:
        return {"name": name}

    app.include_router(included)
    return app


def test_ready_reflects_every_check() -> None:
    checks = {"database": True, "model": False}
    client = TestClient(make_app(checks))
    res = client.get("/ready")
    assert res.status_code == 503
    assert res.json() == {"ready": False, "checks": {"database": True, "model": False}}
    checks["model"] = True
    assert client.get("/ready").json()["ready"] is True
    assert client.get("/health").json() == {"status": "ok"}


def test_request_id_is_echoed_or_generated() -> None:
    client = TestClient(make_app({}))
    assert client.get("/health", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == (
        "abc-123"
    )
    generated = client.get("/health").headers["x-request-id"]
    assert len(generated) == 32


def test_metrics_use_route_templates_not_raw_paths() -> None:
    client = TestClient(make_app({}))
    for i in range(3):
        client.get(f"/items/{i}")
    client.get("/v1/things/a")
    client.get("/v1/things/b")
    client.get("/does-not-exist")
    body = client.get("/metrics").text
    assert 'route="/items/{item_id}"' in body
    assert 'route="/items/1"' not in body
    assert 'route="/v1/things/{name}"' in body  # routes of included routers too
    assert 'route="unmatched"' in body
    assert 'status="404"' in body


def test_one_json_line_per_request(caplog: pytest.LogCaptureFixture) -> None:
    client = TestClient(make_app({}))
    with caplog.at_level(logging.INFO, logger="vocabulo.access"):
        client.get("/items/7", headers={"X-Request-ID": "rid-7"})
    records = [r for r in caplog.records if r.name == "vocabulo.access"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["route"] == "/items/{item_id}"
    assert line["status"] == 200
    assert line["request_id"] == "rid-7"
    assert line["method"] == "GET"
    assert line["duration_ms"] >= 0
