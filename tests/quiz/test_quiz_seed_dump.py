"""The Quiz API on the real seed dump, restored by vocabulo-restore, as its least-privilege role."""

from __future__ import annotations

import sys
from pathlib import Path

from fastapi.testclient import TestClient
from quiz_fixture import quiz_settings

from apps.quiz.app import create_app
from data.build import DUMP_PATH
from data.build.learners import EXAMPLE_LEARNER_ID, NEW_LEARNER_ID

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the fixtures package
from fixtures.cli import run_restore

PASSWORD = "quiz-test-password"


def as_role(url: str, role: str, password: str) -> str:
    """``url`` (postgresql://user@host/db) with another user and password."""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{role}:{password}@{rest.split('@', 1)[1]}"


def test_app_on_the_seed_dump_as_vocabulo_quiz(fresh_db: str) -> None:
    restored = run_restore(fresh_db, "--dump", str(DUMP_PATH), VOCABULO_QUIZ_PASSWORD=PASSWORD)
    assert restored.returncode == 0, restored.stderr[-3000:]
    settings = quiz_settings(as_role(fresh_db, "vocabulo_quiz", PASSWORD), random_seed=3)
    with TestClient(create_app(settings)) as client:
        for user in (EXAMPLE_LEARNER_ID, NEW_LEARNER_ID):
            r = client.post("/get_recommendations", json={"user_id": str(user)})
            assert r.status_code == 200, r.text
            recs = r.json()["recommendations"]
            assert len(recs) == 10
            assert len({x["mot"] for x in recs}) == 10
            assert all(x["url_sign"] for x in recs)
            basics = sum("basique" in x["category"].split(",") for x in recs)
            assert basics < 10
        assert basics == 5  # the new learner: half basics
        first = recs[0]["mot_id"]
        answers = [{"mot_id": first, "correct": True, "used_sign": True, "feeling": "Bien"}]
        r = client.post("/v1/quizzes", json={"user_id": str(NEW_LEARNER_ID), "answers": answers})
        assert r.status_code == 201, r.text
        progress = client.get(f"/v1/learners/{NEW_LEARNER_ID}/progress").json()
        assert progress["words_seen"] == 1
        assert progress["quizzes"] == 1
        assert progress["basique_total"] > 100
