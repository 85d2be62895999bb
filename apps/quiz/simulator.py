"""Learner simulator: exact probabilities of a correct answer, used for training and demo data.

A learner has a latent ability ``theta``, a learning rate and a forgetting half-life; a word has
a difficulty from its dictionary features. Each word's memory grows with every answer and
decays exponentially with time. P(correct) = sigmoid(base + theta - difficulty + memory
- evening penalty). See docs/models/quiz.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from apps.quiz.features import NEVER_SEEN_DAYS, WordTable, feature_matrix, summarise

QUIZ_SIZE = 10
THETA_SD = 1.0  # spread of latent ability across learners


@dataclass(frozen=True)
class SimParams:
    """Coefficients of the simulator (the "true" model)."""

    base: float = 1.1
    w_niv: float = 0.9  # per difficulty level above "medium"
    w_syll: float = 0.2  # per syllable above two
    w_freq: float = 0.45  # per unit of log-frequency above the mean (adult: films, books)
    w_child: float = 0.35  # per unit of children's log-frequency above the mean (Manulex)
    w_freq_with_child: float = 0.2  # adult-frequency weight when children's frequencies exist
    w_basique: float = 0.6  # basique words are easier
    learn_correct: float = 0.9  # memory gained by a right answer (times learning rate)
    learn_wrong: float = 0.35  # ... by a wrong one (the answer is shown)
    memory_cap: float = 3.0
    evening_penalty: float = 0.35  # answers from 21:00 on are a little worse
    weekend_bonus: float = 0.1
    growth_per_quiz: float = 0.01  # general progress of the learner


DEFAULT_PARAMS = SimParams()


def word_difficulty(words: WordTable, params: SimParams = DEFAULT_PARAMS) -> np.ndarray:
    """Difficulty of each word from its features (higher = harder).

    With children's frequencies (Manulex) a word children read often is easier, and the adult
    frequency weighs less; without them (old dumps) the formula is the adult-only one.
    """
    logf = 0.5 * (
        np.log1p(np.maximum(words.freqfilms, 0)) + np.log1p(np.maximum(words.freqlivres, 0))
    )
    d = (
        params.w_niv * (words.niv_diff - 2.0)
        + params.w_syll * (words.nbr_syll - 2.0)
        - params.w_basique * words.is_basique
    ).astype(np.float64)
    if not words.has_child_freq:
        return d - params.w_freq * (logf - float(logf.mean()))
    child, early = words.log_child_freqs()
    logc = 0.5 * (child.astype(np.float64) + early)
    return (
        d
        - params.w_freq_with_child * (logf - float(logf.mean()))
        - params.w_child * (logc - float(logc.mean()))
    )


def synthetic_words(n: int, seed: int) -> WordTable:
    """A dictionary-like table (niv_diff 1–3, Lexique-like and Manulex-like frequencies).

    About 8% `basique`; children's frequencies follow the adult ones loosely, higher for
    easy words, and about a third of the words are missing from the children's readers.
    """
    rng = np.random.default_rng(seed)
    niv = rng.choice([1, 2, 3], size=n, p=[0.45, 0.35, 0.20])
    logf = rng.normal(3.2 - 0.9 * (niv - 1), 1.2)
    films = np.expm1(np.clip(logf + rng.normal(0, 0.5, n), 0, 10))
    books = np.expm1(np.clip(logf + rng.normal(0, 0.5, n), 0, 10))
    syll = np.clip(np.round(rng.normal(1.6 + 0.5 * niv, 0.8)), 1, 6)
    basique = (rng.random(n) < np.where(niv == 1, 0.15, 0.02)) & (logf > 2.0)
    logc = 0.7 * logf + rng.normal(0.6 - 0.5 * (niv - 1), 1.0)
    in_manulex = rng.random(n) < np.clip(0.35 + 0.15 * logc, 0.05, 0.98)
    child = np.where(in_manulex, np.expm1(np.clip(logc, 0, 10)), np.nan)
    early = np.where(
        in_manulex, np.expm1(np.clip(logc + rng.normal(0.4 - 0.4 * (niv - 1), 0.6), 0, 10)), np.nan
    )
    return WordTable(
        mot_id=np.arange(1, n + 1, dtype=np.int64),
        freqfilms=films.astype(np.float32),
        freqlivres=books.astype(np.float32),
        nbr_syll=syll.astype(np.float32),
        niv_diff=niv.astype(np.float32),
        is_basique=basique,
        child_freq=child.astype(np.float32),
        early_freq=early.astype(np.float32),
    )


@dataclass
class Learner:
    """Latent traits and per-word state of one simulated learner."""

    theta: float
    learn_rate: float
    half_life_days: float
    n_words: int
    memory: np.ndarray = field(init=False)
    last_seen: np.ndarray = field(init=False)
    times_seen: np.ndarray = field(init=False)
    times_correct: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.memory = np.zeros(self.n_words)
        self.last_seen = np.full(self.n_words, np.nan)
        self.times_seen = np.zeros(self.n_words, dtype=np.int32)
        self.times_correct = np.zeros(self.n_words, dtype=np.int32)

    @classmethod
    def draw(cls, rng: np.random.Generator, n_words: int) -> Learner:
        """A random learner from the population."""
        return cls(
            theta=float(rng.normal(0.0, THETA_SD)),
            learn_rate=float(rng.uniform(0.3, 0.9)),
            half_life_days=float(np.exp(rng.normal(np.log(12.0), 0.5))),
            n_words=n_words,
        )

    def days_since(self, idx: np.ndarray, day: float) -> np.ndarray:
        """Days since each word was last seen (``NEVER_SEEN_DAYS`` when never)."""
        d = day - self.last_seen[idx]
        return np.where(np.isnan(d), NEVER_SEEN_DAYS, d)

    def probability(
        self,
        difficulty: np.ndarray,
        idx: np.ndarray,
        day: float,
        hour: int,
        weekday: int,
        params: SimParams = DEFAULT_PARAMS,
    ) -> np.ndarray:
        """Exact P(correct) for words ``idx`` at time ``day`` (fractional days)."""
        decay = np.power(0.5, self.days_since(idx, day) / self.half_life_days)
        logit = (
            params.base
            + self.theta
            - difficulty[idx]
            + self.memory[idx] * decay
            - params.evening_penalty * (hour >= 21)
            + params.weekend_bonus * (weekday >= 5)
        )
        return 1.0 / (1.0 + np.exp(-logit))

    def answer(self, idx: np.ndarray, correct: np.ndarray, day: float, params: SimParams) -> None:
        """Update memory and counts after a quiz."""
        decay = np.power(0.5, self.days_since(idx, day) / self.half_life_days)
        gain = np.where(correct, params.learn_correct, params.learn_wrong) * self.learn_rate
        self.memory[idx] = np.minimum(self.memory[idx] * decay + gain, params.memory_cap)
        self.last_seen[idx] = day
        self.times_seen[idx] += 1
        self.times_correct[idx] += correct.astype(np.int32)
        self.theta += params.growth_per_quiz


@dataclass(frozen=True)
class QuizEvent:
    """One simulated quiz: words asked, answers, exact probabilities, features before it."""

    learner: int
    day: float
    hour: int
    weekday: int
    idx: np.ndarray
    correct: np.ndarray
    p_true: np.ndarray
    features: np.ndarray
    feelings: list[str | None]


def choose_words(
    rng: np.random.Generator, learner: Learner, words: WordTable, level: int
) -> np.ndarray:
    """A quiz as the app builds one: some reviews, new words near the learner's observed level.

    The policy sees only the level (not the latent ability), like the real recommender.
    """
    seen = np.flatnonzero(learner.times_seen > 0)
    n_review = min(len(seen), int(rng.integers(0, 5)))
    review = rng.choice(seen, size=n_review, replace=False) if n_review else seen[:0]
    unseen = np.flatnonzero(learner.times_seen == 0)
    target_niv = 1.0 + (level - 1) / 2.0
    weight = np.exp(-np.abs(words.niv_diff[unseen].astype(np.float64) - target_niv) * 1.5)
    if len(seen) < 40:  # beginners get the basics first
        weight = weight * np.where(words.is_basique[unseen], 6.0, 1.0)
    k = min(QUIZ_SIZE - n_review, len(unseen))
    if k == 0:
        return review.astype(np.int64)
    new = rng.choice(unseen, size=k, replace=False, p=weight / weight.sum())
    return np.concatenate([review, new]).astype(np.int64)


def feeling_of(rng: np.random.Generator, p: np.ndarray) -> list[str | None]:
    """The learner's optional feeling per word, driven by the true probability."""
    u = np.asarray(rng.random(p.shape[0]))
    out: list[str | None] = []
    for pi, ui in zip(p.tolist(), u.tolist(), strict=True):
        if pi > 0.9 and ui < 0.5:
            out.append("Trop facile")
        elif pi < 0.4 and ui < 0.5:
            out.append("Trop dur")
        elif ui < 0.2:
            out.append("Bien")
        else:
            out.append(None)
    return out


