"""The model: ONNX/scikit-learn parity, held-out AUC near the best achievable, the committed file."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from apps.common.hashing import file_sha256
from apps.quiz.features import FEATURE_NAMES
from apps.quiz.model import DEFAULT_MODEL_PATH, ModelError, QuizModel
from apps.quiz.simulator import synthetic_words
from apps.quiz.training.dataset import simulate_dataset, split_by_learner
from apps.quiz.training.evaluate import evaluate
from apps.quiz.training.pipeline import make_pipeline, sklearn_proba, to_onnx
from apps.quiz.training.train import onnx_proba


@pytest.fixture(scope="module")
def small_run() -> dict[str, object]:
    """A quick training on a smaller sample (same code path as make train-quiz)."""
    words = synthetic_words(2000, seed=5)
    data = simulate_dataset(words, n_learners=250, seed=5, progress=False)
    train, held = split_by_learner(data, 0.2, seed=5)
    pipe = make_pipeline(seed=5, n_estimators=100, max_depth=4)
    pipe.fit(train.x, train.y)
    return {"pipe": pipe, "held": held, "data": data, "onnx": to_onnx(pipe, "test", {"seed": "5"})}


def test_onnx_matches_sklearn_on_10000_rows(small_run: dict) -> None:
    x = small_run["data"].x
    rng = np.random.default_rng(0)
    rows = x[rng.choice(len(x), size=10_000, replace=len(x) < 10_000)]
    diff = np.abs(onnx_proba(small_run["onnx"], rows) - sklearn_proba(small_run["pipe"], rows))
    assert diff.max() <= 1e-5


def test_small_retrain_auc_is_near_the_best(small_run: dict) -> None:
    held = small_run["held"]
    ev = evaluate(held.y, onnx_proba(small_run["onnx"], held.x), held.p_true)
    assert ev.best_auc - ev.auc <= 0.03, ev


def test_committed_model_on_new_learners_is_near_the_best() -> None:
    words = synthetic_words(3000, seed=99)  # other words, other learners than in training
    data = simulate_dataset(words, n_learners=200, seed=99, progress=False)
    model = QuizModel(DEFAULT_MODEL_PATH)
    ev = evaluate(data.y, model.predict(data.x).astype(np.float64), data.p_true)
    assert ev.best_auc - ev.auc <= 0.03, ev
    assert ev.log_loss <= ev.best_log_loss + 0.03


def test_committed_model_file_is_checked(tmp_path) -> None:
    model = QuizModel(DEFAULT_MODEL_PATH)
    recorded = DEFAULT_MODEL_PATH.with_name(DEFAULT_MODEL_PATH.name + ".sha256").read_text()
    assert recorded.split()[0] == file_sha256(DEFAULT_MODEL_PATH) == model.sha256
    assert model.session.get_modelmeta().custom_metadata_map["feature_names"] == ",".join(
        FEATURE_NAMES
    )
    altered = tmp_path / "quiz_model.onnx"
    altered.write_bytes(DEFAULT_MODEL_PATH.read_bytes() + b"\0")
    (tmp_path / "quiz_model.onnx.sha256").write_text(recorded)
    with pytest.raises(ModelError, match="altered"):
        QuizModel(altered)
    with pytest.raises(ModelError, match="not found"):
        QuizModel(tmp_path / "missing.onnx")


def test_model_outputs_are_probabilities() -> None:
    model = QuizModel(DEFAULT_MODEL_PATH)
    assert model.predict(np.zeros((0, len(FEATURE_NAMES)), np.float32)).shape == (0,)
    x = np.random.default_rng(1).random((50, len(FEATURE_NAMES)), dtype=np.float32) * 5
    p = model.predict(x)
    assert p.shape == (50,)
    assert np.all((p > 0) & (p < 1))
    json.dumps(p.tolist())


def test_serving_imports_neither_sklearn_nor_xgboost() -> None:
    code = (
        "import sys, apps.quiz.app; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'xgboost', 'skl2onnx'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
