"""The scikit-learn pipeline (StandardScaler + XGBoost) and its ONNX export."""

from __future__ import annotations

import numpy as np
from onnxmltools.convert.xgboost.operator_converters.XGBoost import convert_xgboost
from skl2onnx import convert_sklearn, update_registered_converter
from skl2onnx.common.data_types import FloatTensorType
from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from xgboost import XGBClassifier

from apps.quiz.features import FEATURE_NAMES, N_FEATURES

TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}
INPUT_NAME = "features"


def make_pipeline(seed: int, n_estimators: int = 100, max_depth: int = 4) -> Pipeline:
    """A compact gradient-boosted classifier behind a scaler (kept for parity with the design)."""
    return Pipeline(
        [
            ("scale", StandardScaler()),
            (
                "xgb",
                XGBClassifier(
                    n_estimators=n_estimators,
                    max_depth=max_depth,
                    learning_rate=0.15,
                    subsample=0.8,
                    colsample_bytree=0.9,
                    min_child_weight=5,
                    tree_method="hist",
                    random_state=seed,
                    n_jobs=2,
                    eval_metric="logloss",
                ),
            ),
        ]
    )


def _register_xgboost() -> None:
    update_registered_converter(
        XGBClassifier,
        "XGBoostXGBClassifier",
        calculate_linear_classifier_output_shapes,
        convert_xgboost,
        options={"nocl": [True, False], "zipmap": [True, False, "columns"]},
    )


def to_onnx(pipe: Pipeline, version: str, metadata: dict[str, str]) -> bytes:
    """ONNX bytes: input ``features`` float32 (n, N_FEATURES), outputs label and probabilities (n, 2).

    The scaler is converted with the ``div`` option: the default multiplies by 1/scale and
    flips tree splits that sit exactly on a threshold.
    """
    _register_xgboost()
    scaler = pipe.named_steps["scale"]
    onx = convert_sklearn(
        pipe,
        "vocabulo-quiz",
        [(INPUT_NAME, FloatTensorType([None, N_FEATURES]))],
        target_opset=TARGET_OPSET,
        options={id(scaler): {"div": "div"}, id(pipe.named_steps["xgb"]): {"zipmap": False}},
    )
    onx.doc_string = "Vocabulo quiz: P(correct answer) of a learner for a word"
    onx.model_version = 1
    props = {"version": version, "feature_names": ",".join(FEATURE_NAMES), **metadata}
    for key, value in props.items():
        entry = onx.metadata_props.add()
        entry.key, entry.value = key, value
    return bytes(onx.SerializeToString())


def sklearn_proba(pipe: Pipeline, x: np.ndarray) -> np.ndarray:
    """P(correct) from the scikit-learn pipeline (training-time reference)."""
    return np.asarray(pipe.predict_proba(x)[:, 1], dtype=np.float64)
