"""Demo learners for the seed dump (data/build/learners.py)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from data.build.learners import EXAMPLE_LEARNER_ID, LEARNER_COLUMNS, NEW_LEARNER_ID, learner_rows


def test_learner_rows(senses: list[dict[str, Any]]) -> None:
    rows = learner_rows(senses, seed=3)
    assert set(rows) == set(LEARNER_COLUMNS)
    for table, cols in LEARNER_COLUMNS.items():
        assert all(len(r) == len(cols) for r in rows[table]), table
    users = [r[0] for r in rows["authentication"]]
    assert len(users) >= 50
    assert len(set(users)) == len(users)
    assert EXAMPLE_LEARNER_ID in users
    assert NEW_LEARNER_ID in users
    with_history = {r[0] for r in rows["user_word_history"]}
    assert EXAMPLE_LEARNER_ID in with_history
    assert NEW_LEARNER_ID not in with_history
    # history counts agree with the answers
    quiz_user = {r[0]: r[3] for r in rows["quiz"]}
    seen = Counter((quiz_user[r[1]], r[2]) for r in rows["score_quiz"])
    right = Counter((quiz_user[r[1]], r[2]) for r in rows["score_quiz"] if r[3])
    for user, mot, _last, times_seen, times_correct in rows["user_word_history"]:
        assert (times_seen, times_correct) == (seen[(user, mot)], right[(user, mot)])
    assert {r[0] for r in rows["quiz"]} == {r[1] for r in rows["eval_quiz"]}
    assert learner_rows(senses, seed=3) == rows  # reproducible
