"""The request path's faster forms give exactly what the code they replaced gave.

Each reference below is the replaced code, kept verbatim; random inputs, exact equality.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from apps.quiz import memory
from apps.quiz.dictionary import Dictionary, from_rows
from apps.quiz.features import summarise
from apps.quiz.history import NO_ANSWERS, History
from apps.quiz.recommender import cap_per_group, first_spellings
from apps.quiz.service import Learner, QuizService


def dictionary(rng: np.random.Generator, n: int = 600, sparse: bool = False) -> Dictionary:
    """Random senses: ascending ids with gaps, shared spellings, a few groups, some basique."""
    step = 10**7 if sparse else 3
    ids = np.cumsum(rng.integers(1, step, n))
    rows = [
        (
            int(m),
            f"mot{rng.integers(0, n // 2)}",  # about two senses per spelling
            int(rng.integers(1, 4)),
            float(rng.exponential(20)),
            float(rng.exponential(20)),
            int(rng.integers(1, 4)),
            "" if rng.random() < 0.2 else f"s{m}.mp4",
            "",
            ["basique", "vocabulaire", "basique,nature"][rng.integers(0, 3)],
            f"sub{rng.integers(0, 4)}",
            float(rng.exponential(50)) if rng.random() < 0.8 else None,
            float(rng.exponential(50)),
        )
        for m in ids
    ]
    return from_rows(rows)


def searched_positions(d: Dictionary, mot_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dictionary.positions before the id table."""
    ids = d.words.mot_id
    pos = np.clip(np.searchsorted(ids, mot_ids), 0, max(len(ids) - 1, 0))
    found = ids[pos] == mot_ids if len(ids) else np.zeros(len(mot_ids), dtype=bool)
    return pos, found


@pytest.mark.parametrize("sparse", [False, True])
def test_positions_by_table_equal_the_binary_search(sparse: bool) -> None:
    rng = np.random.default_rng(1)
    d = dictionary(rng, sparse=sparse)
    ids = d.words.mot_id
    assert (d._position_of is None) == sparse
    for mot_ids in (
        ids[rng.integers(0, len(ids), 300)],
        np.r_[ids[:5], -3, 0, ids[-1] + 1, 10**12, ids[3] + 1, ids[7]],  # missing ones too
        np.zeros(0, np.int64),
        ids[:9].astype(np.float64) + np.r_[0, 0.5, 0, 0, 0, 0, 0, 0, 0],  # not integers
        ids[:9].astype(np.uint32),
    ):
        got, want = d.positions(mot_ids), searched_positions(d, mot_ids)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])


def test_spelling_table_equals_isin() -> None:
    rng = np.random.default_rng(2)
    d = dictionary(rng)
    for k in (0, 1, 10, 200):
        codes = d.spelling[rng.integers(0, len(d), 300)]
        among = d.spelling[rng.integers(0, len(d), k)]
        np.testing.assert_array_equal(d.spelling_in(codes, among), np.isin(codes, among))


def unique_first_spellings(ranked: np.ndarray, spelling: np.ndarray) -> np.ndarray:
    """recommender.first_spellings before (np.unique)."""
    _, first = np.unique(spelling[ranked], return_index=True)
    return ranked[np.sort(first)]


def r_cap_per_group(ranked: np.ndarray, group: np.ndarray, cap: int) -> np.ndarray:
    """recommender.cap_per_group before (np.r_, np.diff)."""
    g = group[ranked]
    order = np.argsort(g, kind="stable")
    gs = g[order]
    starts = np.flatnonzero(np.r_[True, gs[1:] != gs[:-1]])
    sizes = np.diff(np.r_[starts, gs.size])
    within = np.arange(gs.size) - np.repeat(starts, sizes)
    keep = np.empty(g.size, dtype=bool)
    keep[order] = within < cap
    return keep


def test_first_spellings_and_group_cap_equal_their_former_forms() -> None:
    rng = np.random.default_rng(3)
    spelling, group = rng.integers(0, 50, 400), rng.integers(0, 6, 400)
    for size in (0, 1, 2, 30, 400):
        ranked = rng.permutation(400)[:size]
        np.testing.assert_array_equal(
            first_spellings(ranked, spelling), unique_first_spellings(ranked, spelling)
        )
        for cap in (1, 3, 15):
            np.testing.assert_array_equal(
                cap_per_group(ranked, group, cap), r_cap_per_group(ranked, group, cap)
            )


def random_learner(svc: QuizService, rng: np.random.Generator, words: int) -> Learner:
    """A learner with ``words`` history rows (some with a count of 0 or a feeling)."""
    d = svc.dictionary
    ids = rng.choice(d.words.mot_id, words, replace=False)
    seen = rng.integers(0, 6, words).astype(np.float32)
    right = np.minimum(seen, rng.integers(0, 6, words)).astype(np.float32)
    last = 1.7e9 - rng.uniform(0, 90, words) * 86400.0
    feeling = rng.integers(0, 4, words).astype(np.int8)
    return svc.align(History(ids, seen, right, last, feeling, NO_ANSWERS), 1.7e9)


