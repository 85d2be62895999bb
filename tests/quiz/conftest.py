"""Quiz test fixtures: one fixture database per session (schema + 400 senses + demo learners)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from apps.quiz.app import create_app

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/quiz: quiz_fixture
from quiz_fixture import load_fixture, quiz_settings, synthetic_senses


@pytest.fixture(scope="session")
def quiz_db(scratch_database: Callable[[str], str]) -> str:
    """libpq URL of a database holding the fixture dictionary and learners."""
    url = scratch_database("quiz")
    load_fixture(url)
    return url


@pytest.fixture(scope="session")
def senses() -> list[dict[str, Any]]:
    """The fixture's senses (same seed as the database)."""

    return synthetic_senses()


@pytest.fixture(scope="session")
def client(quiz_db: str) -> Iterator[TestClient]:
    """A started app (lifespan run) on the fixture database, seeded randomness."""
    with TestClient(create_app(quiz_settings(quiz_db, random_seed=1))) as c:
        yield c
