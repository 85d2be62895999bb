"""Health, readiness and Prometheus metrics shared by both APIs, plus request logging.

``/health`` answers while the process lives; ``/ready`` asks a service-supplied check
(database reachable, models loaded and warmed); ``/metrics`` exposes prometheus-client's
registry. The middleware logs one JSON line per request and echoes ``X-Request-ID``.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Histogram, generate_latest
from starlette.routing import Match

log = logging.getLogger("vocabulo.access")

REQUEST_SECONDS = Histogram(
    "vocabulo_http_request_duration_seconds",
    "HTTP request latency by route template, method and status.",
    ["service", "route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10),
)

ReadyCheck = Callable[[], dict[str, bool]]


def health_router(ready_check: ReadyCheck) -> APIRouter:
    """Routes ``/health``, ``/ready`` and ``/metrics``; ``ready_check`` returns named checks."""
    router = APIRouter(tags=["operations"])

    @router.get("/health")
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @router.get("/ready", responses={503: {"description": "not ready"}})
    async def ready() -> JSONResponse:
        """Readiness: every check true (database reachable, models loaded and warmed)."""
        checks = await run_in_threadpool(ready_check)
        ok = all(checks.values())
        return JSONResponse(status_code=200 if ok else 503, content={"ready": ok, "checks": checks})

    @router.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        """Prometheus exposition format."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def route_template(app: FastAPI, request: Request) -> str:
    """The matched route's path template (bounded label cardinality), or ``unmatched``."""
    for route in app.router.routes:
        match, _ = route.matches(request.scope)
        if match == Match.FULL:
            return getattr(route, "path", "unmatched")
    return "unmatched"


def install_request_middleware(app: FastAPI, service: str) -> None:
    """Time every request into the histogram and log it as one JSON line with its request id."""

    @app.middleware("http")
    async def observe(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        request_id = request_id[:128]
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            response.headers["X-Request-ID"] = request_id
            return response
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(app, request)
            REQUEST_SECONDS.labels(service, route, request.method, str(status)).observe(elapsed)
            log.info(
                "request",
                extra={
                    "fields": {
                        "method": request.method,
                        "route": route,
                        "path": request.url.path,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                        "request_id": request_id,
                    }
                },
            )
