"""A database restored once per session from the committed seed dump (by vocabulo-restore)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg2
import pytest

from data.build import DUMP_PATH, MANIFEST_PATH

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the fixtures package
from fixtures.cli import run_restore


@pytest.fixture(scope="session")
def dictionary_db(scratch_database: Callable[[str], str]) -> str:
    """libpq URL of a database holding the restored seed dump (dropped after the session)."""
    url = scratch_database("t_dict")
    result = run_restore(
        url, "--dump", str(DUMP_PATH), "--manifest", str(MANIFEST_PATH), timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return url


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
