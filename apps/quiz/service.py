"""The Quiz engine behind the routes: dictionary + model in memory, one query per request."""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Connection, Engine

from apps.common.db import in_transaction
from apps.quiz import idempotency, memory
from apps.quiz.dictionary import Dictionary
from apps.quiz.features import NEVER_SEEN_DAYS, LearnerSummary, feature_matrix, summarise
from apps.quiz.history import Answer, History, read_history, user_exists, write_quiz
from apps.quiz.model import QuizModel
from apps.quiz.reader import AsyncReader
from apps.quiz.recommender import (
    TOO_EASY,
    WEIGHTS,
    ScoringWeights,
    basique_quota,
    due_reviews,
    estimated_retrievability,
    first_spellings,
    hard_words_plan,
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
    """A learner's state aligned with the whole dictionary; ``recall``: each seen word's
    retrievability now (FSRS-6, ``memory_scale`` applied); ``recent_accuracy``: share of right
    answers among the last ones (None before any answer); ``rows_at``: the positions of the
    words with a history row, ascending (every other word is unseen and has no feeling)."""

    summary: LearnerSummary
    times_seen: np.ndarray
    times_correct: np.ndarray
    days_since: np.ndarray
    feeling: np.ndarray
    recall: np.ndarray
    stability: np.ndarray
    reviewable: np.ndarray
    rows_at: np.ndarray
    memory_scale: float = 1.0
    recent_accuracy: float | None = None


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
    frequent_candidates: int = 100
    # unseeded service: one generator for all requests (seeding one per request costs more)
    _rng: np.random.Generator = field(default_factory=np.random.default_rng, init=False, repr=False)

    async def learner(self, user_id: uuid.UUID, now: float | None = None) -> Learner:
        """Read the learner's history (one query, awaited) and align it with the dictionary."""
        history = await read_history(self.reads, user_id)
        if history is None:
            raise UnknownUser(str(user_id))
        # to the minute: the same request a moment later gets the same list (seeded service)
        return self.align(history, time.time() // 60 * 60 if now is None else now)

    def align(self, h: History, now: float) -> Learner:
        """The learner's state over the whole dictionary from history rows, at epoch ``now``."""
        n = len(self.dictionary)
        pos, found = self.dictionary.positions(h.mot_id)
        pos = pos[found]
        rows_at = _distinct_sorted(pos)
        seen = np.zeros(n, np.float32)
        right = np.zeros(n, np.float32)
        days = np.full(n, NEVER_SEEN_DAYS, np.float32)
        feeling = np.zeros(n, np.int8)
        seen[pos] = h.times_seen[found]
        right[pos] = h.times_correct[found]
        d = (now - h.last_seen[found]) / 86400.0
        days[pos] = np.where(np.isnan(d), NEVER_SEEN_DAYS, np.clip(d, 0.0, NEVER_SEEN_DAYS))
        feeling[pos] = h.feeling[found]
        words, w = self.dictionary.words, self.weights
        # over the words with a row: the others add nothing (counts 0, sums of whole numbers)
        summary = summarise(
            seen[rows_at], right[rows_at], words.is_basique[rows_at], self.dictionary.n_basique
        )
        # words with counts but no answer rows (restored from the earlier app): from counts
        recall = np.ones(n, np.float64)
        recall[pos] = estimated_retrievability(seen[pos], right[pos], days[pos], w)
        stability = np.zeros(n, np.float64)
        reviewable = np.ones(n, bool)
        scale, recent = 1.0, summary.accuracy if summary.answers else None
        mot, at, ok = h.answers
        if mot.size:
            state = memory.replay(mot, at / 86400.0, ok)
            wpos, wfound = self.dictionary.positions(state.word)
            # memory scales by class of word: felt 'Trop facile' (latest feeling), else
            # first answer right, else wrong: words known before are hardly ever forgotten
            easy = np.zeros(state.word.size, bool)
            easy[wfound] = feeling[wpos[wfound]] == TOO_EASY
            word_class = np.where(easy, 0, np.where(state.first_right, 1, 2))
            fit = memory.review_likelihood(state)  # shared by both fits below
            k = memory.memory_scales(state, word_class, 3, w.scale_prior_sd, fit)
            # a class whose reviews barely help (scale at the grid's floor) is not reviewed
            futile = k <= w.futile_scale
            easy_reviews = word_class[fit.review_word] == 0  # the reviews the fit counts
            judged = easy_reviews.sum() >= w.min_easy_reviews  # enough to judge easy words
            if judged and k[0] < w.known_scale:
                # words felt easy are forgotten too: memory is not "known or not", so the
                # feeling split only sorts words by their latest outcome (it biases each
                # class's scale); one scale for the words first answered right, all reviewed
                word_class = np.where(state.first_right, 1, 2)
                k = memory.memory_scales(state, word_class, 3, w.scale_prior_sd, fit)
                futile[:] = False
            elif judged:
                # words felt easy are never forgotten: "known or not"; reviews that do not
                # hold a class as well are better spent on new words
                futile = k <= w.known_futile_scale
            futile[2] |= not w.review_missed_first  # missed at first: relearned as harder items
            scales = k[word_class]
            reviewable[wpos[wfound]] = ~futile[word_class[wfound]]
            scale = float(np.add.reduce(scales) / scales.size)  # np.mean's arithmetic
            elapsed = now / 86400.0 - state.last[wfound]
            s_now = scales[wfound] * state.stability[wfound]
            recall[wpos[wfound]] = memory.retrievability(s_now, elapsed)
            stability[wpos[wfound]] = s_now
            recent = float(ok[latest_rows(mot, at, w.recent_answers)].mean())
        return Learner(
            summary,
            seen,
            right,
            days,
            feeling,
            recall,
            stability,
            reviewable,
            rows_at,
            scale,
            recent,
        )

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
        """``max_candidates`` unseen recommendable words: the ``frequent_candidates`` most
        frequent ones (the likeliest known; at most a third) and a random draw of the others.

        A quarter of the candidates is kept for `basique` words (fewer if there are not so many),
        so the basics quota (up to half a list of 50) can be filled.
        """
        d = self.dictionary
        top = min(self.frequent_candidates, self.max_candidates // 3)
        at = learner.rows_at  # the only positions whose count may not be 0
        shown = at[learner.times_seen[at] != 0]
        order = d.frequent_first[: top + shown.size]  # holds the first ``top`` unshown ones
        frequent = order[learner.times_seen[order] == 0][:top]
        budget = self.max_candidates - frequent.size
        gone = np.concatenate([shown, frequent])  # distinct positions
        basics, others = d.recommendable_basique, d.recommendable_other
        gone_b, gone_o = _indices_in(basics, gone), _indices_in(others, gone)
        n_b, n_o = basics.size - gone_b.size, others.size - gone_o.size
        take_b = min(n_b, self.max_candidates // 4, budget)
        take_o = min(n_o, budget - take_b)
        take_b = min(n_b, budget - take_o)  # basics fill what the others cannot
        return np.concatenate(
            [
                frequent,
                _draw_without(basics, gone_b, take_b, rng),
                _draw_without(others, gone_o, take_o, rng),
            ]
        )

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
        """The CPU part of :meth:`recommend` (about 1 ms, run on the event loop).

        Due reviews first (score 2 − R), then new words (score = the model's P(correct))
        chosen so the list's expected success is the learner's target; ``n`` words whenever
        the dictionary has ``n`` spellings (seen words not due fill any shortfall).
        """
        if seed is None and self.seed is None:
            rng = self._rng
        else:
            rng = np.random.default_rng(self.seed if seed is None else seed)
        d, w, s = self.dictionary, self.weights, learner.summary
        at = learner.rows_at  # feelings and counts are 0 elsewhere
        target = target_probability(learner.feeling[at], learner.recent_accuracy, w)
        seen = at[d.recommendable[at] & (learner.times_seen[at] > 0)]
        seen = first_spellings(seen[np.argsort(learner.recall[seen], kind="stable")], d.spelling)
        cap = n - max(1, math.ceil(n * (1.0 - w.max_review_share))) if n > 1 else 0
        r_seen = np.where(learner.reviewable[seen], learner.recall[seen], 0.0)  # futile: lapsed
        on_time, lapsed = due_reviews(r_seen, learner.stability[seen], cap, w)
        reviews, lapsed = seen[on_time], seen[lapsed]
        r_rev = learner.recall[reviews].astype(np.float64)
        k = n - reviews.size
        new = self.candidates(learner, rng)
        new = new[~d.spelling_in(d.spelling[new], d.spelling[reviews])]
        p_new = self.probabilities(learner, new, when or datetime.now()).astype(np.float64)
        j, h = hard_words_plan(p_new, k, target * n - float(r_rev.sum()), w)
        h = round(h * 50.0) / 50.0  # steps of 0.02: the same list a moment later
        # harder items: new words or forgotten ones (relearning), P or R nearest h
        pool = np.concatenate([new, lapsed])
        p_pool = np.concatenate([p_new, learner.recall[lapsed]])
        spelling, group, basique = d.spelling[pool], d.group[pool], d.words.is_basique[pool]
        near = -np.abs(p_pool - h) + 0.1 * w.noise * rng.random(pool.size)
        hard = select(near, spelling, basique, j, 0, group, w)
        free = np.ones(new.size, bool)
        free[hard[hard < new.size]] = False
        easy = np.flatnonzero(free)
        if hard.size:
            easy = easy[~d.spelling_in(spelling[easy], spelling[hard])]
        noisy = p_new[easy] + w.noise * rng.random(easy.size)
        quota = basique_quota(n, s.level, s.basique_mastery, w, target)  # of the whole list
        quota -= int(d.words.is_basique[reviews].sum() + basique[hard].sum())
        quota = min(max(quota, 0), k - j)
        easy = easy[select(noisy, spelling[easy], basique[easy], k - j, quota, group[easy], w)]
        rest = np.concatenate([easy, hard])
        picks = [(int(i), 2.0 - float(r)) for i, r in zip(reviews, r_rev, strict=True)]
        picks += [(int(pool[i]), float(p_pool[i])) for i in rest[np.argsort(-p_pool[rest])]]
        if len(picks) < n:  # few unseen words left: seen words not due, least retrievable first
            taken = {int(d.spelling[i]) for i, _ in picks}
            spare = [int(i) for i in seen if int(d.spelling[i]) not in taken]
            picks += [(i, 1.0 - float(learner.recall[i])) for i in spare[: n - len(picks)]]
        return sorted(picks, key=lambda pick: -pick[1])

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


def latest_rows(mot: np.ndarray, at: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` latest answers (by time, then word; rows in any order): the
    tail of a full sort, sorting only the rows at or after the ``count``-th latest time."""
    if at.size > count:
        cut = np.partition(at, at.size - count)[at.size - count]
        tail = np.flatnonzero(at >= cut)
        return tail[np.lexsort((mot[tail], at[tail]))][-count:]
    return np.lexsort((mot, at))


def _distinct_sorted(values: np.ndarray) -> np.ndarray:
    """np.unique(values) for a 1-d integer array, without its overhead on small arrays."""
    ordered = np.sort(values)
    first = np.ones(ordered.size, bool)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


def _indices_in(pool: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Ascending indices into ``pool`` (ascending, distinct) of those of ``values`` it holds."""
    if not pool.size:
        return np.zeros(0, np.intp)
    at = np.minimum(np.searchsorted(pool, values), pool.size - 1)
    return np.sort(at[pool[at] == values])


def _draw_without(
    pool: np.ndarray, removed: np.ndarray, k: int, rng: np.random.Generator
) -> np.ndarray:
    """``k`` distinct items at random of ``pool`` without the items at indices ``removed``
    (ascending, distinct); all of them, in order, when ``k`` covers them. The same draw as
    ``rng.choice(np.delete(pool, removed), k, replace=False)`` (which draws indices as
    ``rng.choice`` of the size does), without building the remaining pool."""
    size = pool.size - removed.size
    if k >= size:
        return np.delete(pool, removed)
    idx = rng.choice(size, size=k, replace=False)
    # the remaining item idx is pool[idx + how many removed indices come before it]
    return pool[idx + np.searchsorted(removed - np.arange(removed.size), idx, side="right")]
