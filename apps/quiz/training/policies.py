"""Quiz policies compared by the policy evaluation (``make eval-quiz-policy``).

Each policy sees what the API sees — the learner's per-word history as the database holds it
(``AppHistory``) — and returns the positions of the words of today's quiz. ``ours`` calls the
service's own functions (``QuizService.align`` + ``QuizService.rank``, the code behind
``POST /get_recommendations``) on the in-memory dictionary and the served ONNX model, without
HTTP or the database read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from fsrs import Card, Rating, Scheduler

from apps.quiz.features import summarise
from apps.quiz.history import NO_ANSWERS, History
from apps.quiz.recommender import FEELING_CODES
from apps.quiz.service import QuizService
from apps.quiz.training.worlds import FsrsLearner, SimulatorLearner

QUIZ_SIZE = 10
EARLIER_CANDIDATES = 1000  # the earlier service scored every word; a sample keeps the eval fast


@dataclass
class AppHistory:
    """A learner's history as ``user_word_history`` + ``eval_mot`` + ``score_quiz`` hold it."""

    n_words: int
    times_seen: np.ndarray = field(init=False)
    times_correct: np.ndarray = field(init=False)
    last_seen: np.ndarray = field(init=False)  # epoch seconds, nan = never
    feeling: np.ndarray = field(init=False)  # latest feeling code per word, 0 = none
    answers: list[tuple[np.ndarray, float, np.ndarray]] = field(init=False)  # score_quiz rows

    def __post_init__(self) -> None:
        self.answers = []
        self.times_seen = np.zeros(self.n_words, np.float32)
        self.times_correct = np.zeros(self.n_words, np.float32)
        self.last_seen = np.full(self.n_words, np.nan)
        self.feeling = np.zeros(self.n_words, np.int8)

    def record(
        self, idx: np.ndarray, correct: np.ndarray, when: datetime, feelings: list[str | None]
    ) -> None:
        """A finished quiz, as ``POST /v1/quizzes`` writes it."""
        self.times_seen[idx] += 1
        self.times_correct[idx] += correct
        self.last_seen[idx] = when.timestamp()
        self.answers.append((idx.copy(), when.timestamp(), np.asarray(correct, bool).copy()))
        codes = np.array([FEELING_CODES.get(f or "", 0) for f in feelings], np.int8)
        given = codes > 0
        self.feeling[idx[given]] = codes[given]

    def rows(self, mot_id: np.ndarray) -> History:
        """The rows ``read_history`` would return."""
        pos = np.flatnonzero(self.times_seen > 0)
        if self.answers:
            words = np.concatenate([a[0] for a in self.answers])
            at = np.concatenate([np.full(a[0].size, a[1]) for a in self.answers])
            ok = np.concatenate([a[2] for a in self.answers])
            answers = (mot_id[words], at, ok)
        else:
            answers = NO_ANSWERS
        return History(
            mot_id=mot_id[pos],
            times_seen=self.times_seen[pos],
            times_correct=self.times_correct[pos],
            last_seen=self.last_seen[pos],
            feeling=self.feeling[pos],
            answers=answers,
        )


class Policy:
    """Chooses a quiz; ``observe`` lets schedulers keep their own state (FSRS cards)."""

    name = "policy"

    def reset(self, seed: int) -> None:
        """A new learner."""
        self.rng = np.random.default_rng(seed)

    def bind(self, world: FsrsLearner | SimulatorLearner) -> None:
        """The world's learner (only an oracle reads it; real policies see ``AppHistory``)."""

    def choose(self, app: AppHistory, when: datetime) -> np.ndarray:
        """Dictionary positions of today's words."""
        raise NotImplementedError

    def observe(self, idx: np.ndarray, correct: np.ndarray, when: datetime) -> None:
        """The learner's answers to the words chosen."""


