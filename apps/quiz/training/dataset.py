"""Training data: simulated learners' answers with the exact probability of each answer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from apps.quiz.features import WordTable
from apps.quiz.simulator import (
    DEFAULT_PARAMS,
    Learner,
    SimParams,
    simulate_learner,
    word_difficulty,
)


@dataclass(frozen=True)
class Dataset:
    """Feature rows, labels, exact probabilities and the learner of each row (for splits)."""

    x: np.ndarray
    y: np.ndarray
    p_true: np.ndarray
    group: np.ndarray

    def take(self, mask: np.ndarray) -> Dataset:
        """Rows selected by a boolean mask."""
        return Dataset(self.x[mask], self.y[mask], self.p_true[mask], self.group[mask])


def simulate_dataset(
    words: WordTable,
    n_learners: int,
    seed: int,
    max_quizzes: int = 60,
    progress: bool = True,
    params: SimParams = DEFAULT_PARAMS,
) -> Dataset:
    """Simulate ``n_learners`` learners with 1–``max_quizzes`` quizzes over up to 120 days."""
    rng = np.random.default_rng(seed)
    difficulty = word_difficulty(words, params)
    xs, ys, ps, gs = [], [], [], []
    for no in tqdm(range(n_learners), desc="simulating learners", disable=not progress):
        learner = Learner.draw(rng, len(words))
        n_quizzes = int(rng.integers(1, max_quizzes + 1))
        span = float(rng.uniform(5.0, 120.0))
        for ev in simulate_learner(rng, no, learner, words, difficulty, n_quizzes, span, params):
            xs.append(ev.features)
            ys.append(ev.correct)
            ps.append(ev.p_true)
            gs.append(np.full(ev.idx.size, no, dtype=np.int32))
    return Dataset(
        np.concatenate(xs),
        np.concatenate(ys).astype(np.int32),
        np.concatenate(ps),
        np.concatenate(gs),
    )


def split_by_learner(data: Dataset, test_share: float, seed: int) -> tuple[Dataset, Dataset]:
    """Train/held-out split with no learner on both sides."""
    rng = np.random.default_rng(seed)
    learners = np.unique(data.group)
    held = rng.choice(learners, size=max(1, int(len(learners) * test_share)), replace=False)
    mask = np.isin(data.group, held)
    return data.take(~mask), data.take(mask)
