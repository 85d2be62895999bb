"""The learner's history in one query, and the atomic write of a finished quiz."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import Connection, text

from apps.quiz.reader import AsyncReader
from apps.quiz.recommender import FEELING_CODES

_FEELING_CASE = " ".join(f"WHEN '{k}' THEN {v}" for k, v in FEELING_CODES.items())

# Prepared once per connection of the hot read path (apps.quiz.reader): ``$1`` is the user id. No row
# when the learner has no account, else one row of two binary blobs (NULL when empty), so that a
# learner's hundreds of rows cost one value to send and parse (numpy reads them as packed records,
# WORD_ROW and ANSWER_ROW; int4send/float8send/int2send give the big-endian binary forms):
#   - user_word_history, one record per word: mot_id, times_seen, times_correct, last_seen (epoch
#     seconds, NaN when unknown), the word's latest feeling code;
#   - every answer (score_quiz + quiz.date), replayed into FSRS memory states (apps.quiz.memory):
#     mot_id, epoch seconds, right (0/1).
HISTORY_SQL = f"""
WITH feelings AS MATERIALIZED (
    SELECT DISTINCT ON (em.mot_id) em.mot_id, em.scale::text AS scale
      FROM quiz q
      CROSS JOIN LATERAL (  -- OFFSET 0 keeps the per-quiz index lookup whatever the statistics
            SELECT e.mot_id, e.scale FROM eval_mot e
             WHERE e.quiz_id = q.quiz_id AND e.scale IS NOT NULL OFFSET 0) em
     WHERE q.user_id = $1
     ORDER BY em.mot_id, q.date DESC NULLS LAST, em.scale  -- ties: a fixed choice
)
SELECT
    (SELECT string_agg(
                int4send(h.mot_id) || int4send(COALESCE(h.times_seen, 0))
                || int4send(COALESCE(h.times_correct, 0))
                || float8send(COALESCE(date_part('epoch', h.last_seen), 'NaN'))
                || int2send(CASE f.scale {_FEELING_CASE} ELSE 0 END::int2), ''::bytea)
       FROM user_word_history h
       LEFT JOIN feelings f ON f.mot_id = h.mot_id
      WHERE h.user_id = $1 AND h.mot_id IS NOT NULL),
    (SELECT string_agg(
                int4send(s.mot_id) || float8send(date_part('epoch', q.date))
                || int2send(s.score::int::int2), ''::bytea)
       FROM quiz q
       CROSS JOIN LATERAL (  -- the per-quiz index lookup, as above
             SELECT sq.mot_id, sq.score FROM score_quiz sq
              WHERE sq.quiz_id = q.quiz_id AND sq.score IS NOT NULL AND sq.mot_id IS NOT NULL
             OFFSET 0) s
      WHERE q.user_id = $1 AND q.date IS NOT NULL)
  FROM authentication a
 WHERE a.user_id = $1
"""
WORD_ROW = np.dtype(
    [("mot_id", ">i4"), ("seen", ">i4"), ("correct", ">i4"), ("last", ">f8"), ("feeling", ">i2")]
)
ANSWER_ROW = np.dtype([("mot_id", ">i4"), ("at", ">f8"), ("right", ">i2")])

READ_STATEMENTS = {
    "quiz_history": HISTORY_SQL,
    "quiz_stats": "SELECT count(*), max(date) FROM quiz WHERE user_id = $1",
}
USER_EXISTS_SQL = text("SELECT 1 FROM authentication WHERE user_id = :uid")


NO_ANSWERS = (np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool))


@dataclass(frozen=True)
class History:
    """Per-word rows of one learner (aligned arrays); ``last_seen`` in epoch seconds (nan);
    ``answers``: (mot_id, epoch seconds, right) of every answer, in no particular order."""

    mot_id: np.ndarray
    times_seen: np.ndarray
    times_correct: np.ndarray
    last_seen: np.ndarray
    feeling: np.ndarray
    answers: tuple[np.ndarray, np.ndarray, np.ndarray] = NO_ANSWERS


async def read_history(reader: AsyncReader, user_id: uuid.UUID) -> History | None:
    """The learner's history, or None when the user does not exist (one round trip)."""
    rows = await reader.fetchall("quiz_history", (str(user_id),))
    if not rows:
        return None
    words_blob, answers_blob = rows[0]
    words = np.frombuffer(words_blob or b"", WORD_ROW)
    answers = np.frombuffer(answers_blob or b"", ANSWER_ROW)
    return History(
        mot_id=words["mot_id"].astype(np.int64),
        times_seen=words["seen"].astype(np.float32),
        times_correct=words["correct"].astype(np.float32),
        last_seen=words["last"].astype(np.float64),
        feeling=words["feeling"].astype(np.int8),
        answers=(
            answers["mot_id"].astype(np.int64),
            answers["at"].astype(np.float64),
            answers["right"] > 0,
        ),
    )


