"""apps.quiz.memory (vectorised FSRS-6) against py-fsrs 6.3.2 on random review sequences."""

from __future__ import annotations

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
