"""Story-page coverage through Junior: content words of picture-book passages that get a
definition from the restored seed dump (issue 10; `scripts/story_coverage.py` prints details)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from apps.common.settings import normalise_url
from apps.junior.app import create_app
from apps.junior.settings import JuniorSettings
from apps.junior.tooling.model_files import DEFAULT_TARGET, fetch
from tests.fixtures.modules import load_module

ROOT = Path(__file__).resolve().parents[2]
# Issue 10's target: 98 % of the content words of 24 independent story passages get a definition.
STORY_FLOOR = 0.98


def _script():
    return load_module("story_coverage", ROOT / "scripts" / "story_coverage.py")


@pytest.fixture(scope="module")
def junior(dictionary_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A text-only Junior app on the restored seed dump."""
    settings = JuniorSettings(
        database_url=normalise_url(dictionary_db),
        use_model_path=fetch(DEFAULT_TARGET),
        cache_dir=tmp_path_factory.mktemp("junior-cache"),
        onnx_threads=2,
        ocr=False,
        log_json=False,
    )
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 600
        while client.get("/ready").status_code != 200:
            assert time.monotonic() < deadline, client.get("/ready").json()
            time.sleep(0.5)
        yield client


@pytest.mark.slow
def test_story_pages_get_definitions(
    junior: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _script()
    texts = script.stories()
    assert len(texts) >= 20
    result = script.measure(junior, texts)
    with capsys.disabled():
        print(f"\nstory coverage: {result.defined}/{result.total} = {result.share:.2%} "
              f"over {len(texts)} passages (target 98 %)")  # fmt: skip
    assert result.total >= 1000
    assert result.share >= STORY_FLOOR, script.report(result)
