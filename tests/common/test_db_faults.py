"""Database faults inside requests give 503, and the pool recovers when the server returns;
conflicts are retried then 409, timeouts 503 "busy", other errors 500 (classified by SQLSTATE)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from apps.common.db import (
    DB_BUSY,
    DB_CONFLICT,
    DB_UNAVAILABLE,
    database_ok,
    in_transaction,
    install_db_error_handlers,
    is_connection_fault,
    is_transient_conflict,
    make_engine,
)
from apps.common.settings import ServiceSettings
from scripts.pgserver import LocalPostgres


def make_app(url: str) -> tuple[FastAPI, object]:
    settings = ServiceSettings(database_url=url, db_connect_timeout_s=1, db_pool_timeout_s=1)
    engine = make_engine(settings, "unit")
    app = FastAPI()
    install_db_error_handlers(app)

    @app.get("/one")
    def one() -> dict[str, int]:
        with engine.connect() as conn:
            return {"value": conn.execute(text("SELECT 1")).scalar_one()}

    @app.get("/integrity")
    def integrity() -> None:
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    return app, engine


def test_database_down_gives_503_then_recovers(private_postgres: LocalPostgres) -> None:
    app, engine = make_app(private_postgres.url)
    client = TestClient(app)
    assert client.get("/one").json() == {"value": 1}

    private_postgres.stop("immediate")
    res = client.get("/one")
    assert res.status_code == 503
    assert res.json() == {"detail": DB_UNAVAILABLE}
    assert database_ok(engine) is False  # type: ignore[arg-type]

    private_postgres.start()  # same port: the pool must reconnect by itself
    assert client.get("/one").json() == {"value": 1}
    assert database_ok(engine) is True  # type: ignore[arg-type]


def test_non_connection_database_errors_are_not_called_unavailable(
    private_postgres: LocalPostgres,
) -> None:
    app, _ = make_app(private_postgres.url)
    res = TestClient(app, raise_server_exceptions=False).get("/integrity")
    assert res.status_code == 500
    assert res.json() == {"detail": "Internal database error"}


def raising_app(url: str) -> tuple[FastAPI, Any]:
    """An app whose /raise/{code} makes the server raise SQLSTATE ``code`` (a real error)."""
    app, engine = make_app(url)

    @app.get("/raise/{code}")
    def raise_code(code: str) -> None:
        with engine.connect() as conn:
            conn.execute(text(f"DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '{code}'; END $$"))

    return app, engine


@pytest.mark.parametrize(
    ("code", "status", "detail"),
    [
        ("40P01", 409, DB_CONFLICT),  # deadlock: was 503 "unavailable" before the fix
        ("40001", 409, DB_CONFLICT),  # serialization failure
        ("57014", 503, DB_BUSY),  # statement timeout
        ("55P03", 503, DB_BUSY),  # lock timeout
        ("53300", 503, DB_UNAVAILABLE),  # too many connections
        ("57P01", 503, DB_UNAVAILABLE),  # administrator shutdown
        ("22012", 500, "Internal database error"),  # division by zero: a bug
    ],
)
def test_database_errors_are_classified_by_sqlstate(
    fresh_db: str, code: str, status: int, detail: str
) -> None:
    app, _ = raising_app(fresh_db)
    res = TestClient(app, raise_server_exceptions=False).get(f"/raise/{code}")
    assert (res.status_code, res.json()["detail"]) == (status, detail)
    assert ("Retry-After" in res.headers) == (status != 500)


def test_in_transaction_retries_conflicts_only(fresh_db: str) -> None:
    _, engine = make_app(fresh_db)
    tries: list[str] = []

    def flaky(code: str, fail_times: int) -> Any:
        def work(conn: Connection) -> int:
            tries.append(code)
            conn.execute(text("CREATE TEMP TABLE IF NOT EXISTS t (a int)"))
            if tries.count(code) <= fail_times:
                conn.execute(text(f"DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '{code}'; END $$"))
            return int(conn.execute(text("SELECT 7")).scalar_one())

        return work

    assert in_transaction(engine, flaky("40P01", 2), base_delay_s=0.001) == 7
    assert tries.count("40P01") == 3
    with pytest.raises(OperationalError) as err:
        in_transaction(engine, flaky("40001", 9), attempts=3, base_delay_s=0.001)
    assert is_transient_conflict(err.value)
    assert not is_connection_fault(err.value)
    assert tries.count("40001") == 3
    with pytest.raises(DBAPIError):
        in_transaction(engine, flaky("22012", 1), base_delay_s=0.001)
    assert tries.count("22012") == 1  # not a conflict: never re-run
