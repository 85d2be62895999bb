"""Quiz writes under concurrency and retries: no deadlock, idempotent with Idempotency-Key."""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg2
from fastapi.testclient import TestClient
from quiz_fixture import add_learner

from apps.quiz.history import Answer

WORDS = list(range(21, 41))


def rows(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def quizzes_of(url: str, user: uuid.UUID) -> int:
    return int(rows(url, "SELECT count(*) FROM quiz WHERE user_id = %s", str(user))[0][0])


def test_concurrent_quizzes_in_opposite_word_orders_all_succeed(
    client: TestClient, quiz_db: str
) -> None:
    """Before the fix, two transactions upserting the same history rows in opposite orders
    deadlocked, and the loser was answered 503 "database unavailable"."""
    svc = client.app.state.quiz  # type: ignore[attr-defined]
    user = add_learner(quiz_db)
    n = 24

    def one(i: int) -> uuid.UUID:
        order = WORDS if i % 2 == 0 else WORDS[::-1]
        return svc.record(user, [Answer(m, True, False, None) for m in order], None, None).quiz_id

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(one, range(n)))
    assert len(set(ids)) == n
    assert quizzes_of(quiz_db, user) == n
    seen = rows(
        quiz_db, "SELECT DISTINCT times_seen FROM user_word_history WHERE user_id = %s", str(user)
    )
    assert seen == [(n,)]
    # quiz.mot_id keeps the quiz's first word as sent, not the smallest id
    firsts = rows(
        quiz_db, "SELECT mot_id, count(*) FROM quiz WHERE user_id = %s GROUP BY 1", str(user)
    )
    assert dict(firsts) == {WORDS[0]: n // 2, WORDS[-1]: n // 2}


def body(user: uuid.UUID, *words: int) -> dict[str, Any]:
    return {"user_id": str(user), "answers": [{"mot_id": m, "correct": True} for m in words]}


def test_a_retry_with_the_same_key_returns_the_first_result(
    client: TestClient, quiz_db: str
) -> None:
    user = add_learner(quiz_db)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = client.post("/v1/quizzes", json=body(user, 11, 12), headers=key)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    again = client.post("/v1/quizzes", json=body(user, 11, 12), headers=key)
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert quizzes_of(quiz_db, user) == 1
    history = "SELECT times_seen FROM user_word_history WHERE user_id = %s ORDER BY mot_id"
    assert rows(quiz_db, history, str(user)) == [(1,), (1,)]
    # the same key with another body is refused; another key (or no key) records
    other = client.post("/v1/quizzes", json=body(user, 13), headers=key)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]
    assert client.post("/v1/quizzes", json=body(user, 11, 12)).status_code == 201
    fresh = {"Idempotency-Key": str(uuid.uuid4())}
    assert client.post("/v1/quizzes", json=body(user, 11, 12), headers=fresh).status_code == 201
    assert quizzes_of(quiz_db, user) == 3


def test_keys_are_per_learner(client: TestClient, quiz_db: str) -> None:
    a, b = add_learner(quiz_db), add_learner(quiz_db)
    key = {"Idempotency-Key": "quiz-1"}
    ra = client.post("/v1/quizzes", json=body(a, 11), headers=key)
    rb = client.post("/v1/quizzes", json=body(b, 11), headers=key)
    assert (ra.status_code, rb.status_code) == (201, 201)
    assert ra.json()["quiz_id"] != rb.json()["quiz_id"]


def test_concurrent_duplicates_record_one_quiz(client: TestClient, quiz_db: str) -> None:
    user = add_learner(quiz_db)
    key = {"Idempotency-Key": str(uuid.uuid4())}

    def post(_: int) -> tuple[int, str, str | None]:
        r = client.post("/v1/quizzes", json=body(user, *WORDS), headers=key)
        return r.status_code, r.json()["quiz_id"], r.headers.get("Idempotent-Replayed")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(post, range(8)))
    assert {code for code, _, _ in results} == {201}
    assert len({quiz_id for _, quiz_id, _ in results}) == 1
    assert Counter(replayed for _, _, replayed in results) == {None: 1, "true": 7}
    assert quizzes_of(quiz_db, user) == 1


def test_a_malformed_key_is_a_client_error(client: TestClient, quiz_db: str) -> None:
    user = add_learner(quiz_db)
    for bad in ("has space", "x" * 256, ""):
        r = client.post("/v1/quizzes", json=body(user, 11), headers={"Idempotency-Key": bad})
        assert r.status_code == 422, bad
    assert quizzes_of(quiz_db, user) == 0