def simulate_learner(
    rng: np.random.Generator,
    learner_no: int,
    learner: Learner,
    words: WordTable,
    difficulty: np.ndarray,
    n_quizzes: int,
    span_days: float,
    params: SimParams = DEFAULT_PARAMS,
) -> Iterator[QuizEvent]:
    """Play ``n_quizzes`` quizzes spread over the ``span_days`` before day 0."""
    static = words.static_block()
    n_basique = int(words.is_basique.sum())
    days = np.sort(rng.uniform(-span_days, 0.0, size=n_quizzes))
    for day in days.tolist():
        hour = int(np.clip(rng.normal(17.5, 3.0), 7, 23))
        weekday = int(rng.integers(0, 7))
        day_t = np.floor(day) + hour / 24.0
        summary = summarise(learner.times_seen, learner.times_correct, words.is_basique, n_basique)
        idx = choose_words(rng, learner, words, summary.level)
        if idx.size == 0:
            break
        x = feature_matrix(
            static[idx],
            summary,
            learner.times_seen[idx],
            learner.times_correct[idx],
            learner.days_since(idx, day_t),
            hour,
            weekday,
        )
        p = learner.probability(difficulty, idx, day_t, hour, weekday, params)
        correct = rng.random(idx.size) < p
        yield QuizEvent(learner_no, day_t, hour, weekday, idx, correct, p, x, feeling_of(rng, p))
        learner.answer(idx, correct, day_t, params)
