"""Health, readiness and Prometheus metrics shared by both APIs, plus request logging.

``/health`` answers while the process lives; ``/ready`` asks a service-supplied check
(database reachable, models loaded and warmed); ``/ready/serving`` asks whether the app can
serve at all (started, models loaded) whatever the database does, for the Kubernetes
readiness probe: a database blip then gives 503 + Retry-After per request instead of a
Service with no endpoints. ``/metrics`` exposes prometheus-client's registry.

All four are async and never wait for the request threadpool: a check that blocks (a
database query) runs on threads of its own (``CHECK_THREADS``), so a saturated API still
answers its probes. The middleware logs one JSON line per request and echoes ``X-Request-ID``.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import APIRouter, FastAPI, Response
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
CHECK_THREADS = 2  # threads reserved for readiness checks, apart from the request threadpool
DATABASE_CHECKS = frozenset({"database"})


def serving_part(ready_check: ReadyCheck) -> ReadyCheck:
    """``ready_check`` without its database entries (a service that gives no serving check)."""

    def check() -> dict[str, bool]:
        return {k: v for k, v in ready_check().items() if k not in DATABASE_CHECKS}

    return check


def health_router(ready_check: ReadyCheck, serving_check: ReadyCheck | None = None) -> APIRouter:
    """Routes ``/health``, ``/ready``, ``/ready/serving`` and ``/metrics``.

    ``ready_check`` returns named checks (database included); ``serving_check`` the ones that
    say the app can serve (default: ``ready_check`` minus ``database``). Both must be quick.
    """
    router = APIRouter(tags=["operations"])
    serving = serving_check or serving_part(ready_check)
    limiter: list[CapacityLimiter] = []  # created on first use, inside the event loop

    async def run_check(check: ReadyCheck) -> JSONResponse:
        if not limiter:
            limiter.append(CapacityLimiter(CHECK_THREADS))
        checks = await anyio.to_thread.run_sync(check, limiter=limiter[0])
        ok = all(checks.values())
        return JSONResponse(status_code=200 if ok else 503, content={"ready": ok, "checks": checks})

    @router.get("/health")
    async def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @router.get("/ready", responses={503: {"description": "not ready"}})
    async def ready() -> JSONResponse:
        """Readiness: every check true (database reachable, models loaded and warmed)."""
        return await run_check(ready_check)

    @router.get("/ready/serving", responses={503: {"description": "cannot serve yet"}})
    async def ready_serving() -> JSONResponse:
        """Can serve: started and models loaded, whatever the database (the readiness probe)."""
        return await run_check(serving)

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
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