async def quiz_stats(reader: AsyncReader, user_id: uuid.UUID) -> tuple[int, datetime | None]:
    """Number of quizzes taken and the date of the last one."""
    ((count, last),) = await reader.fetchall("quiz_stats", (str(user_id),))
    return int(count), last


@dataclass(frozen=True)
class Answer:
    """One answered word of a quiz."""

    mot_id: int
    correct: bool
    used_sign: bool
    feeling: str | None


def user_exists(conn: Connection, user_id: uuid.UUID) -> bool:
    """True when the learner has an account."""
    return conn.execute(USER_EXISTS_SQL, {"uid": user_id}).first() is not None


def write_quiz(
    conn: Connection,
    quiz_id: uuid.UUID,
    user_id: uuid.UUID,
    answers: list[Answer],
    taken_at: datetime,
    quiz_feeling: str | None,
) -> None:
    """Insert eval_quiz (first: quiz.quiz_id references it), quiz, score_quiz, view_sign,
    eval_mot and upsert user_word_history, inside the caller's transaction.

    Rows are written in ``mot_id`` order, so concurrent quizzes of one learner lock their
    user_word_history rows in the same order and cannot deadlock one another.
    """
    first_word = answers[0].mot_id  # quiz.mot_id: the quiz's first word, as the app sends it
    answers = sorted(answers, key=lambda a: a.mot_id)
    conn.execute(
        text(
            "INSERT INTO eval_quiz (eval_quizz_id, quiz_id, scale) "
            "VALUES (:e, :q, CAST(:s AS scale))"
        ),
        {"e": uuid.uuid4(), "q": quiz_id, "s": quiz_feeling},
    )
    conn.execute(
        text("INSERT INTO quiz (quiz_id, date, mot_id, user_id) VALUES (:q, :d, :m, :u)"),
        {"q": quiz_id, "d": taken_at, "m": first_word, "u": user_id},
    )
    scores = [
        {"s": uuid.uuid4(), "q": quiz_id, "m": a.mot_id, "c": a.correct, "g": a.used_sign}
        for a in answers
    ]
    conn.execute(
        text(
            "INSERT INTO score_quiz (score_id, quiz_id, mot_id, score, use_sign, count) "
            "VALUES (:s, :q, :m, :c, :g, 1)"
        ),
        scores,
    )
    signs = [{"s": row["s"]} for row in scores if row["g"]]
    if signs:
        conn.execute(text("INSERT INTO view_sign (score_id, flag) VALUES (:s, true)"), signs)
    feelings = [
        {"e": uuid.uuid4(), "q": quiz_id, "m": a.mot_id, "f": a.feeling}
        for a in answers
        if a.feeling
    ]
    if feelings:
        conn.execute(
            text(
                "INSERT INTO eval_mot (eval_mot_id, quiz_id, mot_id, scale) "
                "VALUES (:e, :q, :m, CAST(:f AS scale))"
            ),
            feelings,
        )
    conn.execute(
        text("""
        INSERT INTO user_word_history AS h (user_id, mot_id, last_seen, times_seen, times_correct)
        VALUES (:u, :m, :d, 1, :c)
        ON CONFLICT (user_id, mot_id) DO UPDATE
           SET times_seen = COALESCE(h.times_seen, 0) + 1,
               times_correct = COALESCE(h.times_correct, 0) + EXCLUDED.times_correct,
               last_seen = GREATEST(h.last_seen, EXCLUDED.last_seen)
    """),
        [{"u": user_id, "m": a.mot_id, "d": taken_at, "c": int(a.correct)} for a in answers],
    )
