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


def test_serving_readiness_ignores_the_database() -> None:
    """/ready/serving (the readiness probe) stays 200 through a database blip; /ready does not."""
    checks = {"database": False, "model": True}
    client = TestClient(make_app(checks))
    assert client.get("/ready").status_code == 503
    serving = client.get("/ready/serving")
    assert serving.status_code == 200
    assert serving.json() == {"ready": True, "checks": {"model": True}}
    checks["model"] = False
    assert client.get("/ready/serving").status_code == 503


def test_explicit_serving_check_is_used() -> None:
    app = FastAPI()
    app.include_router(health_router(lambda: {"database": True}, lambda: {"models": False}))
    client = TestClient(app)
    assert client.get("/ready").status_code == 200
    assert client.get("/ready/serving").json() == {"ready": False, "checks": {"models": False}}


def test_probes_are_async_so_a_full_threadpool_cannot_delay_them() -> None:
    """/health, /ready, /ready/serving and /metrics never wait for the request threadpool."""
    import inspect

    router = health_router(lambda: {"database": True})
    for route in router.routes:
        assert inspect.iscoroutinefunction(route.endpoint), route.path  # type: ignore[attr-defined]


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
