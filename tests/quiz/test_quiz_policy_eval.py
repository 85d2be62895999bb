"""The policy evaluation (make eval-quiz-policy) on a tiny setting, and the Manulex columns."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from apps.quiz.dictionary import Dictionary, from_rows
from apps.quiz.simulator import word_difficulty
from apps.quiz.training.policy_eval import Setting, evaluate

METRICS = {
    "retained_90",
    "retained_30",
    "learned_90",
    "success_rate",
    "new_per_week",
    "latency_ms_p50",
}


def rows(n: int, manulex: bool, seed: int = 3) -> list[tuple]:
    """Rows shaped like SENSES_SQL's; Manulex columns NULL when ``manulex`` is False."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(1, n + 1):
        niv = int(rng.choice([1, 2, 3], p=[0.45, 0.35, 0.2]))
        f = float(np.expm1(max(0.0, rng.normal(3.2 - 0.9 * (niv - 1), 1.2))))
        child = float(f * rng.uniform(0.2, 3)) if manulex and rng.random() < 0.7 else None
        cats = "basique" if rng.random() < 0.1 and niv == 1 else "vocabulaire"
        out.append(
            (i, f"mot{i}", niv, f, f * 0.8, 1 + i % 4, f"s{i}", f"d{i}", cats, f"sub{i % 7}",
             child, child)
        )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def dictionary() -> Dictionary:
    return from_rows(rows(600, manulex=True))


def test_null_manulex_columns_fall_back_to_book_frequency() -> None:
    old = from_rows(rows(200, manulex=False))
    assert not old.words.has_child_freq
    assert np.isfinite(old.static).all()
    np.testing.assert_allclose(old.static[:, 5], old.static[:, 1])  # log_child_freq = books
    new = from_rows(rows(200, manulex=True))
    assert new.words.has_child_freq
    assert np.isfinite(new.static).all()
    assert (new.static[:, 5] == 0).any()  # a word missing from Manulex: children never read it
    assert np.isfinite(word_difficulty(old.words)).all()
    assert not np.allclose(word_difficulty(old.words), word_difficulty(new.words))


def test_tiny_policy_evaluation(dictionary: Dictionary) -> None:
    result = evaluate(dictionary, Setting(learners=8, days=30, seed=5, fsrs_grid=(0.8, 0.9)))
    assert set(result) == {"simulator", "fsrs"}
    for world, pols in result.items():
        for name in ("ours", "earlier", "random", "fsrs", "ours+fsrs", "fsrs@0.80"):
            assert set(pols[name]) >= METRICS, (world, name)
            assert pols[name]["learners"] == 8
            assert len(pols[name]["retained_by_day"]) == 30
        assert pols["fsrs"]["desired_retention"] in (0.8, 0.9)
        base = pols["ours"]["success_rate"]
        # 'Trop dur' asks for easier quizzes, 'Trop facile' for harder ones: success moves so
        assert pols["ours/trop-dur"]["success_rate"] > base, world
        assert pols["ours/trop-facile"]["success_rate"] < base, world


def test_oracle_bound_holds_its_band_and_never_reviews_a_throwaway(
    dictionary: Dictionary,
) -> None:
    """The oracle of ``make eval-quiz-bound`` holds the median learner's success to its aim
    (strong learners may know even the hardest words of this small dictionary) and never
    shows a throwaway word twice; without a band its success is higher."""
    from collections import Counter

    from apps.quiz.training import policy_eval as pe
    from apps.quiz.training.policy_bound import Oracle

    class Counting(Oracle):
        def observe(self, idx: np.ndarray, correct: np.ndarray, when: datetime) -> None:
            self.shown.update(idx.tolist())
            super().observe(idx, correct, when)

    pe._init_worker(dictionary, pe.DEFAULT_MODEL_PATH, 5)
    svc, difficulty = pe._CTX["svc"], pe._CTX["difficulty"]
    setting = Setting(learners=6, days=40, seed=5)
    success = {}
    for aim in (1.0, 0.7):
        rates = []
        for no in range(setting.learners):
            policy = Counting(dictionary.recommendable, 0.9, aim)
            policy.shown = Counter()
            run = pe.run_learner("fsrs", policy, svc, difficulty, no, setting, None)  # type: ignore[arg-type]
            rates.append(run.correct / run.answers)
            assert all(policy.shown[i] == 1 for i in policy.thrown)
            assert bool(policy.thrown) == (aim < 1.0) or rates[-1] < aim
        success[aim] = float(np.median(rates))
    assert success[0.7] <= 0.72, success
    assert success[1.0] > success[0.7] + 0.05, success


def test_oracle_bound_report_has_a_row_per_policy_and_world() -> None:
    from apps.quiz.training.policy_bound import report

    m = {"retained_90": 150.0, "retained_30": 70.0, "success_rate": 0.85, "new_per_week": 16.0}
    text = report({"fsrs": {"fsrs@0.90": m, "oracle@0.90/0.85": m}}, "`test`")
    assert "### World: fsrs" in text
    assert "| oracle@0.90/0.85 | 150.0 | 70.0 | 85.0% | 16.0 |" in text
    assert text.index("| fsrs@0.90 |") < text.index("| oracle@0.90/0.85 |")
