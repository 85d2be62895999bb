"""The learner's history in one query, and the atomic write of a finished quiz."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import Connection, Engine, text

from apps.quiz.recommender import FEELING_CODES

# Sent with exec_driver_sql (psycopg2 placeholders): the hot path skips SQL compilation.
HISTORY_SQL = """
WITH feelings AS MATERIALIZED (
    SELECT DISTINCT ON (em.mot_id) em.mot_id, em.scale::text AS scale
      FROM quiz q
      CROSS JOIN LATERAL (  -- OFFSET 0 keeps the per-quiz index lookup whatever the statistics
            SELECT e.mot_id, e.scale FROM eval_mot e
             WHERE e.quiz_id = q.quiz_id AND e.scale IS NOT NULL OFFSET 0) em
     WHERE q.user_id = %(uid)s
     ORDER BY em.mot_id, q.date DESC NULLS LAST
)
SELECT h.mot_id, h.times_seen, h.times_correct, EXTRACT(EPOCH FROM h.last_seen)::float8, f.scale
  FROM authentication a
  LEFT JOIN user_word_history h ON h.user_id = a.user_id
  LEFT JOIN feelings f ON f.mot_id = h.mot_id
 WHERE a.user_id = %(uid)s
"""

QUIZ_STATS_SQL = text("SELECT count(*), max(date) FROM quiz WHERE user_id = :uid")
USER_EXISTS_SQL = text("SELECT 1 FROM authentication WHERE user_id = :uid")


@dataclass(frozen=True)
class History:
    """Per-word rows of one learner (aligned arrays); ``last_seen`` in epoch seconds (nan)."""

    mot_id: np.ndarray
    times_seen: np.ndarray
    times_correct: np.ndarray
    last_seen: np.ndarray
    feeling: np.ndarray


def read_history(engine: Engine, user_id: uuid.UUID) -> History | None:
    """The learner's history, or None when the user does not exist (one round trip)."""
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(HISTORY_SQL, {"uid": str(user_id)}).fetchall()
    if not rows:
        return None
    rows = [r for r in rows if r[0] is not None]
    if not rows:
        return History(
            *(np.zeros(0, dtype=t) for t in (np.int64, np.float32, np.float32, np.float64, np.int8))
        )
    mot_id, seen, right, last, scale = zip(*rows, strict=True)
    return History(
        mot_id=np.array(mot_id, dtype=np.int64),
        times_seen=np.array([v or 0 for v in seen], dtype=np.float32),
        times_correct=np.array([v or 0 for v in right], dtype=np.float32),
        last_seen=np.array([np.nan if v is None else v for v in last], dtype=np.float64),
        feeling=np.array([FEELING_CODES.get(v, 0) for v in scale], dtype=np.int8),
    )


def quiz_stats(engine: Engine, user_id: uuid.UUID) -> tuple[int, datetime | None]:
    """Number of quizzes taken and the date of the last one."""
    with engine.connect() as conn:
        count, last = conn.execute(QUIZ_STATS_SQL, {"uid": user_id}).one()
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
    user_id: uuid.UUID,
    answers: list[Answer],
    taken_at: datetime,
    quiz_feeling: str | None,
) -> uuid.UUID:
    """Insert eval_quiz (first: quiz.quiz_id references it), quiz, score_quiz, view_sign,
    eval_mot and upsert user_word_history, inside the caller's transaction."""
    quiz_id = uuid.uuid4()
    conn.execute(
        text(
            "INSERT INTO eval_quiz (eval_quizz_id, quiz_id, scale) "
            "VALUES (:e, :q, CAST(:s AS scale))"
        ),
        {"e": uuid.uuid4(), "q": quiz_id, "s": quiz_feeling},
    )
    conn.execute(
        text("INSERT INTO quiz (quiz_id, date, mot_id, user_id) VALUES (:q, :d, :m, :u)"),
        {"q": quiz_id, "d": taken_at, "m": answers[0].mot_id, "u": user_id},
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
    return quiz_id
