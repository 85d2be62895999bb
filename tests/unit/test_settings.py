"""apps.common.settings: one database URL from DATABASE_URL or libpq's PG* variables."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from apps.common.settings import (
    ServiceSettings,
    database_url_from_env,
    libpq_url,
    normalise_url,
)

PG_VARS = ("DATABASE_URL", "PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in PG_VARS:
        monkeypatch.delenv(var, raising=False)


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_", extra="ignore")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@h:5432/d", "postgresql+psycopg2://u:p@h:5432/d"),
        ("postgresql://u@h/d?sslmode=require", "postgresql+psycopg2://u@h/d?sslmode=require"),
        ("postgresql+psycopg2://u@h/d", "postgresql+psycopg2://u@h/d"),
    ],
)
def test_database_url_wins_and_is_normalised(url: str, expected: str) -> None:
    env = {"DATABASE_URL": f"  {url} ", "PGHOST": "ignored"}
    assert database_url_from_env(env) == expected
    assert normalise_url(url) == expected


def test_pg_variables_build_a_url_with_quoted_credentials() -> None:
    env = {
        "PGHOST": "db.example",
        "PGPORT": "6432",
        "PGUSER": "quiz user",
        "PGPASSWORD": "p@ss:/wörd",
        "PGDATABASE": "lsf app",
    }
    assert database_url_from_env(env) == (
        "postgresql+psycopg2://quiz%20user:p%40ss%3A%2Fw%C3%B6rd@db.example:6432/lsf%20app"
    )


def test_pg_defaults_and_unix_socket() -> None:
    assert database_url_from_env({"PGUSER": "alice"}) == (
        "postgresql+psycopg2://alice@localhost:5432/alice"
    )
    assert database_url_from_env({"PGHOST": "/run/postgresql", "PGDATABASE": "d"}) == (
        "postgresql+psycopg2://postgres@/d?host=%2Frun%2Fpostgresql&port=5432"
    )


def test_nothing_configured_names_the_variables() -> None:
    with pytest.raises(ValueError, match="DATABASE_URL or PGHOST"):
        database_url_from_env({"DATABASE_URL": "  "})


def test_libpq_url_drops_the_driver() -> None:
    assert libpq_url("postgresql+psycopg2://u@h/d") == "postgresql://u@h/d"
    assert libpq_url("postgresql://u@h/d") == "postgresql://u@h/d"


def test_service_settings_read_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/d")
    monkeypatch.setenv("DEMO_DB_POOL_SIZE", "7")
    monkeypatch.setenv("VOCABULO_DB_POOL_SIZE", "9")  # another prefix: ignored
    settings = DemoSettings()
    assert settings.database_url == "postgres://u@h/d"  # normalised where an engine is made
    assert settings.db_pool_size == 7
    assert settings.startup_db_attempts == 30


def test_service_settings_from_pg_vars(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGHOST", "pg")
    monkeypatch.setenv("PGUSER", "vocabulo_junior")
    assert (
        DemoSettings().database_url
        == "postgresql+psycopg2://vocabulo_junior@pg:5432/vocabulo_junior"
    )


def test_service_settings_reject_bad_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/d")
    monkeypatch.setenv("DEMO_DB_POOL_SIZE", "0")
    with pytest.raises(ValidationError, match="db_pool_size"):
        DemoSettings()


def test_service_settings_without_database_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="no database configured"):
        DemoSettings()
