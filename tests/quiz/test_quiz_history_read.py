"""apps.quiz.history.read_history (one row of packed binary records) gives exactly what plain
row-by-row SQL gives: every word row, every answer, the latest feeling, NULLs, no account."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import numpy as np
import psycopg2
from quiz_fixture import add_learner

from apps.quiz.history import READ_STATEMENTS, History, read_history
from apps.quiz.reader import AsyncReader
from apps.quiz.recommender import FEELING_CODES

WORDS_SQL = """
SELECT h.mot_id, COALESCE(h.times_seen, 0), COALESCE(h.times_correct, 0),
       date_part('epoch', h.last_seen)
  FROM user_word_history h WHERE h.user_id = %s
"""
FEELINGS_SQL = """
SELECT e.mot_id, e.scale::text, q.date FROM eval_mot e JOIN quiz q USING (quiz_id)
 WHERE q.user_id = %s AND e.scale IS NOT NULL
 ORDER BY q.date DESC NULLS LAST, e.scale  -- the first row of a word is its latest feeling
"""
ANSWERS_SQL = """
SELECT s.mot_id, date_part('epoch', q.date), s.score FROM score_quiz s JOIN quiz q USING (quiz_id)
 WHERE q.user_id = %s AND q.date IS NOT NULL AND s.score IS NOT NULL AND s.mot_id IS NOT NULL
"""


def reference(cur: Any, user: str) -> dict[int, tuple[float, float, float | None, int]]:
    """mot_id → (seen, correct, last_seen, feeling code) by plain queries, one row each."""
    cur.execute(FEELINGS_SQL, (user,))
    latest: dict[int, str] = {}
    for mot, scale, _date in cur.fetchall():
        latest.setdefault(mot, scale)
    cur.execute(WORDS_SQL, (user,))
    return {
        mot: (
            seen,
            right,
            last,  # None: no date
            FEELING_CODES.get(latest.get(mot), 0),
        )
        for mot, seen, right, last in cur.fetchall()
    }


def as_dict(h: History) -> dict[int, tuple[float, float, float | None, int]]:
    return {
        int(m): (float(s), float(c), None if np.isnan(t) else float(t), int(f))
        for m, s, c, t, f in zip(
            h.mot_id, h.times_seen, h.times_correct, h.last_seen, h.feeling, strict=True
        )
    }


def read_all(url: str, users: list[str]) -> list[History | None]:
    reader = AsyncReader(url, READ_STATEMENTS, size=1)

    async def scenario() -> list[History | None]:
        return [await read_history(reader, uuid.UUID(u)) for u in users]

    try:
        return asyncio.run(scenario())
    finally:
        reader.close()


def test_packed_read_equals_plain_rows(quiz_db: str) -> None:
    extra = add_learner(quiz_db)  # an account with no history at all
    conn = psycopg2.connect(quiz_db)
    try:
        with conn, conn.cursor() as cur:  # committed at the block's end
            # a word row without a date and never answered (counts from the earlier app)
            cur.execute(
                "INSERT INTO user_word_history (user_id, mot_id, last_seen, times_seen, "
                "times_correct) SELECT %s, min(mot_id), NULL, 3, 2 FROM mot",
                (str(extra),),
            )
        with conn, conn.cursor() as cur:
            cur.execute("SELECT user_id::text FROM authentication ORDER BY user_id")
            users = [r[0] for r in cur.fetchall()]
            got = read_all(quiz_db, [*users, str(uuid.uuid4())])
            assert got[-1] is None  # no account
            answered = 0
            for user, h in zip(users, got, strict=False):
                assert h is not None
                assert as_dict(h) == reference(cur, user)
                cur.execute(ANSWERS_SQL, (user,))
                want = sorted((m, t, bool(ok)) for m, t, ok in cur.fetchall())
                mot, at, ok = h.answers
                assert sorted(zip(mot.tolist(), at.tolist(), ok.tolist(), strict=True)) == want
                assert (mot.dtype, at.dtype, ok.dtype) == (np.int64, np.float64, np.bool_)
                answered += bool(want)
            assert answered >= 3  # the fixture's learners do have answers
            h = got[users.index(str(extra))]
            assert h is not None
            assert h.mot_id.size == 1
            assert np.isnan(h.last_seen[0])
            assert h.answers[0].size == 0
    finally:
        conn.close()


def test_a_new_learner_reads_empty(quiz_db: str) -> None:
    user = add_learner(quiz_db)
    (h,) = read_all(quiz_db, [str(user)])
    assert h is not None
    assert h.mot_id.size == 0
    assert h.answers[0].size == 0
    assert h.last_seen.dtype == h.answers[1].dtype == np.float64
