"""The served policy (POST /get_recommendations): reviews timed by memory, a target success."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from quiz_fixture import NO_SIGN, add_learner

from apps.quiz.history import History
from apps.quiz.recommender import WEIGHTS
from apps.quiz.service import QuizService

WORDS = [i for i in range(1, 80) if i not in NO_SIGN][:10]


def recommend(client: TestClient, user_id: Any, n: int = 10) -> list[dict[str, Any]]:
    r = client.post("/get_recommendations", json={"user_id": str(user_id), "n": n})
    assert r.status_code == 200, r.text
    return r.json()["recommendations"]


def take_quiz(
    client: TestClient, user_id: Any, words: list[int], correct: bool, **extra: Any
) -> None:
    answers = [{"mot_id": m, "correct": correct, **extra} for m in words]
    r = client.post("/v1/quizzes", json={"user_id": str(user_id), "answers": answers})
    assert r.status_code == 201, r.text


def at(days_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()


def test_due_words_come_before_new_ones(client: TestClient, quiz_db: str) -> None:
    user = add_learner(quiz_db)
    old, fresh = WORDS[:8], WORDS[8:]
    answers = [{"mot_id": m, "correct": True} for m in old]
    r = client.post(
        "/v1/quizzes", json={"user_id": str(user), "answers": answers, "taken_at": at(20)}
    )
    assert r.status_code == 201, r.text
    take_quiz(client, user, fresh, True)  # just now: recall ≈ 1, not due
    recs = recommend(client, user)
    ids = [r["mot_id"] for r in recs]
    cap = round(10 * WEIGHTS.max_review_share)
    assert set(ids[:cap]) <= set(old)  # R ≈ 0.7 after 20 days: due, served first
    assert len(set(ids) & set(old)) == cap  # at most the review share: new words still come
    assert not set(ids) & set(fresh)
    assert all(r["recommendation_score"] > 1.0 for r in recs[:cap])  # reviews score 2 − R


def test_always_n_words_even_when_nothing_is_left_to_learn(
    client: TestClient, quiz_db: str, senses: list[dict[str, Any]]
) -> None:
    user = add_learner(quiz_db)
    every = [s["mot_id"] for s in senses if s["mot_id"] not in NO_SIGN]
    for k in range(0, len(every), 50):
        take_quiz(client, user, every[k : k + 50], True)
    for n in (10, 25):
        recs = recommend(client, user, n)
        assert len(recs) == n  # seen words fill in when no word is new or due
        assert len({r["mot"].lower() for r in recs}) == n


def test_trop_dur_gives_easier_words_than_trop_facile(client: TestClient, quiz_db: str) -> None:
    mean_p = {}
    for feeling in ("Trop dur", "Trop facile"):
        user = add_learner(quiz_db)
        take_quiz(client, user, WORDS, True, feeling=feeling)
        recs = recommend(client, user)
        new = [r["recommendation_score"] for r in recs if r["mot_id"] not in WORDS]
        mean_p[feeling] = float(np.mean(new))  # new words' score is the model's P(correct)
    assert mean_p["Trop dur"] > mean_p["Trop facile"] + 0.05


def test_the_controller_eases_the_quiz_after_a_bad_streak(client: TestClient) -> None:
    svc: QuizService = client.app.state.quiz
    empty = np.zeros(0)
    new = svc.align(History(empty.astype(np.int64), empty, empty, empty, empty), 1.8e9)
    when = datetime(2026, 12, 2, 17)
    expected = {}
    for streak in (0.2, 1.0):  # share of right answers among the latest ones
        learner = dataclasses.replace(new, recent_accuracy=streak)
        picks = svc.rank(learner, 10, seed=4, when=when)
        expected[streak] = float(np.mean([s for _, s in picks]))  # Σ P(correct) / 10
    assert expected[0.2] > expected[1.0] + 0.05


def _history(rows: list[tuple[int, float, bool]], feeling: dict[int, int]) -> History:
    """The History ``read_history`` returns for answers ``rows`` (mot_id, day, right) from
    epoch 1.7e9, with the latest ``feeling`` code of some words."""
    mot = np.array([r[0] for r in rows], np.int64)
    at = np.array([r[1] for r in rows]) * 86400.0 + 1.7e9
    ok = np.array([r[2] for r in rows])
    words = np.unique(mot)
    return History(
        words,
        np.array([float((mot == m).sum()) for m in words]),
        np.array([float(ok[mot == m].sum()) for m in words]),
        np.array([at[mot == m].max() for m in words]),
        np.array([feeling.get(int(m), 0) for m in words], np.int8),
        (mot, at, ok),
    )


def _known_or_not_learner(
    svc: QuizService, easy_kept: bool, other_answers: list[tuple[tuple[float, bool], ...]]
) -> np.ndarray:
    """``reviewable`` of 6 words first answered right then ``other_answers`` (day, right) each,
    for a learner who also felt 20 words easy and answered them right again at days 30 and 60
    (``easy_kept``) or wrong; read at day 61."""
    ids = [i for i in range(1, 80) if i not in NO_SIGN][:26]
    easy, other = ids[:20], ids[20:]
    rows: list[tuple[int, float, bool]] = []
    for m in easy:  # felt 'Trop facile'
        rows += [(m, 0.0, True), (m, 30.0, easy_kept), (m, 60.0, easy_kept)]
    for m, answers in zip(other, other_answers, strict=True):
        rows += [(m, 0.0, True)] + [(m, d, ok) for d, ok in answers]
    state = svc.align(_history(rows, dict.fromkeys(easy, 3)), 1.7e9 + 61 * 86400.0)
    pos, _ = svc.dictionary.positions(np.array(other, np.int64))
    return state.reviewable[pos]


def test_words_first_answered_right_are_reviewed_unless_memory_is_known_or_not(
    client: TestClient,
) -> None:
    """Words that keep failing their reviews are dropped from review only when the words the
    learner felt easy are never forgotten; when those are forgotten too, all are reviewed."""
    svc: QuizService = client.app.state.quiz
    failing = [((3.0, False), (6.0, False))] * 6  # right at first, then forgotten twice
    assert not _known_or_not_learner(svc, True, failing).any()  # "known or not": futile
    assert _known_or_not_learner(svc, False, failing).all()  # all forgotten: review them all


def test_known_or_not_memory_spends_no_review_on_words_kept_less_well(
    client: TestClient,
) -> None:
    """When words felt easy are never forgotten, words that FSRS's curve keeps only about as
    well as it predicts (scale near 1, not futile by ``futile_scale``) are not reviewed either:
    their slots go to new words. With ``known_futile_scale`` at ``futile_scale`` they are."""
    svc: QuizService = client.app.state.quiz
    middling = [((3.0, True), (8.0, True))] * 5 + [((3.0, True), (8.0, False))]  # scale ≈ 0.9
    assert not _known_or_not_learner(svc, True, middling).any()
    strict = dataclasses.replace(
        svc, weights=dataclasses.replace(svc.weights, known_futile_scale=svc.weights.futile_scale)
    )
    assert _known_or_not_learner(strict, True, middling).all()


def test_words_missed_at_first_sight_are_relearned_not_reviewed(client: TestClient) -> None:
    """A word answered wrong the first time is not scheduled for review (it comes back as a
    harder item); one answered right is; ``review_missed_first`` schedules both."""
    svc: QuizService = client.app.state.quiz
    ids = [i for i in range(1, 80) if i not in NO_SIGN][:2]
    day = 86400.0
    rows = [(ids[0], 0.0, True), (ids[1], 0.0, False), (ids[0], 2.0, True), (ids[1], 2.0, True)]
    h = _history(rows, {})
    pos, _ = svc.dictionary.positions(np.array(ids, np.int64))
    assert svc.align(h, 1.7e9 + 3 * day).reviewable[pos].tolist() == [True, False]
    both = dataclasses.replace(
        svc, weights=dataclasses.replace(svc.weights, review_missed_first=True)
    )
    assert both.align(h, 1.7e9 + 3 * day).reviewable[pos].tolist() == [True, True]
