"""Shared fixtures: a real PostgreSQL reached through DATABASE_URL (``make test`` starts one)."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from psycopg2 import sql

from apps.common.settings import libpq_url
from scripts.pgserver import LocalPostgres


@pytest.fixture(scope="session")
def admin_url() -> str:
    """libpq URL of a superuser connection to the test server."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        pytest.fail(
            "DATABASE_URL is not set: run the suite with `make test`, which starts "
            "a throwaway PostgreSQL, or point DATABASE_URL at a disposable server."
        )
    return libpq_url(url)


def _with_database(admin: str, name: str) -> str:
    """``admin`` URL with its database name replaced by ``name``."""
    base, _, query = admin.partition("?")
    base = base.rsplit("/", 1)[0]
    return f"{base}/{name}" + (f"?{query}" if query else "")


def _admin_exec(admin: str, statement: sql.Composable) -> None:
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


@contextmanager
def _scratch_database(admin: str, prefix: str) -> Iterator[str]:
    """A new empty database named ``prefix_<random>`` (libpq URL), dropped on exit."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _admin_exec(admin, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _with_database(admin, name)
    finally:
        _admin_exec(
            admin, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def fresh_db(admin_url: str) -> Iterator[str]:
    """An empty database of its own (libpq URL), dropped after the test."""
    with _scratch_database(admin_url, "t") as url:
        yield url


@pytest.fixture(scope="session")
def scratch_database(admin_url: str) -> Iterator[Callable[[str], str]]:
    """Factory for session-wide empty databases: ``scratch_database("quiz")`` → libpq URL.

    Every database it made is dropped when the session ends.
    """
    with ExitStack() as stack:
        yield lambda prefix: stack.enter_context(_scratch_database(admin_url, prefix))


@pytest.fixture
def private_postgres() -> Iterator[LocalPostgres]:
    """A PostgreSQL server of the test's own, which the test may stop and start (fault tests).

    Kept outside pytest's tmp_path: a concurrent pytest run resets that tree to mode 700,
    which would lock the ``postgres`` user out of its data directory.
    """
    root = Path(tempfile.mkdtemp(prefix="vocabulo-pg-test-"))
    server = LocalPostgres(root / "data")
    server.start()
    try:
        yield server
    finally:
        server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def _fuzz_no_server_error(
    app: Any,
    mode: Any,
    examples: int,
    skip: frozenset[str] = frozenset(),
    headers: dict[str, str] | None = None,
) -> set[str]:
    """Run schemathesis over every operation of ``app``'s OpenAPI schema; no 5xx allowed.

    The schema comes from the app object and calls go straight to it, under the lifespan the
    caller's TestClient owns: schemathesis's ASGI loader would start (and restart) a lifespan
    of its own on the same app. ``headers`` go with every call (e.g. a bearer token).
    Returns the paths that were exercised.
    """
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.python.asgi import ASGIClient

    schema = schemathesis.openapi.from_dict(app.openapi())
    session = ASGIClient(app)
    exercised: set[str] = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in skip:
            continue

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case: Any) -> None:
            case.call_and_validate(
                session=session,
                base_url=session.base_url,
                headers=headers,
                checks=[not_a_server_error],
            )

        try:
            run()
            exercised.add(operation.path)
        except Unsatisfiable:
            # an operation without inputs (/health) has no schema-violating form
            assert mode is GenerationMode.NEGATIVE, operation.path
    return exercised


@pytest.fixture(scope="session")
def fuzz_no_server_error() -> Callable[..., set[str]]:
    """``fuzz_no_server_error(app, mode, examples, skip=..., headers=...)`` → exercised paths."""
    return _fuzz_no_server_error