def full_candidates(svc: QuizService, learner: Learner, rng: np.random.Generator) -> np.ndarray:
    """QuizService.candidates before (masks over the whole dictionary)."""

    def _draw(pool: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
        return pool if k >= pool.size else rng.choice(pool, size=k, replace=False)

    d = svc.dictionary
    order = d.frequent_first
    top = min(svc.frequent_candidates, svc.max_candidates // 3)
    frequent = order[learner.times_seen[order] == 0][:top]
    budget = svc.max_candidates - frequent.size
    unseen = d.recommendable & (learner.times_seen == 0)
    unseen[frequent] = False
    basics = np.flatnonzero(unseen & d.words.is_basique)
    others = np.flatnonzero(unseen & ~d.words.is_basique)
    take_b = min(basics.size, svc.max_candidates // 4, budget)
    take_o = min(others.size, budget - take_b)
    take_b = min(basics.size, budget - take_o)
    return np.concatenate([frequent, _draw(basics, take_b, rng), _draw(others, take_o, rng)])


def test_candidates_and_learner_aggregates_equal_the_whole_dictionary_forms() -> None:
    rng = np.random.default_rng(4)
    d = dictionary(rng)
    for max_candidates in (60, 300, 2000):  # 2000: more than there are words (take them all)
        svc = QuizService(None, None, d, None, max_candidates=max_candidates)  # type: ignore[arg-type]
        for words in (0, 1, 40, 350, len(d)):
            learner = random_learner(svc, rng, words)
            for seed in range(3):
                got = svc.candidates(learner, np.random.default_rng(seed))
                want = full_candidates(svc, learner, np.random.default_rng(seed))
                np.testing.assert_array_equal(got, want)
            # the words with a history row hold every count and feeling
            np.testing.assert_array_equal(
                learner.rows_at,
                np.flatnonzero(np.isin(d.words.mot_id, d.words.mot_id[learner.rows_at])),
            )
            others = np.ones(len(d), bool)
            others[learner.rows_at] = False
            assert not learner.times_seen[others].any()
            assert not learner.feeling[others].any()
            full = summarise(
                learner.times_seen, learner.times_correct, d.words.is_basique, d.n_basique
            )
            assert learner.summary == full


def test_memory_scales_equal_the_prior_written_out() -> None:
    rng = np.random.default_rng(5)
    replayed = memory.replay(
        rng.integers(0, 30, 300), np.sort(rng.uniform(0, 60, 300)), rng.random(300) < 0.8
    )
    fit = memory.review_likelihood(replayed)
    classes = rng.integers(0, 3, replayed.word.size)
    for prior_sd in (0.5, 1.0, 2.0):
        cls = classes[fit.review_word]
        onehot = cls[:, None] == np.arange(3)[None, :]
        loglik = fit.loglik @ onehot - 0.5 * (np.log(memory.SCALE_GRID)[:, None] / prior_sd) ** 2
        want = np.where(onehot.any(axis=0), memory.SCALE_GRID[np.argmax(loglik, axis=0)], 1.0)
        np.testing.assert_array_equal(memory.memory_scales(replayed, classes, 3, prior_sd), want)
    assert math.isclose(float(memory._log_prior(1.0)[0, 0]), 0.5 * math.log(0.3) ** 2)


def test_recommendations_body_equals_json_dumps_of_the_items() -> None:
    """routes.get_recommendations before: one dict per pick, then json.dumps."""
    rng = np.random.default_rng(6)
    d = dictionary(rng, n=50)
    d.mot[3] = "l'\"é\\\n🙂"  # quotes, backslash, control and non-ASCII characters
    d.category[3] = "é,basique"
    for picks in (
        [],
        [(3, 1.23456789), (0, 0.5), (3, 2.0)],
        [
            (int(i), float(s))
            for i, s in zip(rng.integers(0, 50, 10), rng.random(10) * 2, strict=True)
        ],
        [(1, float("nan")), (2, float("inf")), (4, 1e-9), (5, -0.0)],
    ):
        items = [
            {
                "mot_id": int(d.words.mot_id[i]),
                "mot": d.mot[i],
                "category": d.category[i],
                "subcategory": d.subcategory[i],
                "niv_diff_id": int(d.words.niv_diff[i]),
                "url_sign": d.url_sign[i],
                "url_def": d.url_def[i],
                "recommendation_score": round(s, 4),
            }
            for i, s in picks
        ]
        want = json.dumps({"recommendations": items}, ensure_ascii=False).encode()
        assert d.recommendation_json(picks) == want
        assert d.recommendation_json(picks) == want  # from the kept fragments
