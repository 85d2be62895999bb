"""apps.quiz.memory (vectorised FSRS-6) against py-fsrs 6.3.2 on random review sequences."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import numpy as np
from fsrs import Card, Rating, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS

from apps.quiz import memory

START = datetime(2026, 1, 5, 9, tzinfo=UTC)


def test_parameters_are_fsrs6_defaults() -> None:
    assert np.allclose(memory.PARAMS, DEFAULT_PARAMETERS)


def reference(days: list[float], correct: list[bool]) -> Card:
    """py-fsrs's card after answering on ``days`` (no learning steps, no fuzz)."""
    sch = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    card = Card(card_id=1, due=START)
    for d, ok in zip(days, correct, strict=True):
        card, _ = sch.review_card(
            card, Rating.Good if ok else Rating.Again, START + timedelta(days=d)
        )
    return card


def test_replay_matches_py_fsrs_on_random_sequences() -> None:
    rng = np.random.default_rng(7)
    words, days, answers, expected = [], [], [], []
    for w in range(200):
        n = int(rng.integers(1, 12))
        gaps = rng.choice([0.1, 0.3, 1.0, 2.0, 3.5, 7.0, 15.0, 40.0], size=n)
        d = np.cumsum(gaps).tolist()
        ok = (rng.random(n) < 0.75).tolist()
        words += [w] * n
        days += d
        answers += ok
        expected.append(reference(d, ok))
    perm = rng.permutation(len(words))  # any order
    got = memory.replay(np.array(words)[perm], np.array(days)[perm], np.array(answers)[perm])
    assert got.word.tolist() == list(range(200))
    assert np.allclose(got.stability, [c.stability for c in expected], rtol=1e-6)
    assert np.allclose(got.difficulty, [c.difficulty for c in expected], rtol=1e-6)


def test_retrievability_matches_py_fsrs() -> None:
    card = reference([0.0, 3.0, 10.0], [True, True, False])
    sch = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    for t in (1, 5, 30):
        want = sch.get_card_retrievability(card, START + timedelta(days=10 + t))
        got = memory.retrievability(np.array([card.stability]), np.array([float(t)]))
        assert np.isclose(got[0], want)


def test_memory_scale_follows_recall() -> None:
    rng = np.random.default_rng(3)
    n = 400
    s, elapsed = rng.uniform(2, 20, n), rng.uniform(1, 30, n)
    for k in (0.5, 1.0, 4.0):
        ok = rng.random(n) < memory.retrievability(k * s, elapsed)
        word = np.arange(n) % 2  # two words, each with half the reviews
        replayed = memory.Replayed(*(np.zeros(0),) * 5, s, elapsed, ok, word)
        for classes in ([0, 1], [1, 0]):
            k_fit = memory.memory_scales(replayed, np.array(classes), 3)
            assert np.all(np.abs(np.log(k_fit[:2]) - np.log(k)) < 0.5)
            assert k_fit[2] == 1.0  # no reviews: the prior


