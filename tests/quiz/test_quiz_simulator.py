"""Simulator, features and scoring rules (pure numpy, no database)."""

from __future__ import annotations

import numpy as np

from apps.quiz.features import summarise
from apps.quiz.recommender import (
    TOO_EASY,
    TOO_HARD,
    WEIGHTS,
    basique_quota,
    due_reviews,
    hard_words_plan,
    select,
    target_probability,
)
from apps.quiz.simulator import Learner, SimParams, synthetic_words, word_difficulty


def test_difficulty_follows_the_features() -> None:
    words = synthetic_words(3000, seed=1)
    d = word_difficulty(words)
    assert d[words.niv_diff == 3].mean() > d[words.niv_diff == 1].mean() + 1
    assert d[words.is_basique].mean() < d[~words.is_basique].mean()


def test_learning_and_forgetting() -> None:
    words = synthetic_words(100, seed=2)
    d = word_difficulty(words)
    learner = Learner(theta=0.0, learn_rate=0.6, half_life_days=10.0, n_words=100)
    idx = np.arange(5)
    p0 = learner.probability(d, idx, day=0.0, hour=10, weekday=1)
    learner.answer(idx, np.ones(5, bool), day=0.0, params=SimParams())
    p1 = learner.probability(d, idx, day=0.1, hour=10, weekday=1)
    p_later = learner.probability(d, idx, day=60.0, hour=10, weekday=1)
    assert np.all(p1 > p0)
    assert np.all(p_later < p1)
    assert np.all(p_later >= p0 - 1e-9)
    evening = learner.probability(d, idx, day=0.1, hour=22, weekday=1)
    assert np.all(evening < p1)


def test_summary_levels() -> None:
    basique = np.array([True] * 10 + [False] * 290)
    none = summarise(np.zeros(300), np.zeros(300), basique, 10)
    assert (none.level, none.accuracy, none.words_seen) == (1, 0.5, 0)
    seen = np.full(300, 3.0)
    right = np.full(300, 3.0)
    full = summarise(seen, right, basique, 10)
    assert full.level == 5
    assert full.basique_mastery == 1.0


def test_feelings_and_recent_success_move_the_target() -> None:
    assert target_probability(np.array([TOO_HARD] * 4, np.int8)) > WEIGHTS.target_p
    assert target_probability(np.array([TOO_EASY] * 4, np.int8)) < WEIGHTS.target_p
    assert target_probability(np.zeros(4, np.int8)) == WEIGHTS.target_p
    none = np.zeros(4, np.int8)
    # target-success control: a learner failing too often is aimed higher (easier words)
    assert target_probability(none, accuracy=0.5) > WEIGHTS.target_p
    assert target_probability(none, accuracy=1.0) < WEIGHTS.target_p


def test_due_reviews_keep_the_cheapest_first_and_pass_lapsed_on() -> None:
    recall = np.array([0.95, 0.85, 0.7, 0.1, 0.88, 0.8])
    stability = np.array([5.0, 2.0, 40.0, 3.0, 10.0, 1.0])
    on_time, lapsed = due_reviews(recall, stability, cap=2)
    assert on_time.tolist() == [2, 4]  # due (R < 0.9, not lapsed), most stable first
    assert sorted(lapsed.tolist()) == [1, 3, 5]  # beyond the cap, or forgotten (R < 0.3)
    assert 0 not in on_time.tolist() + lapsed.tolist()  # R 0.95: not due


def test_hard_words_plan_hits_the_needed_sum() -> None:
    p = np.array([0.99, 0.98, 0.97, 0.96, 0.95, 0.5, 0.3, 0.1, 0.05])
    j, h = hard_words_plan(p, k=5, need=4.0)  # 5 easy words would give 4.85
    assert j == 1
    assert abs(h - (4.0 - (0.99 + 0.98 + 0.97 + 0.96))) < 1e-9
    assert hard_words_plan(p, k=5, need=4.9) == (0, 0.0)  # the easiest are not too easy
    j, h = hard_words_plan(p, k=5, need=0.05)  # too hard a target: every word near the floor
    assert j == 5
    assert h == WEIGHTS.hard_floor


def test_select_dedupes_spellings_and_keeps_quota() -> None:
    scores = np.array([9.0, 8.5, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0])
    spelling = np.array([1, 1, 2, 3, 4, 5, 6, 7])  # the two best senses share a spelling
    basique = np.array([False, False, False, False, False, True, True, False])
    chosen = select(scores, spelling, basique, n=4, n_basique=2)
    assert chosen.tolist() == [0, 2, 5, 6]
    assert select(scores, spelling, np.zeros(8, bool), n=4, n_basique=2).tolist() == [0, 2, 3, 4]
    assert basique_quota(10, 1, 0.0) == 5
    assert basique_quota(10, 5, 0.0) == 1
    assert basique_quota(10, 1, 1.0) == 0


def test_select_caps_one_group() -> None:
    scores = np.arange(10, 0, -1, dtype=float)  # candidate 0 is the best
    spelling = np.arange(10)
    group = np.array([0, 0, 0, 0, 0, 0, 1, 1, 2, 2])  # six of group 0 lead the ranking
    chosen = select(scores, spelling, np.zeros(10, bool), n=5, n_basique=0, group=group)
    assert np.bincount(group[chosen], minlength=3)[0] == 2  # ceil(5 * 0.3)
    assert chosen.tolist() == [0, 1, 6, 7, 8]
    only_one_group = select(scores, spelling, np.zeros(10, bool), 5, 0, np.zeros(10, int))
    assert only_one_group.tolist() == [0, 1, 2, 3, 4]  # capped words fill when nothing else
