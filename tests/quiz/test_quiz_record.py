"""POST /v1/quizzes, GET /v1/learners/{id}/progress and POST /v1/predictions on real Postgres."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg2
import pytest
from fastapi.testclient import TestClient
from quiz_fixture import add_learner

from data.build.learners import EXAMPLE_LEARNER_ID, NEW_LEARNER_ID

TABLES = ("quiz", "eval_quiz", "score_quiz", "view_sign", "eval_mot", "user_word_history")


def counts(url: str) -> dict[str, int]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        out = {}
        for table in TABLES:
            cur.execute(f"SELECT count(*) FROM {table}")
            out[table] = cur.fetchone()[0]
    return out


def quiz(user_id: Any, answers: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"user_id": str(user_id), "answers": answers, **extra}


def test_record_writes_every_table_and_adapts(client: TestClient, quiz_db: str) -> None:
    user = add_learner(quiz_db)
    before = counts(quiz_db)
    answers = [
        {"mot_id": 11, "correct": True, "used_sign": True, "feeling": "Trop facile"},
        {"mot_id": 12, "correct": False, "feeling": "Trop dur"},
        {"mot_id": 13, "correct": True},
    ]
    p_before = client.post("/v1/predictions", json={"user_id": str(user), "mot_ids": [11, 12]})
    r = client.post("/v1/quizzes", json=quiz(user, answers, feeling="Bien"))
    assert r.status_code == 201, r.text
    assert r.json()["recorded_answers"] == 3
    quiz_id = uuid.UUID(r.json()["quiz_id"])
    after = counts(quiz_db)
    assert {t: after[t] - before[t] for t in TABLES} == {
        "quiz": 1,
        "eval_quiz": 1,
        "score_quiz": 3,
        "view_sign": 1,
        "eval_mot": 2,
        "user_word_history": 3,
    }
    with psycopg2.connect(quiz_db) as conn, conn.cursor() as cur:
        cur.execute("SELECT scale::text FROM eval_quiz WHERE quiz_id = %s", (str(quiz_id),))
        assert cur.fetchone() == ("Bien",)
        cur.execute(
            "SELECT mot_id, times_seen, times_correct FROM user_word_history "
            "WHERE user_id = %s ORDER BY mot_id",
            (str(user),),
        )
        assert cur.fetchall() == [(11, 1, 1), (12, 1, 0), (13, 1, 1)]
    # a second quiz on the same word increments the counts
    r = client.post("/v1/quizzes", json=quiz(user, [{"mot_id": 11, "correct": False}]))
    assert r.status_code == 201
    progress = client.get(f"/v1/learners/{user}/progress").json()
    assert progress["words_seen"] == 3
    assert progress["answers"] == 4
    assert progress["quizzes"] == 2
    p_after = client.post("/v1/predictions", json={"user_id": str(user), "mot_ids": [11, 12]})
    assert p_after.json()["predictions"] != p_before.json()["predictions"]


BAD_ANSWERS = [
    pytest.param([{"mot_id": 999999, "correct": True}], 422, id="unknown word"),
    pytest.param(
        [{"mot_id": 11, "correct": True}, {"mot_id": 11, "correct": False}],
        422,
        id="duplicate word",
    ),
    pytest.param(
        [{"mot_id": 11, "correct": True, "feeling": "trop facile"}], 422, id="wrong feeling enum"
    ),
    pytest.param([], 422, id="no answers"),
    pytest.param([{"mot_id": 11}], 422, id="missing correct"),
    pytest.param(
        [{"mot_id": 11, "correct": True}, {"mot_id": 10**12, "correct": True}], 422, id="huge id"
    ),
]


@pytest.mark.parametrize(("answers", "code"), BAD_ANSWERS)
def test_bad_payload_writes_nothing(
    client: TestClient, quiz_db: str, answers: list[dict[str, Any]], code: int
) -> None:
    user = add_learner(quiz_db)
    before = counts(quiz_db)
    r = client.post("/v1/quizzes", json=quiz(user, answers))
    assert r.status_code == code, r.text
    assert counts(quiz_db) == before


def test_record_unknown_or_malformed_user(client: TestClient, quiz_db: str) -> None:
    before = counts(quiz_db)
    one = [{"mot_id": 11, "correct": True}]
    r = client.post("/v1/quizzes", json=quiz(uuid.uuid4(), one))
    assert (r.status_code, r.json()["detail"]) == (404, "User not found")
    r = client.post("/v1/quizzes", json=quiz("nope", one))
    assert (r.status_code, r.json()["detail"]) == (400, "Invalid user ID format")
    r = client.post("/v1/quizzes", json=quiz(NEW_LEARNER_ID, one, taken_at="2026-11-27T08:00:00"))
    assert r.status_code == 422  # no time zone
    assert counts(quiz_db) == before


def test_progress_of_demo_learners(client: TestClient) -> None:
    new = client.get(f"/v1/learners/{NEW_LEARNER_ID}/progress").json()
    assert (new["level"], new["words_seen"], new["quizzes"]) == (1, 0, 0)
    old = client.get(f"/v1/learners/{EXAMPLE_LEARNER_ID}/progress").json()
    assert old["words_seen"] > 50
    assert old["quizzes"] == 25
    assert 1 <= old["level"] <= 5
    assert 0 < old["basique_mastery"] <= 1
    assert client.get("/v1/learners/xyz/progress").status_code == 400
    assert client.get(f"/v1/learners/{uuid.uuid4()}/progress").status_code == 404


def test_predictions(client: TestClient) -> None:
    r = client.post(
        "/v1/predictions", json={"user_id": str(EXAMPLE_LEARNER_ID), "mot_ids": [3, 1, 2]}
    )
    assert r.status_code == 200
    body = r.json()
    assert [p["mot_id"] for p in body["predictions"]] == [3, 1, 2]
    assert all(0 < p["probability"] < 1 for p in body["predictions"])
    assert body["model_version"].startswith("quiz-xgb")
    r = client.post(
        "/v1/predictions", json={"user_id": str(EXAMPLE_LEARNER_ID), "mot_ids": [1, 424242]}
    )
    assert r.status_code == 422
    assert "424242" in r.json()["detail"]
    r = client.post("/v1/predictions", json={"user_id": str(uuid.uuid4()), "mot_ids": [1]})
    assert r.status_code == 404
    r = client.post("/v1/predictions", json={"user_id": str(EXAMPLE_LEARNER_ID), "mot_ids": []})
    assert r.status_code == 422
