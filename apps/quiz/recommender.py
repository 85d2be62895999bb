"""The recommendation policy: reviews timed by memory, new words chosen to hit a success rate.

1. Reviews: every seen word's recall R comes from its FSRS-6 memory state (``apps.quiz.memory``,
   replayed from the learner's own answers, stability scaled by the learner's fitted memory
   scale); words whose R fell below ``review_r`` are due, the most stable first, up to
   ``max_review_share`` of the list so new words still come. Words missed at first sight,
   and classes of words that reviews do not keep, are relearned as harder items instead.
2. New words: the model's P(correct) of a draw of unseen words; the list's expected success
   (Σ R of the reviews + Σ P of the new words) is brought to a target success rate: as many
   of the likeliest-known new words as possible, plus the fewest harder ones (P near the
   level that lands the sum on the target, not below ``hard_floor``).
3. The target moves with the learner (``target_probability``): down when their recent success
   is above ``aim``, up when below, and up / down with their 'Trop dur' / 'Trop facile' feelings.

Distinct spellings, a share of `basique` words for beginners and at most ``max_group_share``
of the list from one category + subcategory (``select``); weights in ONE place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from apps.quiz import memory

FEELING_CODES = {"Trop dur": 1, "Bien": 2, "Trop facile": 3}
TOO_HARD, FINE, TOO_EASY = 1, 2, 3


@dataclass(frozen=True)
class ScoringWeights:
    """The recommendation policy's settings.

    - ``target_p``: the quiz success rate aimed at (inside the comfortable 70–85 % band);
      target-success control moves it by ``controller_gain`` × (``aim`` − the learner's
      success over their last ``recent_answers`` answers) and by ``feedback_shift`` × (share
      of 'Trop dur' − share of 'Trop facile' among their feelings), within ``target_range``.
    - ``review_r``: a seen word is due when its recall falls below this; below ``lapsed_r``
      it counts as forgotten (relearning: a harder item, not a review); so do the words of
      a class whose fitted memory scale is at most ``futile_scale`` (reviews do not keep them).
      Once the words felt easy have ``min_easy_reviews`` reviews, their scale decides: below
      ``known_scale`` they are forgotten too, so every word first answered right shares one
      scale and is reviewed; at or above it memory is "known or not" (words known are never
      forgotten), and a class whose scale is at most ``known_futile_scale`` is not reviewed
      (its slots go to new words). Words missed at first sight are not scheduled for review
      unless ``review_missed_first``: they come back as the list's harder items (relearning,
      their recall nearest the level the list needs), since reviews rebuild them slowly.
    - ``max_review_share``: at most this share of the list is reviews.
    - ``hard_floor``: the lowest P(correct) aimed at for the words that bring the list down to
      the target; ``noise``: uniform term added to P when ranking new words (variety).
    - ``first_stability``, ``stability_growth``, ``lapse_penalty``: recall of words with a
      ``user_word_history`` row but no answer rows (restored from the earlier app), from counts.
    - ``basique_share[level-1]`` × (1 − basique mastery): share of the new words kept for the
      `basique` category (half the list for a new learner); ``max_group_share``: at most this
      share of the list from one category + subcategory (e.g. "vocabulaire / verbes").
    """

    target_p: float = 0.86
    aim: float = 0.845
    controller_gain: float = 1.5
    recent_answers: int = 60
    feedback_shift: float = 0.1
    target_range: tuple[float, float] = (0.5, 0.95)
    review_r: float = 0.9
    lapsed_r: float = 0.3
    futile_scale: float = 0.4
    known_scale: float = 4.0
    known_futile_scale: float = 2.0
    review_missed_first: bool = False
    min_easy_reviews: int = 5
    scale_prior_sd: float = 1.0
    max_review_share: float = 0.6
    hard_floor: float = 0.02
    noise: float = 0.05
    first_stability: float = float(
        memory.PARAMS[2]
    )  # days: FSRS-6's S0 for a right (Good) first answer
    stability_growth: float = 4.0  # stability × this per further right answer
    lapse_penalty: float = 0.5  # stability ÷ (1 + this × wrong answers)
    basique_share: tuple[float, float, float, float, float] = (0.5, 0.3, 0.2, 0.1, 0.1)
    max_group_share: float = 0.3


WEIGHTS = ScoringWeights()


def target_probability(
    feelings: np.ndarray, accuracy: float | None = None, w: ScoringWeights = WEIGHTS
) -> float:
    """The success rate aimed at: moved by the learner's 'Trop dur' / 'Trop facile' feelings
    and (target-success control) by how far the learner's recent success is from ``w.aim``."""
    target = w.target_p
    if accuracy is not None:
        target += w.controller_gain * (w.aim - accuracy)
    given = feelings[feelings > 0]
    if given.size:
        target += w.feedback_shift * float(np.mean(given == TOO_HARD) - np.mean(given == TOO_EASY))
    return float(np.clip(target, *w.target_range))


