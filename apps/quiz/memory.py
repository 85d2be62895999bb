"""FSRS-6 memory model (stability, difficulty, retrievability), vectorised with numpy.

Formulas of FSRS-6 (the Free Spaced Repetition Scheduler used by Anki) with its default
parameters, ratings Again (1) and Good (3) only: a right answer is Good, a wrong one Again.
Elapsed times are in days; like py-fsrs, a review less than a day after the previous one
updates stability with the short-term formula. ``replay`` rebuilds every word's state from a
learner's answers, one vectorised step per review rank (a word's 1st, 2nd, … answer).
"""

from __future__ import annotations

import functools
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


def _clip_difficulty(d: np.ndarray) -> np.ndarray:
    """D within [1, 10] (np.clip's result, without its overhead on small arrays)."""
    return np.minimum(np.maximum(d, 1.0), 10.0)


# Per-rating terms (index 0: Again, 1: Good), computed once
_RATING = np.array([AGAIN, GOOD])
_S0 = PARAMS[[0, 2]]  # initial stability
_D0 = _clip_difficulty(initial_difficulty(_RATING))  # initial difficulty
_SHORT_GAIN = np.exp(PARAMS[17] * (_RATING - 3.0 + PARAMS[18]))  # short-term gain, before S^-w19
_D_STEP = -PARAMS[6] * (_RATING - 3.0)  # difficulty's linear step, times (10 − D) / 9
_D_TARGET = PARAMS[7] * initial_difficulty(4.0)  # mean reversion towards D0(Easy)
_RECALL_K = math.exp(PARAMS[8])
_FORGET_CAP = math.exp(PARAMS[17] * PARAMS[18])
_W7, _W9, _W10, _W11, _W12, _W13, _W14, _W19 = (
    float(PARAMS[i]) for i in (7, 9, 10, 11, 12, 13, 14, 19)
)


def first_state(correct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(stability, difficulty) after a word's first answer."""
    good = np.asarray(correct, bool).astype(np.intp)
    return _S0[good], _D0[good]


def next_state(
    stability: np.ndarray,
    difficulty: np.ndarray,
    elapsed_days: np.ndarray,
    correct: np.ndarray,
    r: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(stability, difficulty) after a further answer, ``elapsed_days`` after the previous
    one; ``r``: the retrievability at review time (default: from ``stability``)."""
    s = np.maximum(stability, MIN_STABILITY)
    d = difficulty
    good = np.asarray(correct, bool).astype(np.intp)  # 0: Again, 1: Good
    if r is None:  # retrievability(s, elapsed_days), s being already at least MIN_STABILITY
        r = np.power(1.0 + FACTOR * np.maximum(elapsed_days, 0.0) / s, DECAY)
    lapse = 1.0 - r
    short_gain = _SHORT_GAIN[good] * np.power(s, -_W19)
    short = s * np.where(correct, np.maximum(short_gain, 1.0), short_gain)
    recall = s * (1.0 + _RECALL_K * (11.0 - d) * np.power(s, -_W9) * (np.exp(lapse * _W10) - 1.0))
    forget = np.minimum(
        _W11 * np.power(d, -_W12) * (np.power(s + 1.0, _W13) - 1.0) * np.exp(lapse * _W14),
        s / _FORGET_CAP,
    )
    long = np.where(correct, recall, forget)
    s_next = np.maximum(np.where(elapsed_days < 1.0, short, long), MIN_STABILITY)
    damped = d + (10.0 - d) * _D_STEP[good] / 9.0
    d_next = _clip_difficulty(_D_TARGET + (1.0 - _W7) * damped)
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
    first = np.ones(word.size, bool)  # a word's first row
    np.not_equal(word[1:], word[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.subtract(np.append(starts[1:], word.size), starts)
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


@dataclass(frozen=True)
class ReviewLikelihood:
    """Log-likelihood of each review a day or more after the previous answer (columns) under
    each memory scale of ``SCALE_GRID`` (rows), and the word of each review (index into
    ``Replayed.word``): what a scale fit needs, whatever the classes of words."""

    loglik: np.ndarray
    review_word: np.ndarray


def review_likelihood(replayed: Replayed) -> ReviewLikelihood:
    """The reviews' log-likelihoods on the scale grid (computed once per learner)."""
    keep = replayed.review_elapsed >= 1.0  # same-day answers say little about forgetting
    s = replayed.review_stability[keep][None, :] * SCALE_GRID[:, None]
    r = np.minimum(
        np.maximum(retrievability(s, replayed.review_elapsed[keep][None, :]), 1e-4), 1.0 - 1e-4
    )
    right = replayed.review_correct[keep]
    ll = np.empty_like(r)  # log R of a right answer, log(1 − R) of a wrong one
    ll[:, right] = np.log(r[:, right])
    ll[:, ~right] = np.log1p(-r[:, ~right])
    return ReviewLikelihood(ll, replayed.review_word[keep])


def memory_scales(
    replayed: Replayed,
    word_class: np.ndarray,
    n_classes: int,
    prior_sd: float = 1.0,
    likelihood: ReviewLikelihood | None = None,
) -> np.ndarray:
    """The learner's stability multiplier k (R = (1 + F·t / (k·S)) ^ −decay) for each class of
    words (``word_class``: class number of each of ``replayed.word``): the most likely on the
    grid given the reviews of that class's words, with a lognormal(0, ``prior_sd``) prior
    (1 for a class without reviews). A learner who recalls words more often than FSRS
    predicts forgets them more slowly (k > 1); words known before the first quiz are hardly
    ever forgotten (k at the top of the grid). ``likelihood``: ``review_likelihood(replayed)``
    when already computed (several fits of one learner)."""
    fit = likelihood or review_likelihood(replayed)
    cls = word_class[fit.review_word]
    onehot = cls[:, None] == np.arange(n_classes)[None, :]  # reviews × classes
    loglik = fit.loglik @ onehot - _log_prior(prior_sd)
    return np.where(onehot.any(axis=0), SCALE_GRID[np.argmax(loglik, axis=0)], 1.0)


@functools.lru_cache(maxsize=8)
def _log_prior(prior_sd: float) -> np.ndarray:
    """−log of the lognormal(0, ``prior_sd``) prior on the grid, up to a constant (column)."""
    prior = 0.5 * (np.log(SCALE_GRID)[:, None] / prior_sd) ** 2
    prior.flags.writeable = False
    return prior
