"""Scoring and selection of recommended words: vectorised numpy, weights in ONE place.

Every candidate word gets a score from the model's P(correct) and the learner's history;
the list is then the best-scoring words with distinct spellings, with a share of `basique`
words that shrinks as the learner progresses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from apps.quiz.features import NEVER_SEEN_DAYS

FEELING_CODES = {"Trop dur": 1, "Bien": 2, "Trop facile": 3}
TOO_HARD, FINE, TOO_EASY = 1, 2, 3


@dataclass(frozen=True)
class ScoringWeights:
    """The recommendation policy. Scores are sums of these terms (each term is in [0, 1]).

    - ``zone``: closeness of the model's P(correct) to ``target_p`` (learn where success is
      likely but not certain); ``target_p`` moves by ``feedback_shift`` × (share of 'Trop dur'
      − share of 'Trop facile') of the learner's feelings, so feedback changes the level.
    - ``level``: closeness of the word's niv_diff (1–3) to the learner's level (1–5 → 1–3).
    - ``new_word`` for never-seen words; ``review`` for seen words, growing as the word's
      estimated retrievability (``estimated_retrievability``: an FSRS-style forgetting curve
      whose stability grows with right answers and shrinks with wrong ones) falls towards
      ``review_r`` (full when due, up to 1.5× when overdue); ``recent`` is subtracted for
      words seen in the last day; ``mastered`` subtracted for mastered words.
    - target-success control: ``target_p`` also moves by ``controller_gain`` × (``aim`` −
      the learner's accuracy), so a learner who fails too often gets easier words.
    - per-word feelings: 'Trop facile' subtracts ``too_easy``; 'Trop dur' adds ``too_hard``
      (show it again, it is not learned yet).
    - ``noise``: uniform random term for variety (seeded for reproducible tests).
    - ``basique_share[level-1]`` × (1 − basique mastery): share of the list kept for the
      `basique` category (half the list for a new learner).
    - ``max_group_share``: at most this share of the list from one category + subcategory
      (e.g. "vocabulaire / verbes"), for variety.
    """

    target_p: float = 0.84
    zone: float = 1.0
    level: float = 0.5
    new_word: float = 0.35
    review: float = 1.5
    review_r: float = 0.7
    first_stability: float = 2.3  # days (FSRS-6 default S0 for a first right answer)
    stability_growth: float = 4.0  # stability × this per further right answer
    lapse_penalty: float = 0.5  # stability ÷ (1 + this × wrong answers)
    # bounds of the learner's stability scale: never below the default curve (words failed for
    # being hard, not forgotten, would otherwise shorten every interval)
    scale_range: tuple[float, float] = (1.0, 6.0)
    aim: float = 0.84  # the success rate aimed at (top of the 70–85 % band)
    controller_gain: float = 0.5
    recent: float = 0.6
    mastered: float = 0.4
    too_easy: float = 1.0
    too_hard: float = 0.3
    feedback_shift: float = 0.25
    noise: float = 0.35
    basique_share: tuple[float, float, float, float, float] = (0.5, 0.3, 0.2, 0.1, 0.1)
    max_group_share: float = 0.3


WEIGHTS = ScoringWeights()


@dataclass(frozen=True)
class LearnerWords:
    """A learner's per-word state for the candidate words (aligned arrays)."""

    times_seen: np.ndarray
    times_correct: np.ndarray
    days_since: np.ndarray
    feeling: np.ndarray  # 0 none, else FEELING_CODES


def target_probability(
    feelings: np.ndarray, accuracy: float | None = None, w: ScoringWeights = WEIGHTS
) -> float:
    """The success rate aimed at: moved by the learner's 'Trop dur' / 'Trop facile' feelings
    and (target-success control) by how far the learner's accuracy is from ``w.aim``."""
    target = w.target_p
    if accuracy is not None:
        target += w.controller_gain * (w.aim - accuracy)
    given = feelings[feelings > 0]
    if given.size:
        target += w.feedback_shift * float(np.mean(given == TOO_HARD) - np.mean(given == TOO_EASY))
    return float(np.clip(target, 0.45, 0.95))


FSRS_DECAY = -0.1542  # FSRS-6 default forgetting-curve exponent
FSRS_FACTOR = 0.9 ** (1.0 / FSRS_DECAY) - 1.0


def stability_scale(
    times_seen: np.ndarray, times_correct: np.ndarray, w: ScoringWeights = WEIGHTS
) -> float:
    """The learner's memory strength relative to the default curve, from their own answers.

    Reviews are timed for a recall of ``review_r``: a learner who answers the words seen
    before more often right than that forgets more slowly (scale > 1, fewer reviews), one
    who answers them less often right forgets faster (scale < 1). Smoothed towards 1.
    """
    again = times_seen >= 2
    if not again.any():
        return 1.0
    n = float(times_seen[again].sum())
    acc = (float(times_correct[again].sum()) + 20.0 * w.review_r) / (n + 20.0)
    lo, hi = w.scale_range
    return float(np.clip(((1.0 - w.review_r) / max(1.0 - acc, 1e-3)) ** 1.5, lo, hi))


def estimated_retrievability(
    times_seen: np.ndarray,
    times_correct: np.ndarray,
    days: np.ndarray,
    w: ScoringWeights = WEIGHTS,
    scale: float = 1.0,
) -> np.ndarray:
    """FSRS-style recall estimate from the history's counts (1 for never-seen words).

    Stability = ``scale`` × ``first_stability`` × ``stability_growth`` ^ (right answers − 1),
    divided by (1 + ``lapse_penalty`` × wrong answers); R = (1 + F·days / stability) ^ decay (FSRS-6's curve).
    """
    lapses = np.maximum(times_seen - times_correct, 0.0)
    growth = np.power(w.stability_growth, np.clip(times_correct - 1.0, 0.0, 12.0))
    stability = np.maximum(
        scale * w.first_stability * growth / (1.0 + w.lapse_penalty * lapses), 0.2
    )
    r = np.power(1.0 + FSRS_FACTOR * days / stability, FSRS_DECAY)
    return np.where(times_seen > 0, r, 1.0)


def score(
    p: np.ndarray,
    niv_diff: np.ndarray,
    state: LearnerWords,
    level: int,
    target_p: float,
    rng: np.random.Generator,
    w: ScoringWeights = WEIGHTS,
    scale: float = 1.0,
) -> np.ndarray:
    """Score of each candidate (higher = recommend first); ``scale``: ``stability_scale``."""
    seen = state.times_seen > 0
    days = np.minimum(state.days_since, NEVER_SEEN_DAYS)
    # the level aimed at follows the success aimed at: ±1 niv_diff per 0.25 of target_p
    target_niv = 1.0 + (level - 1) / 2.0 + 4.0 * (w.target_p - target_p)
    is_mastered = (state.times_correct >= 2) & (state.times_correct >= 0.6 * state.times_seen)
    s = w.zone * (1.0 - np.abs(p - target_p) / max(target_p, 1.0 - target_p))
    s += w.level * (1.0 - np.abs(niv_diff - target_niv) / 2.0)
    r = estimated_retrievability(state.times_seen, state.times_correct, days, w, scale)
    due = np.clip((1.0 - r) / (1.0 - w.review_r), 0.0, 1.5)
    s += np.where(seen, w.review * due, w.new_word)
    s -= w.recent * (seen & (days < 1.0))
    s -= w.mastered * is_mastered
    s -= w.too_easy * (state.feeling == TOO_EASY)
    s += w.too_hard * (state.feeling == TOO_HARD)
    s += w.noise * rng.random(p.shape[0])
    return s


def basique_quota(
    n: int,
    level: int,
    basique_mastery: float,
    w: ScoringWeights = WEIGHTS,
    target_p: float | None = None,
) -> int:
    """How many of ``n`` slots go to `basique` words (fewer when the learner asks for harder
    words: none once ``target_p`` is 0.25 below the default)."""
    share = w.basique_share[min(max(level, 1), 5) - 1] * (1.0 - basique_mastery)
    if target_p is not None and target_p < w.target_p:
        share *= max(0.0, 1.0 - 4.0 * (w.target_p - target_p))
    return round(n * share)


def cap_per_group(ranked: np.ndarray, group: np.ndarray, cap: int) -> np.ndarray:
    """Boolean mask over ``ranked``: True for the first ``cap`` items of each group."""
    g = group[ranked]
    order = np.argsort(g, kind="stable")  # stable: best first inside each group
    gs = g[order]
    starts = np.flatnonzero(np.r_[True, gs[1:] != gs[:-1]])
    sizes = np.diff(np.r_[starts, gs.size])
    within = np.arange(gs.size) - np.repeat(starts, sizes)
    keep = np.empty(g.size, dtype=bool)
    keep[order] = within < cap
    return keep


def select(
    scores: np.ndarray,
    spelling: np.ndarray,
    is_basique: np.ndarray,
    n: int,
    n_basique: int,
    group: np.ndarray | None = None,
    w: ScoringWeights = WEIGHTS,
) -> np.ndarray:
    """Indices (into the candidate arrays) of the ``n`` best distinct spellings, best first.

    ``n_basique`` of them are `basique` when available (other words fill any shortfall); at
    most ``max_group_share`` of the list comes from one ``group`` (category + subcategory)
    while other groups have words to offer.
    """
    order = np.argsort(-scores, kind="stable")
    _, first = np.unique(spelling[order], return_index=True)
    ranked = order[np.sort(first)]  # best sense of each spelling, best first
    if group is not None:
        keep = cap_per_group(ranked, group, max(1, math.ceil(n * w.max_group_share)))
        ranked = np.concatenate([ranked[keep], ranked[~keep]])  # capped words only as filler
    basique = ranked[is_basique[ranked]]
    other = ranked[~is_basique[ranked]]
    take_b = min(n_basique, basique.size)
    take_o = min(n - take_b, other.size)
    take_b = min(n - take_o, basique.size)
    chosen = np.concatenate([basique[:take_b], other[:take_o]])
    return chosen[np.argsort(-scores[chosen], kind="stable")]
