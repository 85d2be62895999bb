"""Settings base shared by every service: database connection and logging.

Each service subclasses :class:`ServiceSettings` with its own ``env_prefix`` (``QUIZ_``,
``JUNIOR_``). The database connection is not prefixed: ``DATABASE_URL`` or libpq's
``PG*`` variables, the same names everywhere (services, restore job, tests).
"""

from __future__ import annotations

import os
from urllib.parse import quote

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def database_url_from_env(env: dict[str, str] | None = None) -> str:
    """Return a SQLAlchemy URL from ``DATABASE_URL`` or the libpq ``PG*`` variables.

    Raises ``ValueError`` when neither is set, naming the variables to set.
    """
    env = dict(os.environ if env is None else env)
    url = env.get("DATABASE_URL", "").strip()
    if url:
        return normalise_url(url)
    if not (env.get("PGHOST") or env.get("PGDATABASE") or env.get("PGUSER")):
        raise ValueError("no database configured: set DATABASE_URL or PGHOST/PGUSER/PGDATABASE")
    user = quote(env.get("PGUSER", "postgres"), safe="")
    password = env.get("PGPASSWORD")
    auth = f"{user}:{quote(password, safe='')}" if password else user
    host = env.get("PGHOST", "localhost")
    port = env.get("PGPORT", "5432")
    database = quote(env.get("PGDATABASE", env.get("PGUSER", "postgres")), safe="")
    if host.startswith("/"):  # a Unix socket directory
        return f"postgresql+psycopg2://{auth}@/{database}?host={quote(host, safe='')}&port={port}"
    return f"postgresql+psycopg2://{auth}@{host}:{port}/{database}"


def normalise_url(url: str) -> str:
    """Accept ``postgres://`` and ``postgresql://`` URLs; use the psycopg2 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


def libpq_url(url: str) -> str:
    """The same URL in the form libpq tools (psql, pg_dump) accept."""
    return url.replace("postgresql+psycopg2://", "postgresql://", 1)


class ServiceSettings(BaseSettings):
    """Settings every service has. Subclasses set ``env_prefix``."""

    model_config = SettingsConfigDict(env_prefix="VOCABULO_", extra="ignore")

    database_url: str = Field(
        default_factory=lambda: database_url_from_env(),
        validation_alias=AliasChoices("DATABASE_URL"),
        description="SQLAlchemy/libpq URL; defaults to one built from PG* variables.",
    )
    db_pool_size: int = Field(default=5, ge=1, le=100)
    db_pool_timeout_s: float = Field(default=5.0, gt=0)
    db_connect_timeout_s: int = Field(default=3, ge=1, le=60)
    db_statement_timeout_ms: int = Field(default=10_000, ge=100)
    startup_db_attempts: int = Field(default=30, ge=1, description="bounded start-up retry")
    startup_db_delay_s: float = Field(default=2.0, ge=0)
    log_level: str = "INFO"
    log_json: bool = True
