"""Quiz test fixtures: one fixture database per session (schema + 400 senses + demo learners)."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from fastapi.testclient import TestClient
from psycopg2 import sql

from apps.quiz.app import create_app

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/quiz: quiz_fixture
from quiz_fixture import load_fixture, quiz_settings, synthetic_senses


def _admin(admin_url: str, statement: sql.Composable) -> None:
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


@pytest.fixture(scope="session")
def quiz_db(admin_url: str) -> Iterator[str]:
    """libpq URL of a database holding the fixture dictionary and learners."""
    name = f"quiz_{uuid.uuid4().hex[:10]}"
    _admin(admin_url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base, _, query = admin_url.partition("?")
    url = base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")
    try:
        load_fixture(url)
        yield url
    finally:
        _admin(
            admin_url,
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)),
        )


@pytest.fixture(scope="session")
def senses() -> list[dict[str, Any]]:
    """The fixture's senses (same seed as the database)."""

    return synthetic_senses()


@pytest.fixture(scope="session")
def client(quiz_db: str) -> Iterator[TestClient]:
    """A started app (lifespan run) on the fixture database, seeded randomness."""
    with TestClient(create_app(quiz_settings(quiz_db, random_seed=1))) as c:
        yield c