def estimated_retrievability(
    times_seen: np.ndarray,
    times_correct: np.ndarray,
    days: np.ndarray,
    w: ScoringWeights = WEIGHTS,
) -> np.ndarray:
    """FSRS-style recall estimate from the history's counts alone (1 for never-seen words).

    Stability = ``first_stability`` × ``stability_growth`` ^ (right answers − 1),
    divided by (1 + ``lapse_penalty`` × wrong answers); R = (1 + F·days / stability) ^ decay (FSRS-6's curve).
    """
    lapses = np.maximum(times_seen - times_correct, 0.0)
    growth = np.power(w.stability_growth, np.clip(times_correct - 1.0, 0.0, 12.0))
    stability = np.maximum(w.first_stability * growth / (1.0 + w.lapse_penalty * lapses), 0.2)
    r = memory.retrievability(stability, days)
    return np.where(times_seen > 0, r, 1.0)


def due_reviews(
    recall: np.ndarray, stability: np.ndarray, cap: int, w: ScoringWeights = WEIGHTS
) -> tuple[np.ndarray, np.ndarray]:
    """(reviews, lapsed): indices of seen words to review now — recall below ``review_r`` but
    not below ``lapsed_r``, the most stable (cheapest to keep) first, at most ``cap`` — and of
    the other due words (lapsed or beyond the cap), which may serve as harder items."""
    due = np.flatnonzero(recall < w.review_r)
    keep = recall[due] >= w.lapsed_r
    on_time = due[keep][np.argsort(-stability[due[keep]], kind="stable")]
    cap = max(cap, 0)
    return on_time[:cap], np.concatenate([on_time[cap:], due[~keep]])


def hard_words_plan(
    p: np.ndarray, k: int, need: float, w: ScoringWeights = WEIGHTS
) -> tuple[int, float]:
    """(j, h): of ``k`` new words, the fewest ``j`` to choose near P = ``h`` so that with the
    ``k − j`` likeliest-known ones the expected right answers sum to ``need``.

    j = 0 when even the likeliest-known words do not exceed ``need``; h ≥ ``hard_floor``
    (when no j reaches the sum, all ``k`` words are chosen near P = max(need / k, hard_floor)).
    """
    if k <= 0:
        return 0, 0.0
    top = np.sort(p)[::-1][:k]
    easy = np.r_[0.0, np.cumsum(top)]  # easy[m]: sum of the m likeliest
    if easy[min(k, top.size)] <= need:
        return 0, 0.0
    for j in range(1, k + 1):
        h = (need - easy[min(k - j, top.size)]) / j
        if h >= w.hard_floor:
            return j, float(min(h, 1.0))
    return k, float(max(need / k, w.hard_floor))


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


def first_spellings(ranked: np.ndarray, spelling: np.ndarray) -> np.ndarray:
    """``ranked`` without the later items of a spelling already present (order kept)."""
    codes = spelling[ranked]
    order = np.argsort(codes, kind="stable")  # equal codes keep their rank order
    ordered = codes[order]
    first = np.ones(ordered.size, bool)  # the first (best) of each spelling
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ranked[np.sort(order[first])]


def cap_per_group(ranked: np.ndarray, group: np.ndarray, cap: int) -> np.ndarray:
    """Boolean mask over ``ranked``: True for the first ``cap`` items of each group."""
    g = group[ranked]
    order = np.argsort(g, kind="stable")  # stable: best first inside each group
    gs = g[order]
    first = np.ones(gs.size, bool)
    np.not_equal(gs[1:], gs[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    sizes = np.subtract(np.append(starts[1:], gs.size), starts)
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
    if n <= 0:
        return np.zeros(0, np.intp)
    ranked = first_spellings(np.argsort(-scores, kind="stable"), spelling)  # best sense first
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
