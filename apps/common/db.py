"""Database engine, sessions, start-up wait, conflict retries and the HTTP mapping of faults.

Faults are classified by SQLSTATE, not by driver class (psycopg2 raises ``OperationalError``
for a lost connection and for a deadlock alike):

- connection faults (no SQLSTATE: the client lost the server; classes 08 and 53; 57P01-57P03;
  a pool timeout) → 503 "unavailable" with Retry-After;
- a statement or lock timeout (57014, 55P03) → 503 "busy" with Retry-After;
- deadlocks and serialization failures (40P01, 40001) are retried by :func:`in_transaction`;
  when every try failed → 409 with Retry-After;
- anything else is a bug or bad data → 500, logged with its traceback.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session
from tenacity import Retrying, before_sleep_log, stop_after_attempt, wait_fixed

from apps.common.settings import ServiceSettings, normalise_url

log = logging.getLogger(__name__)

T = TypeVar("T")
DB_UNAVAILABLE = "Database unavailable, please retry shortly"
DB_BUSY = "Database busy, please retry shortly"
DB_CONFLICT = "Concurrent writes conflicted, please retry"
CONFLICT_STATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
BUSY_STATES = frozenset({"57014", "55P03"})  # query_canceled (statement_timeout), lock timeout
OUTAGE_STATES = frozenset({"57P01", "57P02", "57P03"})  # admin/crash shutdown, cannot connect now
OUTAGE_CLASSES = ("08", "53")  # connection exception, insufficient resources
CONFLICT_ATTEMPTS = 4


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


def in_transaction(
    engine: Engine,
    work: Callable[[Connection], T],
    attempts: int = CONFLICT_ATTEMPTS,
    base_delay_s: float = 0.02,
) -> T:
    """``work(conn)`` in one transaction, re-run from the start after a deadlock or a
    serialization failure (up to ``attempts`` tries, jittered exponential back-off).

    ``work`` must have no effect outside the transaction: a retry runs it again.
    """
    for attempt in range(1, attempts + 1):
        try:
            with engine.begin() as conn:
                return work(conn)
        except DBAPIError as exc:
            if attempt == attempts or not is_transient_conflict(exc):
                raise
            delay = base_delay_s * 2 ** (attempt - 1) * (0.5 + random.random())
            log.info(
                "transaction conflict (SQLSTATE %s), retry %d/%d in %.0f ms",
                sqlstate(exc),
                attempt,
                attempts - 1,
                delay * 1000,
            )
            time.sleep(delay)
    raise AssertionError("unreachable")


def install_db_error_handlers(app: FastAPI) -> None:
    """Map database faults raised inside requests to 503/409/500 with a JSON ``detail``."""

    async def database_error(request: Request, exc: Exception) -> JSONResponse:
        path = request.url.path
        if is_connection_fault(exc):
            log.warning("database unavailable on %s: %s", path, type(exc).__name__)
            return _retry_later(503, DB_UNAVAILABLE, "5")
        state = sqlstate(exc)
        if state in BUSY_STATES:
            log.warning("database busy on %s: SQLSTATE %s", path, state)
            return _retry_later(503, DB_BUSY, "2")
        if state in CONFLICT_STATES:
            log.warning("write conflict on %s persisted after retries: SQLSTATE %s", path, state)
            return _retry_later(409, DB_CONFLICT, "1")
        log.exception("database error on %s", path, exc_info=exc)
        return JSONResponse(status_code=500, content={"detail": "Internal database error"})

    app.add_exception_handler(DBAPIError, database_error)
    app.add_exception_handler(PoolTimeout, database_error)


def _retry_later(status: int, detail: str, after_s: str) -> JSONResponse:
    return JSONResponse(
        status_code=status, content={"detail": detail}, headers={"Retry-After": after_s}
    )


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE the server sent with ``exc`` (None when the client itself failed)."""
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "pgcode", None)
    return code if isinstance(code, str) and code else None


def is_transient_conflict(exc: BaseException) -> bool:
    """True for a deadlock or a serialization failure: the transaction is worth re-running."""
    return sqlstate(exc) in CONFLICT_STATES


def is_connection_fault(exc: BaseException) -> bool:
    """True for errors that mean "the database is not reachable now" (worth a retry later)."""
    if isinstance(exc, PoolTimeout | InterfaceError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    state = sqlstate(exc)
    if state is None:  # no server answer: connection refused, lost, timed out
        return True
    return state in OUTAGE_STATES or state.startswith(OUTAGE_CLASSES)