def textbook_next_state(
    s: np.ndarray, d: np.ndarray, t: np.ndarray, ok: np.ndarray, r: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """FSRS-6's update written out term by term (memory.next_state hoists the constants)."""
    w = memory.PARAMS
    s = np.maximum(s, memory.MIN_STABILITY)
    g = np.where(ok, 3.0, 1.0)
    r = memory.retrievability(s, t) if r is None else r
    short_gain = np.exp(w[17] * (g - 3.0 + w[18])) * np.power(s, -w[19])
    short = s * np.where(ok, np.maximum(short_gain, 1.0), short_gain)
    recall = s * (
        1.0 + np.exp(w[8]) * (11.0 - d) * np.power(s, -w[9]) * (np.exp((1.0 - r) * w[10]) - 1.0)
    )
    forget = np.minimum(
        w[11] * np.power(d, -w[12]) * (np.power(s + 1.0, w[13]) - 1.0) * np.exp((1.0 - r) * w[14]),
        s / np.exp(w[17] * w[18]),
    )
    s_next = np.maximum(np.where(t < 1.0, short, np.where(ok, recall, forget)), 1e-3)
    d0_easy = w[4] - np.exp(w[5] * 3.0) + 1.0
    damped = d + (10.0 - d) * (-w[6] * (g - 3.0)) / 9.0
    return s_next, np.clip(w[7] * d0_easy + (1.0 - w[7]) * damped, 1.0, 10.0)


def test_fast_state_updates_equal_the_textbook_formulas_exactly() -> None:
    rng = np.random.default_rng(11)
    for n in (1, 3, 40, 5000):  # replay steps are small arrays, the FSRS world's large ones
        s, d = np.exp(rng.uniform(-7, 6, n)), rng.uniform(1, 10, n)
        t = rng.choice([0.0, 0.4, 1.0, 3.0, 30.0, 400.0], n)
        ok = rng.random(n) < 0.7
        for r in (None, rng.uniform(0, 1, n)):
            got, want = memory.next_state(s, d, t, ok, r), textbook_next_state(s, d, t, ok, r)
            assert np.array_equal(got[0], want[0])
            assert np.array_equal(got[1], want[1])
        s0, d0 = memory.first_state(ok)
        assert np.array_equal(s0, np.where(ok, memory.PARAMS[2], memory.PARAMS[0]))
        assert np.array_equal(d0, np.clip(memory.initial_difficulty(np.where(ok, 3.0, 1.0)), 1, 10))


def test_vectorised_replay_equals_one_answer_at_a_time() -> None:
    rng = np.random.default_rng(5)
    n = 600  # a learner's answers: 150 words, 1 to 9 answers each, any order, same-day ties
    word = rng.integers(0, 150, n)
    day = np.round(rng.uniform(0, 120, n), 1)
    day[:40] = day[40:80]
    ok = rng.random(n) < 0.7
    got = memory.replay(word, day, ok)
    reviews = []
    for i, w in enumerate(got.word):
        rows = np.flatnonzero(word == w)
        rows = rows[np.lexsort((ok[rows], day[rows]))]
        s, d = memory.first_state(ok[rows[:1]])
        for prev, row in itertools.pairwise(rows):
            elapsed = np.floor(day[row : row + 1] - day[prev] + 1e-6)
            reviews.append((i, s[0], elapsed[0], ok[row]))
            s, d = memory.next_state(s, d, elapsed, ok[row : row + 1])
        assert got.stability[i] == s[0]
        assert got.difficulty[i] == d[0]
        assert got.last[i] == day[rows[-1]]
        assert got.first_right[i] == ok[rows[0]]
    replayed = sorted(
        zip(
            got.review_word.tolist(),
            got.review_stability.tolist(),
            got.review_elapsed.tolist(),
            got.review_correct.tolist(),
            strict=True,
        )
    )
    assert replayed == sorted((i, float(s), float(e), bool(c)) for i, s, e, c in reviews)


def test_scale_fits_sharing_one_likelihood_equal_separate_fits() -> None:
    """align fits twice per learner from one grid of review log-likelihoods: same scales."""
    rng = np.random.default_rng(7)
    word = rng.integers(0, 40, 400)
    day = np.sort(rng.uniform(0, 90, 400))
    correct = rng.random(400) < 0.8
    replayed = memory.replay(word, day, correct)
    fit = memory.review_likelihood(replayed)
    for classes in (rng.integers(0, 3, replayed.word.size), np.zeros(replayed.word.size, int)):
        alone = memory.memory_scales(replayed, classes, 3)
        shared = memory.memory_scales(replayed, classes, 3, likelihood=fit)
        np.testing.assert_array_equal(alone, shared)


def test_latest_rows_are_the_tail_of_a_full_sort() -> None:
    """The recent-success window: the same rows as sorting every answer, ties included."""
    from apps.quiz.service import latest_rows

    rng = np.random.default_rng(3)
    for size in (0, 5, 60, 61, 500):
        at = rng.integers(0, 30, size).astype(np.float64) * 86400.0  # whole quizzes: ties
        mot = rng.permutation(size).astype(np.int64)
        want = np.lexsort((mot, at))[-60:]
        np.testing.assert_array_equal(latest_rows(mot, at, 60), want)
