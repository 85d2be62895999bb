"""POST /get_recommendations against the fixture database: the mobile app's contract."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from quiz_fixture import NO_SIGN, quiz_settings

from apps.quiz.app import create_app
from data.build.learners import EXAMPLE_LEARNER_ID, NEW_LEARNER_ID

FIELDS = {
    "mot_id": int,
    "mot": str,
    "category": str,
    "subcategory": str,
    "niv_diff_id": int,
    "url_sign": str,
    "url_def": str,
    "recommendation_score": float,
}


def recommend(client: TestClient, user_id: Any, **extra: Any) -> list[dict[str, Any]]:
    r = client.post("/get_recommendations", json={"user_id": str(user_id), **extra})
    assert r.status_code == 200, r.text
    return r.json()["recommendations"]


def test_example_learner_gets_ten_distinct_words(client: TestClient) -> None:
    recs = recommend(client, EXAMPLE_LEARNER_ID)
    assert len(recs) >= 10
    for rec in recs:
        assert set(rec) == set(FIELDS)
        for key, kind in FIELDS.items():
            assert isinstance(rec[key], kind), (key, rec[key])
    spellings = [r["mot"].lower() for r in recs]
    assert len(set(spellings)) == len(spellings)
    assert not {r["mot_id"] for r in recs} & NO_SIGN  # words without a sign video are skipped
    scores = [r["recommendation_score"] for r in recs]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("n", [1, 25, 50])
def test_n_sets_the_length(client: TestClient, n: int) -> None:
    recs = recommend(client, EXAMPLE_LEARNER_ID, n=n)
    assert len(recs) == n
    assert len({r["mot"] for r in recs}) == n


@pytest.mark.parametrize("n", [0, 51, "dix"])
def test_bad_n_is_422(client: TestClient, n: Any) -> None:
    r = client.post("/get_recommendations", json={"user_id": str(EXAMPLE_LEARNER_ID), "n": n})
    assert r.status_code == 422


@pytest.mark.parametrize("raw", ["not-a-uuid", "", "001b6789-96de-448c-9ede", "1234"])
def test_malformed_id_is_400(client: TestClient, raw: str) -> None:
    r = client.post("/get_recommendations", json={"user_id": raw})
    assert r.status_code == 400
    assert r.json() == {"detail": "Invalid user ID format"}


def test_unknown_user_is_404(client: TestClient) -> None:
    r = client.post("/get_recommendations", json={"user_id": str(uuid.uuid4())})
    assert r.status_code == 404
    assert r.json() == {"detail": "User not found"}


def test_missing_body_is_422(client: TestClient) -> None:
    assert client.post("/get_recommendations", json={}).status_code == 422
    assert client.post("/get_recommendations", content=b"{oops").status_code == 422


def test_new_learner_gets_half_basics(client: TestClient) -> None:
    recs = recommend(client, NEW_LEARNER_ID)
    basics = [r for r in recs if "basique" in r["category"].split(",")]
    assert len(basics) == len(recs) // 2


def test_tight_candidate_budget_still_gives_half_basics(quiz_db: str) -> None:
    """The draw keeps a quarter for basics: 100 candidates hold ~12 basics by chance alone."""
    with TestClient(create_app(quiz_settings(quiz_db, random_seed=3, max_candidates=100))) as c:
        for n in (10, 40):
            recs = recommend(c, NEW_LEARNER_ID, n=n)
            assert len(recs) == n
            assert sum("basique" in r["category"].split(",") for r in recs) == n // 2


def test_experienced_learners_are_not_all_basics(client: TestClient, quiz_db: str) -> None:
    import psycopg2

    with psycopg2.connect(quiz_db) as conn, conn.cursor() as cur:
        cur.execute("SELECT user_id FROM user_word_history GROUP BY user_id HAVING count(*) >= 100")
        users = [row[0] for row in cur.fetchall()]
    assert len(users) >= 5
    shares = []
    for user in users:
        recs = recommend(client, user)
        shares.append(sum("basique" in r["category"] for r in recs) / len(recs))
    assert max(shares) <= 0.5
    assert sum(shares) / len(shares) < 0.35


def test_seeded_service_is_reproducible(client: TestClient) -> None:
    assert recommend(client, EXAMPLE_LEARNER_ID) == recommend(client, EXAMPLE_LEARNER_ID)
