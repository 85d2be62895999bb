"""Health, readiness and Prometheus metrics shared by both APIs, plus request logging.

``/health`` answers while the process lives; ``/ready`` asks a service-supplied check
(database reachable, models loaded and warmed); ``/metrics`` exposes prometheus-client's
registry. The middleware logs one JSON line per request and echoes ``X-Request-ID``.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from fastapi import APIRouter, FastAPI, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Histogram, generate_latest
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


def route_template(scope: Scope) -> str:
    """The matched route's path template (bounded label cardinality), or ``unmatched``.

    The router records the matched route in the ASGI scope (also for included routers).
    """
    return getattr(scope.get("route"), "path", None) or "unmatched"


class RequestObserver:
    """Pure ASGI middleware: time each request into the histogram and log it as one JSON line.

    Plain ASGI (not ``BaseHTTPMiddleware``) keeps the per-request overhead small. The request
    id comes from ``X-Request-ID`` when given (else a new one) and is returned in the response.
    """

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _header(scope, b"x-request-id")[:128] or uuid.uuid4().hex
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            method = scope["method"]
            REQUEST_SECONDS.labels(self.service, route, method, str(status)).observe(elapsed)
            log.info(
                "request",
                extra={
                    "fields": {
                        "method": method,
                        "route": route,
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                        "request_id": request_id,
                    }
                },
            )


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return ""


def install_request_middleware(app: FastAPI, service: str) -> None:
    """Add :class:`RequestObserver` to ``app``."""
    app.add_middleware(RequestObserver, service=service)
