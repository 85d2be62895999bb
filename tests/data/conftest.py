"""A database restored once per session from the committed seed dump (by vocabulo-restore)."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from psycopg2 import sql

from data.build import DUMP_PATH, MANIFEST_PATH

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the fixtures package
from fixtures.cli import run_restore


def _admin_exec(admin: str, statement: sql.Composable) -> None:
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


@pytest.fixture(scope="session")
def dictionary_db(admin_url: str) -> Iterator[str]:
    """libpq URL of a database holding the restored seed dump (dropped after the session)."""
    name = f"t_dict_{uuid.uuid4().hex[:10]}"
    _admin_exec(admin_url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base, _, query = admin_url.partition("?")
    url = f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
    try:
        result = run_restore(
            url, "--dump", str(DUMP_PATH), "--manifest", str(MANIFEST_PATH), timeout=300
        )
        assert result.returncode == 0, result.stderr[-3000:]
        yield url
    finally:
        _admin_exec(
            admin_url,
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)),
        )


@pytest.fixture(scope="session")
def db(dictionary_db: str) -> Iterator[psycopg2.extensions.cursor]:
    """A read-only cursor on the restored dictionary."""
    conn = psycopg2.connect(dictionary_db)
    conn.set_session(readonly=True, autocommit=True)
    try:
        with conn.cursor() as cur:
            yield cur
    finally:
        conn.close()
