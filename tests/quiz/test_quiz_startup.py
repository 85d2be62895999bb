"""Quiz started before the restore: not ready (no crash, no restart), then ready by itself."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from quiz_fixture import quiz_settings

from apps.common.startup import backoff_delays
from apps.quiz.app import create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the fixtures package
from fixtures import dumps
from fixtures.cli import run_restore


def wait_for(check: Callable[[], bool], timeout_s: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_quiz_waits_for_the_restore_and_becomes_ready_without_restart(
    fresh_db: str, tmp_path: Path
) -> None:
    """Before the fix, start-up raised on the missing tables and the process exited."""
    settings = quiz_settings(fresh_db, startup_retry_max_s=0.5)
    body = {"user_id": dumps.USER_ID}
    with TestClient(create_app(settings)) as client:  # an empty database: no tables yet
        assert client.get("/health").status_code == 200
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"database": True, "model": False, "dictionary": False}
        early = client.post("/get_recommendations", json=body)
        assert early.status_code == 503
        assert early.headers["Retry-After"]
        restored = run_restore(fresh_db, "--dump", str(dumps.fixture_dump(tmp_path)))
        assert restored.returncode == 0, restored.stderr
        assert wait_for(lambda: client.get("/ready").status_code == 200)
        r = client.post("/get_recommendations", json=body)
        assert r.status_code == 200, r.text
        assert r.json()["recommendations"]


def test_backoff_doubles_and_is_bounded() -> None:
    delay = backoff_delays(0.5, 4.0)
    assert [delay(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
