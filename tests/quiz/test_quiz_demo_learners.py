"""GET /v1/demo-learners: the seed dump's demo accounts only, read-only, and can be turned off."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from quiz_fixture import add_learner, quiz_settings

from apps.quiz.app import create_app
from data.build.learners import EXAMPLE_LEARNER_ID, N_LEARNERS, NEW_LEARNER_ID


def test_lists_the_demo_learners_with_their_quiz_counts(client: TestClient) -> None:
    response = client.get("/v1/demo-learners")
    assert response.status_code == 200
    learners = response.json()["learners"]
    assert len(learners) == N_LEARNERS
    assert all(re.fullmatch(r"demo\d\d", x["pseudo"]) for x in learners)
    assert [x["pseudo"] for x in learners] == sorted(x["pseudo"] for x in learners)
    by_id = {x["user_id"]: x for x in learners}
    assert by_id[str(EXAMPLE_LEARNER_ID)]["quizzes"] == 25
    assert by_id[str(NEW_LEARNER_ID)]["quizzes"] == 0


def test_never_lists_other_accounts(client: TestClient, quiz_db: str) -> None:
    other = add_learner(quiz_db)  # a real account (pseudo "test")
    ids = {x["user_id"] for x in client.get("/v1/demo-learners").json()["learners"]}
    assert str(other) not in ids


def test_turned_off_by_setting(quiz_db: str) -> None:
    with TestClient(create_app(quiz_settings(quiz_db, demo_learners=False))) as c:
        response = c.get("/v1/demo-learners")
    assert response.status_code == 404
    assert "not listed" in response.json()["detail"]
