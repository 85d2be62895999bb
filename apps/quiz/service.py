"""The Quiz engine behind the routes: dictionary + model in memory, one query per request."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

import numpy as np
from sqlalchemy import Engine

from apps.quiz.dictionary import Dictionary
from apps.quiz.features import NEVER_SEEN_DAYS, LearnerSummary, feature_matrix, summarise
from apps.quiz.history import Answer, History, read_history, user_exists, write_quiz
from apps.quiz.model import QuizModel
from apps.quiz.recommender import (
    WEIGHTS,
    LearnerWords,
    ScoringWeights,
    basique_quota,
    score,
    select,
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
    dictionary: Dictionary
    model: QuizModel
    max_candidates: int = 600
    seed: int | None = None
    weights: ScoringWeights = WEIGHTS

    @cached_property
    def reader(self) -> Engine:
        """The same pool in autocommit: a read needs no BEGIN and no ROLLBACK round trip."""
        return self.engine.execution_options(isolation_level="AUTOCOMMIT")

    def learner(self, user_id: uuid.UUID, now: float | None = None) -> Learner:
        """Read the learner's history (one query) and align it with the dictionary."""
        history = read_history(self.reader, user_id)
        if history is None:
            raise UnknownUser(str(user_id))
        return self._align(history, time.time() if now is None else now)

    def _align(self, h: History, now: float) -> Learner:
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

    def candidates(self, learner: Learner, rng: np.random.Generator) -> np.ndarray:
        """Every recommendable seen word (up to half the budget) + a random draw of unseen ones."""
        ok = self.dictionary.recommendable
        seen = np.flatnonzero(ok & (learner.times_seen > 0))
        half = self.max_candidates // 2
        if seen.size > half:
            seen = rng.choice(seen, size=half, replace=False)
        unseen = np.flatnonzero(ok & (learner.times_seen == 0))
        k = min(unseen.size, self.max_candidates - seen.size)
        if k < unseen.size:
            unseen = rng.choice(unseen, size=k, replace=False)
        return np.concatenate([seen, unseen])

    def recommend(
        self, user_id: uuid.UUID, n: int, seed: int | None = None
    ) -> list[tuple[int, float]]:
        """(dictionary position, score) of ``n`` words, best first, distinct spellings."""
        learner = self.learner(user_id)
        rng = np.random.default_rng(self.seed if seed is None else seed)
        idx = self.candidates(learner, rng)
        p = self.probabilities(learner, idx, datetime.now())
        state = LearnerWords(
            learner.times_seen[idx],
            learner.times_correct[idx],
            learner.days_since[idx],
            learner.feeling[idx],
        )
        s = learner.summary
        w = self.weights
        scores = score(
            p,
            self.dictionary.words.niv_diff[idx],
            state,
            s.level,
            target_probability(learner.feeling, w),
            rng,
            w,
        )
        quota = basique_quota(n, s.level, s.basique_mastery, w)
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

    def predict(self, user_id: uuid.UUID, mot_ids: list[int]) -> tuple[Learner, np.ndarray]:
        """The learner and P(correct) for each of ``mot_ids`` (all must exist)."""
        pos = self.positions(mot_ids)
        learner = self.learner(user_id)
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
    ) -> uuid.UUID:
        """Write a finished quiz atomically; nothing is written when anything is wrong."""
        self.positions([a.mot_id for a in answers])
        when = taken_at or datetime.now(UTC)
        with self.engine.begin() as conn:
            if not user_exists(conn, user_id):
                raise UnknownUser(str(user_id))
            return write_quiz(conn, user_id, answers, when, quiz_feeling)
