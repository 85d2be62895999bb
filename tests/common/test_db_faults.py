"""Database faults inside requests give 503, and the pool recovers when the server returns."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from apps.common.db import DB_UNAVAILABLE, database_ok, install_db_error_handlers, make_engine
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
