"""The Quiz engine behind the routes: dictionary + model in memory, one query per request."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Connection, Engine

from apps.common.db import in_transaction
from apps.quiz import idempotency
from apps.quiz.dictionary import Dictionary
from apps.quiz.features import NEVER_SEEN_DAYS, LearnerSummary, feature_matrix, summarise
from apps.quiz.history import Answer, History, read_history, user_exists, write_quiz
from apps.quiz.model import QuizModel
from apps.quiz.reader import AsyncReader
from apps.quiz.recommender import (
    WEIGHTS,
    LearnerWords,
    ScoringWeights,
    basique_quota,
    estimated_retrievability,
    score,
    select,
    stability_scale,
    target_probability,
)


class UnknownUser(LookupError):
    """No account with this user id."""


class UnknownWords(ValueError):
    """Some mot_ids are not in the dictionary."""

    def __init__(self, mot_ids: list[int]) -> None:
        super().__init__(f"Unknown mot_id: {', '.join(map(str, mot_ids))}")
        self.mot_ids = mot_ids


@dataclass(frozen=True)
class Learner:
    """A learner's state aligned with the whole dictionary."""

    summary: LearnerSummary
    times_seen: np.ndarray
    times_correct: np.ndarray
    days_since: np.ndarray
    feeling: np.ndarray


