"""Database engine, sessions, start-up wait and the 503 mapping of database faults."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session
from tenacity import Retrying, before_sleep_log, stop_after_attempt, wait_fixed

from apps.common.settings import ServiceSettings, normalise_url

log = logging.getLogger(__name__)

DB_UNAVAILABLE = "Database unavailable, please retry shortly"


def make_engine(settings: ServiceSettings, application_name: str) -> Engine:
    """A pooled engine that re-checks connections, so it recovers after a database restart."""
    return create_engine(
        normalise_url(settings.database_url),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout_s,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={
            "connect_timeout": settings.db_connect_timeout_s,
            "application_name": application_name,
            "options": f"-c statement_timeout={settings.db_statement_timeout_ms}",
        },
    )


def database_ok(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except (DBAPIError, PoolTimeout) as exc:
        log.warning("database check failed: %s", exc.__class__.__name__)
        return False


def wait_for_database(engine: Engine, attempts: int, delay_s: float) -> None:
    """Block until the database answers, retrying a bounded number of times (each try logged)."""
    for attempt in Retrying(
        stop=stop_after_attempt(attempts),
        wait=wait_fixed(delay_s),
        before_sleep=before_sleep_log(log, logging.WARNING),
        reraise=True,
    ):
        with attempt:
            n = attempt.retry_state.attempt_number
            log.info("waiting for the database (try %d/%d)", n, attempts)
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))


def session_scope(engine: Engine) -> Iterator[Session]:
    """Yield a session bound to ``engine``; FastAPI dependency body."""
    with Session(engine) as session:
        yield session


def install_db_error_handlers(app: FastAPI) -> None:
    """Map database faults raised inside requests to 503 with a JSON ``detail``."""

    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        if is_connection_fault(exc):
            log.warning("database unavailable on %s: %s", request.url.path, type(exc).__name__)
            return JSONResponse(
                status_code=503, content={"detail": DB_UNAVAILABLE}, headers={"Retry-After": "5"}
            )
        log.exception("database error on %s", request.url.path, exc_info=exc)
        return JSONResponse(status_code=500, content={"detail": "Internal database error"})

    app.add_exception_handler(DBAPIError, unavailable)
    app.add_exception_handler(PoolTimeout, unavailable)


def is_connection_fault(exc: BaseException) -> bool:
    """True for errors that mean "the database is not reachable now" (worth a retry)."""
    if isinstance(exc, PoolTimeout | OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)
