"""Learner worlds for the policy evaluation: our simulator and an FSRS-6 memory world.

A world learner answers the words a policy shows and says which words it still knows
(retrievability ≥ 0.9 in the world's own memory model). Both worlds share the learner's
calendar (skipped days, a holiday) and ability, drawn from the learner's seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from apps.quiz import memory
from apps.quiz.simulator import DEFAULT_PARAMS, Learner

RETAINED_R = 0.9  # a word is retained when its retrievability is at least this
NEUTRAL_HOUR, NEUTRAL_WEEKDAY = 12, 2  # the simulator's retention is read at noon on a Wednesday
DECAY, FACTOR = memory.DECAY, memory.FACTOR


@dataclass(frozen=True)
class Calendar:
    """A learner's quiz days and hours (one quiz a day at most)."""

    days: np.ndarray  # day numbers (0-based) with a quiz
    hours: np.ndarray  # hour of each quiz

    @classmethod
    def draw(cls, rng: np.random.Generator, n_days: int) -> Calendar:
        """Skips 0–30% of days at random, and half the learners take a 7–14-day holiday."""
        take = rng.random(n_days) >= rng.uniform(0.0, 0.3)
        if rng.random() < 0.5:
            start = int(rng.integers(0, n_days))
            take[start : start + int(rng.integers(7, 15))] = False
        days = np.flatnonzero(take)
        hours = np.clip(np.round(rng.normal(17.5, 3.0, days.size)), 7, 23).astype(np.int64)
        return cls(days, hours)


@dataclass(frozen=True)
class Traits:
    """A learner's latent traits, shared by both worlds (same seed, same learner)."""

    theta: float
    learn_rate: float
    half_life_days: float
    stability_scale: float

    @classmethod
    def draw(cls, rng: np.random.Generator) -> Traits:
        """θ ~ N(0, 1), learning rate ~ U(0.3, 0.9), half-life ~ 12 d, stability × lognormal."""
        return cls(
            theta=float(rng.normal(0.0, 1.0)),
            learn_rate=float(rng.uniform(0.3, 0.9)),
            half_life_days=float(np.exp(rng.normal(np.log(12.0), 0.5))),
            stability_scale=float(np.exp(rng.normal(0.0, 0.4))),
        )


class SimulatorLearner:
    """World (a): the training simulator's learner (apps/quiz/simulator.py)."""

    def __init__(self, traits: Traits, difficulty: np.ndarray) -> None:
        self.difficulty = difficulty
        self.inner = Learner(
            traits.theta, traits.learn_rate, traits.half_life_days, difficulty.size
        )

    def p_correct(self, idx: np.ndarray, day: float, hour: int, weekday: int) -> np.ndarray:
        """Exact probability of a right answer."""
        return self.inner.probability(self.difficulty, idx, day, hour, weekday)

    def answer(self, idx: np.ndarray, correct: np.ndarray, day: float) -> None:
        """Memory update after a quiz."""
        self.inner.answer(idx, correct, day, DEFAULT_PARAMS)

    def retrievability(self, idx: np.ndarray, day: float) -> np.ndarray:
        """P(correct) at a neutral time (noon, mid-week) for words ``idx``."""
        return self.p_correct(idx, day, NEUTRAL_HOUR, NEUTRAL_WEEKDAY)


@dataclass
class FsrsLearner:
    """World (b): each word's memory follows FSRS-6 with its default parameters.

    A never-seen word is right with the learner's prior knowledge, sigmoid(θ − difficulty);
    afterwards with probability = retrievability R = (1 + F·t / (k·S))^(−decay), k being the
    learner's stability scale. Ratings: right = Good, wrong = Again. The initial difficulty
    is FSRS's D0 for the rating shifted by the word's difficulty (dictionary level,
    children's and adult frequency, syllables: ``word_difficulty``).
    """

    traits: Traits
    difficulty: np.ndarray
    stability: np.ndarray = field(init=False)
    fsrs_difficulty: np.ndarray = field(init=False)
    last: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        n = self.difficulty.size
        self.stability = np.zeros(n)
        self.fsrs_difficulty = np.zeros(n)
        self.last = np.full(n, np.nan)

    def retrievability(self, idx: np.ndarray, day: float) -> np.ndarray:
        """R of words ``idx`` at ``day`` (0 for never-seen words)."""
        t = np.maximum(day - self.last[idx], 0.0)
        s = np.maximum(self.stability[idx] * self.traits.stability_scale, 1e-3)
        r = np.power(1.0 + FACTOR * t / s, DECAY)
        return np.where(np.isnan(self.last[idx]), 0.0, r)

    def p_correct(self, idx: np.ndarray, day: float, hour: int, weekday: int) -> np.ndarray:
        """Retrievability for seen words, prior knowledge for new ones."""
        del hour, weekday  # FSRS has no time-of-day effect
        prior = 1.0 / (1.0 + np.exp(-(self.traits.theta - self.difficulty[idx])))
        return np.where(np.isnan(self.last[idx]), prior, self.retrievability(idx, day))

    def answer(self, idx: np.ndarray, correct: np.ndarray, day: float) -> None:
        """FSRS-6 update of stability and difficulty (``apps.quiz.memory``)."""
        new = np.isnan(self.last[idx])
        t = np.where(new, 0.0, day - self.last[idx])
        s0, d0 = memory.first_state(correct)
        d0 = np.clip(d0 + 1.5 * self.difficulty[idx], 1.0, 10.0)
        s_next, d_next = memory.next_state(
            self.stability[idx],
            np.maximum(self.fsrs_difficulty[idx], 1.0),
            t,
            correct,
            self.retrievability(idx, day),
        )
        self.stability[idx] = np.where(new, s0, s_next)
        self.fsrs_difficulty[idx] = np.where(new, d0, d_next)
        self.last[idx] = day


WORLDS = ("simulator", "fsrs")


def world_learner(
    world: str, traits: Traits, difficulty: np.ndarray
) -> SimulatorLearner | FsrsLearner:
    """A learner of ``world`` with these traits over words of ``difficulty``
    (``apps.quiz.simulator.word_difficulty`` of the dictionary)."""
    if world == "simulator":
        return SimulatorLearner(traits, difficulty)
    if world == "fsrs":
        return FsrsLearner(traits, difficulty)
    raise ValueError(f"unknown world {world!r} (one of {', '.join(WORLDS)})")