@dataclass
class QuizService:
    """Recommendations, predictions, progress and quiz recording."""

    engine: Engine
    reads: AsyncReader
    dictionary: Dictionary
    model: QuizModel
    max_candidates: int = 300
    seed: int | None = None
    weights: ScoringWeights = WEIGHTS

    async def learner(self, user_id: uuid.UUID, now: float | None = None) -> Learner:
        """Read the learner's history (one query, awaited) and align it with the dictionary."""
        history = await read_history(self.reads, user_id)
        if history is None:
            raise UnknownUser(str(user_id))
        return self.align(history, time.time() if now is None else now)

    def align(self, h: History, now: float) -> Learner:
        """The learner's state over the whole dictionary from history rows, at epoch ``now``."""
        n = len(self.dictionary)
        pos, found = self.dictionary.positions(h.mot_id)
        pos = pos[found]
        seen = np.zeros(n, np.float32)
        right = np.zeros(n, np.float32)
        days = np.full(n, NEVER_SEEN_DAYS, np.float32)
        feeling = np.zeros(n, np.int8)
        seen[pos] = h.times_seen[found]
        right[pos] = h.times_correct[found]
        d = (now - h.last_seen[found]) / 86400.0
        days[pos] = np.where(np.isnan(d), NEVER_SEEN_DAYS, np.clip(d, 0.0, NEVER_SEEN_DAYS))
        feeling[pos] = h.feeling[found]
        words = self.dictionary.words
        summary = summarise(seen, right, words.is_basique, self.dictionary.n_basique)
        return Learner(summary, seen, right, days, feeling)

    def probabilities(self, learner: Learner, idx: np.ndarray, when: datetime) -> np.ndarray:
        """Model P(correct) for dictionary positions ``idx`` (one batched ONNX call)."""
        x = feature_matrix(
            self.dictionary.static[idx],
            learner.summary,
            learner.times_seen[idx],
            learner.times_correct[idx],
            learner.days_since[idx],
            when.hour,
            when.weekday(),
        )
        return self.model.predict(x)

    def candidates(
        self, learner: Learner, rng: np.random.Generator, scale: float = 1.0
    ) -> np.ndarray:
        """Recommendable seen words (up to half the budget, the most due first) + a random
        draw of unseen ones.

        A quarter of the draw is kept for unseen `basique` words (fewer if there are not so
        many), so the basics quota (up to half a list of 50) can be filled from a tight budget.
        """
        d = self.dictionary
        seen = np.flatnonzero(d.recommendable & (learner.times_seen > 0))
        half = self.max_candidates // 2
        if seen.size > half:  # the least retrievable (most due for review) first
            r = estimated_retrievability(
                learner.times_seen[seen],
                learner.times_correct[seen],
                learner.days_since[seen],
                self.weights,
                scale,
            )
            seen = seen[np.argpartition(r, half)[:half]]
        budget = self.max_candidates - seen.size
        unseen = d.recommendable & (learner.times_seen == 0)
        basics = np.flatnonzero(unseen & d.words.is_basique)
        others = np.flatnonzero(unseen & ~d.words.is_basique)
        take_b = min(basics.size, budget // 4)
        take_o = min(others.size, budget - take_b)
        take_b = min(basics.size, budget - take_o)  # basics fill what the others cannot
        return np.concatenate([seen, _draw(basics, take_b, rng), _draw(others, take_o, rng)])

    async def recommend(
        self, user_id: uuid.UUID, n: int, seed: int | None = None
    ) -> list[tuple[int, float]]:
        """(dictionary position, score) of ``n`` words, best first, distinct spellings."""
        return self.rank(await self.learner(user_id), n, seed)

    def rank(
        self,
        learner: Learner,
        n: int,
        seed: int | None = None,
        when: datetime | None = None,
    ) -> list[tuple[int, float]]:
        """The CPU part of :meth:`recommend` (about 1 ms, run on the event loop)."""
        rng = np.random.default_rng(self.seed if seed is None else seed)
        w = self.weights
        scale = stability_scale(learner.times_seen, learner.times_correct, w)
        idx = self.candidates(learner, rng, scale)
        p = self.probabilities(learner, idx, when or datetime.now())
        state = LearnerWords(
            learner.times_seen[idx],
            learner.times_correct[idx],
            learner.days_since[idx],
            learner.feeling[idx],
        )
        s = learner.summary
        w = self.weights
        target = target_probability(learner.feeling, s.accuracy if s.answers else None, w)
        niv = self.dictionary.words.niv_diff[idx]
        scores = score(p, niv, state, s.level, target, rng, w, scale)
        quota = basique_quota(n, s.level, s.basique_mastery, w, target)
        chosen = select(
            scores,
            self.dictionary.spelling[idx],
            self.dictionary.words.is_basique[idx],
            n,
            quota,
            self.dictionary.group[idx],
            w,
        )
        return list(zip(idx[chosen].tolist(), scores[chosen].tolist(), strict=True))

    async def predict(self, user_id: uuid.UUID, mot_ids: list[int]) -> tuple[Learner, np.ndarray]:
        """The learner and P(correct) for each of ``mot_ids`` (all must exist)."""
        pos = self.positions(mot_ids)
        learner = await self.learner(user_id)
        return learner, self.probabilities(learner, pos, datetime.now())

    def positions(self, mot_ids: list[int]) -> np.ndarray:
        """Dictionary positions of ``mot_ids``; raises ``UnknownWords`` naming the missing ones."""
        ids = np.array(mot_ids, dtype=np.int64)
        pos, found = self.dictionary.positions(ids)
        if not found.all():
            raise UnknownWords(sorted(set(ids[~found].tolist())))
        return pos

    def record(
        self,
        user_id: uuid.UUID,
        answers: list[Answer],
        taken_at: datetime | None,
        quiz_feeling: str | None,
        key: tuple[str, str] | None = None,
    ) -> idempotency.Recorded:
        """Write a finished quiz atomically; nothing is written when anything is wrong.

        ``key`` is (Idempotency-Key, request fingerprint): a request repeating a key gets the
        first request's result and writes nothing. Deadlocks and serialization failures are
        retried (the whole transaction, a few times).
        """
        self.positions([a.mot_id for a in answers])
        when = taken_at or datetime.now(UTC)

        def work(conn: Connection) -> idempotency.Recorded:
            if not user_exists(conn, user_id):
                raise UnknownUser(str(user_id))
            quiz_id = uuid.uuid4()
            if key is not None:
                first = idempotency.claim(conn, user_id, *key, quiz_id, len(answers))
                if first is not None:
                    return first
            write_quiz(conn, quiz_id, user_id, answers, when, quiz_feeling)
            return idempotency.Recorded(quiz_id, len(answers))

        return in_transaction(self.engine, work)


def _draw(pool: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` distinct items of ``pool`` at random (all of them, in order, when k covers it)."""
    return pool if k >= pool.size else rng.choice(pool, size=k, replace=False)
