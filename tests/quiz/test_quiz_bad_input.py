"""Inputs found by review that used to give 500s or poison a history: now a clear 4xx."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import psycopg2
import pytest
from fastapi.testclient import TestClient
from quiz_fixture import add_learner

RAW = {"content-type": "application/json"}


@pytest.mark.parametrize(
    "body",
    [
        b'{"user_id": "\\ud800"}',  # a lone surrogate: valid JSON, not valid text
        b'{"user_id": 123}',
        b'{"user_id": null}',
        b'{"user_id": "' + b"a" * 500 + b'"}',
    ],
    ids=["surrogate", "number", "null", "too-long"],
)
def test_any_bad_user_id_is_the_contract_400(client: TestClient, body: bytes) -> None:
    res = client.post("/get_recommendations", content=body, headers=RAW)
    assert res.status_code == 400
    assert res.json() == {"detail": "Invalid user ID format"}


def test_surrogates_elsewhere_give_422(client: TestClient, quiz_db: str) -> None:
    user = add_learner(quiz_db)
    body = (
        b'{"user_id": "%s", "answers": [{"mot_id": 11, "correct": true, "feeling": "\\udc00"}]}'
        % str(user).encode()
    )
    assert client.post("/v1/quizzes", content=body, headers=RAW).status_code == 422


@pytest.mark.parametrize("mot_id", [2**63, 2**70, -(2**63) - 1, 2**31, 0])
def test_prediction_ids_out_of_range_are_422(client: TestClient, quiz_db: str, mot_id: int) -> None:
    user = add_learner(quiz_db)
    res = client.post("/v1/predictions", json={"user_id": str(user), "mot_ids": [mot_id]})
    assert res.status_code == 422


def rows(url: str, user: object) -> int:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM quiz WHERE user_id = %s", (str(user),))
        return int(cur.fetchone()[0])


@pytest.mark.parametrize(
    "taken_at",
    [
        "2020-06-01T10:00:00-23:59",  # pydantic accepts, PostgreSQL refused: was a 500
        (datetime.now(UTC) + timedelta(days=400)).isoformat(),  # would pin "seen today" for a year
        "2199-01-01T00:00:00Z",
        "1999-12-31T23:00:00Z",
        "2024-01-01T10:00:00",  # no time zone
    ],
    ids=["offset", "next-year", "far-future", "too-old", "naive"],
)
def test_impossible_quiz_dates_are_422_and_nothing_written(
    client: TestClient, quiz_db: str, taken_at: str
) -> None:
    user = add_learner(quiz_db)
    answers = [{"mot_id": 11, "correct": True}]
    res = client.post(
        "/v1/quizzes", json={"user_id": str(user), "answers": answers, "taken_at": taken_at}
    )
    assert res.status_code == 422
    assert rows(quiz_db, user) == 0


def test_a_recent_quiz_with_a_real_offset_is_recorded(client: TestClient, quiz_db: str) -> None:
    user = add_learner(quiz_db)
    india = timezone(timedelta(hours=5, minutes=30))
    taken_at = (datetime.now(india) - timedelta(hours=1)).isoformat()
    answers = [{"mot_id": 11, "correct": True}]
    res = client.post(
        "/v1/quizzes", json={"user_id": str(user), "answers": answers, "taken_at": taken_at}
    )
    assert res.status_code == 201, res.text
    assert rows(quiz_db, user) == 1


def test_oversized_body_is_413(client: TestClient) -> None:
    res = client.post("/get_recommendations", content=b" " * 300_000, headers=RAW)
    assert res.status_code == 413