class Ours(Policy):
    """The served recommender: ``QuizService.align`` then ``QuizService.rank``."""

    name = "ours"

    def __init__(self, svc: QuizService) -> None:
        self.svc = svc

    def choose(self, app: AppHistory, when: datetime, n: int = QUIZ_SIZE) -> np.ndarray:
        learner = self.svc.align(app.rows(self.svc.dictionary.words.mot_id), when.timestamp())
        seed = int(self.rng.integers(0, 2**31))
        return np.array([i for i, _ in self.svc.rank(learner, n, seed, when)], np.int64)


class RandomAtLevel(Policy):
    """Random recommendable words of the niv_diff matching the learner's level."""

    name = "random"

    def __init__(self, svc: QuizService) -> None:
        d = svc.dictionary
        self.d = d
        self.by_niv = {
            v: np.flatnonzero(d.recommendable & (d.words.niv_diff == v)) for v in (1, 2, 3)
        }

    def choose(self, app: AppHistory, when: datetime) -> np.ndarray:
        w = self.d.words
        level = summarise(app.times_seen, app.times_correct, w.is_basique, self.d.n_basique).level
        pool = self.by_niv[round(1 + (level - 1) / 2)]
        pool = pool if pool.size >= QUIZ_SIZE else np.flatnonzero(self.d.recommendable)
        return self.rng.choice(pool, size=QUIZ_SIZE, replace=False)


