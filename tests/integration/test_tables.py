"""apps/common/tables.py describes the restored database exactly: same tables, same columns,
same primary keys (the production dump's names are the contract)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Table

from apps.common import tables

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the fixtures package
from fixtures import dumps
from fixtures.cli import query, run_restore


def model_tables() -> dict[str, Table]:
    """Every SQLModel table class defined in apps.common.tables, by table name."""
    found = {}
    for obj in vars(tables).values():
        table = getattr(obj, "__table__", None)
        if isinstance(table, Table) and obj.__module__ == tables.__name__:
            found[table.name] = table
    return found


@pytest.fixture(scope="module")
def restored(admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with dumps.extra_database(admin_url) as url:
        result = run_restore(url, "--dump", str(dumps.fixture_dump(tmp_path_factory.mktemp("d"))))
        assert result.returncode == 0, result.stderr
        yield url


def db_columns(url: str) -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {}
    for table, column in query(
        url,
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'public' ORDER BY table_name, "
        "ordinal_position",
    ):
        columns.setdefault(table, []).append(column)
    return columns


def test_same_tables(restored: str) -> None:
    assert sorted(model_tables()) == sorted(db_columns(restored))


def test_same_columns_in_every_table(restored: str) -> None:
    database = db_columns(restored)
    for name, table in model_tables().items():
        assert sorted(c.name for c in table.columns) == sorted(database[name]), name


def test_same_primary_keys(restored: str) -> None:
    keys: dict[str, set[str]] = {}
    for table, column in query(
        restored,
        """
            SELECT tc.table_name, kcu.column_name FROM information_schema.table_constraints tc
            JOIN information_schema.key_column_usage kcu
              ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
            WHERE tc.table_schema = 'public' AND tc.constraint_type = 'PRIMARY KEY'""",
    ):
        keys.setdefault(table, set()).add(column)
    for name, table in model_tables().items():
        assert {c.name for c in table.primary_key.columns} == keys.get(name, set()), name
