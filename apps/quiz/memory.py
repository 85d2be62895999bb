"""FSRS-6 memory model (stability, difficulty, retrievability), vectorised with numpy.

Formulas of FSRS-6 (the Free Spaced Repetition Scheduler used by Anki) with its default
parameters, ratings Again (1) and Good (3) only: a right answer is Good, a wrong one Again.
Elapsed times are in days; like py-fsrs, a review less than a day after the previous one
updates stability with the short-term formula. ``replay`` rebuilds every word's state from a
learner's answers, one vectorised step per review rank (a word's 1st, 2nd, … answer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# FSRS-6 default parameters w0..w20 (as published; tests check them against py-fsrs 6.3.2)
# fmt: off
PARAMS = np.array([
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
])
# fmt: on
DECAY = -float(PARAMS[20])
FACTOR = 0.9 ** (1.0 / DECAY) - 1.0
MIN_STABILITY = 0.001
AGAIN, GOOD = 1.0, 3.0


def retrievability(stability: np.ndarray, elapsed_days: np.ndarray) -> np.ndarray:
    """R = (1 + F·t / S) ^ (−decay): the probability of recall after ``elapsed_days``."""
    t = np.maximum(elapsed_days, 0.0)
    return np.power(1.0 + FACTOR * t / np.maximum(stability, MIN_STABILITY), DECAY)


def initial_difficulty(rating: np.ndarray | float) -> np.ndarray:
    """D0(G) = w4 − e^(w5·(G − 1)) + 1 (unclamped)."""
    return PARAMS[4] - np.exp(PARAMS[5] * (np.asarray(rating, np.float64) - 1.0)) + 1.0


def first_state(correct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(stability, difficulty) after a word's first answer."""
    g = np.where(correct, GOOD, AGAIN)
    s0 = np.where(correct, PARAMS[2], PARAMS[0])
    return s0, np.clip(initial_difficulty(g), 1.0, 10.0)


def next_state(
    stability: np.ndarray,
    difficulty: np.ndarray,
    elapsed_days: np.ndarray,
    correct: np.ndarray,
    r: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(stability, difficulty) after a further answer, ``elapsed_days`` after the previous
    one; ``r``: the retrievability at review time (default: from ``stability``)."""
    w = PARAMS
    s = np.maximum(stability, MIN_STABILITY)
    d = difficulty
    g = np.where(correct, GOOD, AGAIN)
    if r is None:
        r = retrievability(s, elapsed_days)
    short_gain = np.exp(w[17] * (g - 3.0 + w[18])) * np.power(s, -w[19])
    short = s * np.where(correct, np.maximum(short_gain, 1.0), short_gain)
    recall = s * (
        1.0 + math.exp(w[8]) * (11.0 - d) * np.power(s, -w[9]) * (np.exp((1.0 - r) * w[10]) - 1.0)
    )
    forget = np.minimum(
        w[11] * np.power(d, -w[12]) * (np.power(s + 1.0, w[13]) - 1.0) * np.exp((1.0 - r) * w[14]),
        s / math.exp(w[17] * w[18]),
    )
    long = np.where(correct, recall, forget)
    s_next = np.maximum(np.where(elapsed_days < 1.0, short, long), MIN_STABILITY)
    damped = d + (10.0 - d) * (-w[6] * (g - 3.0)) / 9.0
    d_next = np.clip(w[7] * initial_difficulty(4.0) + (1.0 - w[7]) * damped, 1.0, 10.0)
    return s_next, d_next


@dataclass(frozen=True)
class Replayed:
    """Each answered word's FSRS state after its last answer, and every review's facts.

    ``word``, ``stability``, ``difficulty``, ``last`` (day of the last answer), ``first_right``
    (its first answer was right): one entry per distinct word. ``review_stability``,
    ``review_elapsed``, ``review_correct``, ``review_word`` (index into ``word``): one entry
    per answer that was not a word's first (the state before it), to fit a memory scale.
    """

    word: np.ndarray
    stability: np.ndarray
    difficulty: np.ndarray
    last: np.ndarray
    first_right: np.ndarray
    review_stability: np.ndarray
    review_elapsed: np.ndarray
    review_correct: np.ndarray
    review_word: np.ndarray


def replay(word: np.ndarray, day: np.ndarray, correct: np.ndarray) -> Replayed:
    """FSRS states from answers (any order): ``word`` ids, ``day`` (fractional days of any
    origin), ``correct``. Elapsed times are whole days, as in py-fsrs."""
    order = np.lexsort((correct, day, word))  # ties (same moment) in a fixed order
    word, day, correct = word[order], day[order], correct[order].astype(bool)
    starts = np.flatnonzero(np.r_[True, word[1:] != word[:-1]]) if word.size else np.array([], int)
    counts = np.diff(np.r_[starts, word.size])
    at = np.repeat(np.arange(starts.size), counts)  # each row's word
    rank = np.arange(word.size) - starts[at]
    by_rank = np.argsort(rank, kind="stable")  # rows of rank 1, then 2, …
    bounds = np.searchsorted(rank[by_rank], np.arange(int(counts.max(initial=0)) + 1))
    s, d = first_state(correct[starts])
    last = day[starts].copy()
    first_right = correct[starts]
    rs: list[np.ndarray] = []
    re: list[np.ndarray] = []
    rc: list[np.ndarray] = []
    rf: list[np.ndarray] = []
    for k in range(1, bounds.size - 1):
        rows = by_rank[bounds[k] : bounds[k + 1]]
        w = at[rows]
        elapsed = np.floor(day[rows] - last[w] + 1e-6)  # whole days (float noise aside)
        rs.append(s[w])
        re.append(elapsed)
        rc.append(correct[rows])
        rf.append(w)
        s[w], d[w] = next_state(s[w], d[w], elapsed, correct[rows])
        last[w] = day[rows]

    def cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

    return Replayed(
        word[starts],
        s,
        d,
        last,
        first_right,
        cat(rs, np.float64),
        cat(re, np.float64),
        cat(rc, bool),
        cat(rf, np.int64),
    )


SCALE_GRID = np.geomspace(0.3, 30.0, 31)


def memory_scales(
    replayed: Replayed, word_class: np.ndarray, n_classes: int, prior_sd: float = 1.0
) -> np.ndarray:
    """The learner's stability multiplier k (R = (1 + F·t / (k·S)) ^ −decay) for each class of
    words (``word_class``: class number of each of ``replayed.word``): the most likely on the
    grid given the reviews of that class's words, with a lognormal(0, ``prior_sd``) prior
    (1 for a class without reviews). A learner who recalls words more often than FSRS
    predicts forgets them more slowly (k > 1); words known before the first quiz are hardly
    ever forgotten (k at the top of the grid)."""
    keep = replayed.review_elapsed >= 1.0  # same-day answers say little about forgetting
    cls = word_class[replayed.review_word[keep]]
    s = replayed.review_stability[keep][None, :] * SCALE_GRID[:, None]
    r = np.clip(retrievability(s, replayed.review_elapsed[keep][None, :]), 1e-4, 1.0 - 1e-4)
    ll = np.where(replayed.review_correct[keep][None, :], np.log(r), np.log1p(-r))
    onehot = cls[:, None] == np.arange(n_classes)[None, :]  # reviews × classes
    loglik = ll @ onehot - 0.5 * (np.log(SCALE_GRID)[:, None] / prior_sd) ** 2
    return np.where(onehot.any(axis=0), SCALE_GRID[np.argmax(loglik, axis=0)], 1.0)