class Earlier(Policy):
    """The earlier service's scoring, re-implemented from its description (EARLIER_VERSION.md).

    Level = 1 + 5 × average score; score = (0.2 difficulty fit + 0.2 novelty + 0.1 recency
    + 0.2 × 0.5 + 0.2 (1 − P) + 0.1 experience) × basique bonus (1.5 + 1 − basique mastery);
    new learners (< 10 words) get ×1.5 on basics and ×1.3 on easy words and no level-3 words;
    feedback is ignored (its labels never matched); final = 0.7 score + 0.3 noise; half
    (new learner) or 30 % of the list from basique, the rest from the best of all others.
    P comes from our served model (the earlier pickled model is not kept).
    """

    name = "earlier"

    def __init__(self, svc: QuizService) -> None:
        self.svc = svc
        self.pool = np.flatnonzero(svc.dictionary.recommendable)

    def choose(self, app: AppHistory, when: datetime) -> np.ndarray:
        d = self.svc.dictionary
        w = d.words
        seen = np.flatnonzero(app.times_seen > 0)
        draw = self.rng.choice(
            self.pool, size=min(EARLIER_CANDIDATES, self.pool.size), replace=False
        )
        idx = np.union1d(seen, draw)
        learner = self.svc.align(app.rows(w.mot_id), when.timestamp())
        p = self.svc.probabilities(learner, idx, when)
        answers = float(app.times_seen.sum())
        avg = float(app.times_correct.sum()) / answers if answers else 0.0
        level = min(5, max(1, int(avg * 5) + 1))
        b_seen = (app.times_seen > 0) & w.is_basique
        b_right = (app.times_correct > 0) & w.is_basique
        mastery = b_right.sum() / b_seen.sum() if b_seen.any() else 0.0
        n_seen = int((app.times_seen > 0).sum())
        new_user = n_seen < 10
        niv = w.niv_diff[idx]
        days = np.where(
            np.isnan(app.last_seen[idx]), 9999.0, (when.timestamp() - app.last_seen[idx]) / 86400
        )
        score = (
            0.2 * (1 - np.abs(niv - level) / max(level, 5))
            + 0.2 / (app.times_seen[idx] + 1)
            + 0.1 / (days + 1)
            + 0.2 * 0.5
            + 0.2 * (1 - p)
            + 0.1 / (n_seen + 1)
        ) * np.where(w.is_basique[idx], 1.5 + (1 - mastery), 1.0)
        if new_user:
            score = score * np.where(w.is_basique[idx], 1.5, 1.0) * np.where(niv <= 2, 1.3, 1.0)
            keep = niv <= 2
            idx, score = idx[keep], score[keep]
        final = 0.7 * score + 0.3 * self.rng.random(idx.size)
        n_b = max(5, QUIZ_SIZE // 2) if new_user else max(3, int(QUIZ_SIZE * 0.3))
        basique = w.is_basique[idx]
        b_order = np.flatnonzero(basique)[np.argsort(-final[basique])][:n_b]
        rest = np.setdiff1d(np.arange(idx.size), b_order)
        o_order = rest[np.argsort(-final[rest])][: QUIZ_SIZE - b_order.size]
        return idx[np.concatenate([b_order, o_order])]


class FsrsScheduler(Policy):
    """py-fsrs (default FSRS-6 parameters): due reviews first (lowest retrievability first),
    then new words by children's frequency (adult frequency when the dictionary has none)."""

    def __init__(self, svc: QuizService, desired_retention: float) -> None:
        d = svc.dictionary
        self.name = f"fsrs@{desired_retention:.2f}"
        self.scheduler = Scheduler(
            desired_retention=desired_retention,
            learning_steps=(),
            relearning_steps=(),
            enable_fuzzing=False,
        )
        freq = d.static[:, 5]  # log_child_freq (falls back to books in old dumps)
        order = np.lexsort((np.arange(len(d)), -freq))
        self.by_freq = order[d.recommendable[order]]
        self.spelling = d.spelling
        self.cards: dict[int, Card] = {}

    def reset(self, seed: int) -> None:
        super().reset(seed)
        self.cards = {}
        self.next_new = 0

    def due(self, when: datetime, limit: int) -> list[int]:
        """Words due by ``when``, least retrievable first."""
        due = [(i, c) for i, c in self.cards.items() if c.due is not None and c.due <= when]
        due.sort(key=lambda ic: self.scheduler.get_card_retrievability(ic[1], when))
        return [i for i, _ in due[:limit]]

    def new_words(self, k: int, taken: set[int]) -> list[int]:
        """The next ``k`` unseen words by frequency, distinct spellings from ``taken``."""
        out: list[int] = []
        spellings = {int(self.spelling[i]) for i in taken}
        while len(out) < k and self.next_new < self.by_freq.size:
            i = int(self.by_freq[self.next_new])
            self.next_new += 1
            if i not in self.cards and int(self.spelling[i]) not in spellings:
                out.append(i)
                spellings.add(int(self.spelling[i]))
        return out

    def choose(self, app: AppHistory, when: datetime) -> np.ndarray:
        review = self.due(when, QUIZ_SIZE)
        return np.array(review + self.new_words(QUIZ_SIZE - len(review), set(review)), np.int64)

    def observe(self, idx: np.ndarray, correct: np.ndarray, when: datetime) -> None:
        for i, ok in zip(idx.tolist(), correct.tolist(), strict=True):
            card = self.cards.get(i) or Card(card_id=i + 1, due=when)
            rating = Rating.Good if ok else Rating.Again
            self.cards[i], _ = self.scheduler.review_card(card, rating, when)


class OursWithFsrs(FsrsScheduler):
    """FSRS schedules the reviews (due first); the served recommender picks the new words."""

    def __init__(self, svc: QuizService, desired_retention: float) -> None:
        super().__init__(svc, desired_retention)
        self.name = f"ours+fsrs@{desired_retention:.2f}"
        self.ours = Ours(svc)

    def reset(self, seed: int) -> None:
        super().reset(seed)
        self.ours.reset(seed)

    def choose(self, app: AppHistory, when: datetime) -> np.ndarray:
        review = self.due(when, QUIZ_SIZE)
        ranked = self.ours.choose(app, when, 3 * QUIZ_SIZE)
        picks = [int(i) for i in ranked if app.times_seen[i] == 0]
        spellings = {int(self.spelling[i]) for i in review}
        for i in picks:
            if len(review) < QUIZ_SIZE and int(self.spelling[i]) not in spellings:
                review.append(i)
                spellings.add(int(self.spelling[i]))
        if len(review) < QUIZ_SIZE:
            review += self.new_words(QUIZ_SIZE - len(review), set(review))
        return np.array(review, np.int64)


def when_of(start: datetime, day: int, hour: int) -> datetime:
    """The quiz's moment: ``day`` days after ``start`` at ``hour`` (UTC)."""
    return start + timedelta(days=day, hours=hour)


EPOCH = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday: day 0 of every simulated learner
