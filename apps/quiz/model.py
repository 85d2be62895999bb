"""The quiz model served by onnxruntime only: loaded once, checked, timed into Prometheus."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from prometheus_client import Gauge, Histogram

from apps.common.hashing import file_sha256
from apps.common.onnx import onnx_session
from apps.quiz.features import FEATURE_NAMES, N_FEATURES

DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "model" / "quiz_model.onnx"

INFERENCE_SECONDS = Histogram(
    "vocabulo_quiz_model_inference_seconds",
    "Time of one batched ONNX call of the quiz model.",
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25),
)
INFERENCE_ROWS = Histogram(
    "vocabulo_quiz_model_inference_rows",
    "Rows (candidate words) per ONNX call.",
    buckets=(1, 10, 50, 100, 250, 500, 1000, 2000, 5000, 10000),
)
MODEL_INFO = Gauge(
    "vocabulo_quiz_model_info", "Loaded quiz model (value 1).", ["version", "sha256"]
)


class ModelError(RuntimeError):
    """The model file is missing, altered or does not match the feature contract."""


class QuizModel:
    """P(correct) for rows of ``FEATURE_NAMES``; one onnxruntime session shared by all threads."""

    def __init__(self, path: Path = DEFAULT_MODEL_PATH, intra_op_threads: int = 1) -> None:
        if not path.is_file():
            raise ModelError(f"quiz model not found: {path} (run `make train-quiz`)")
        self.sha256 = file_sha256(path)
        expected = path.with_name(path.name + ".sha256")
        if expected.is_file() and expected.read_text().split()[0] != self.sha256:
            raise ModelError(f"{path} does not match {expected.name}: the file was altered")
        self.session = onnx_session(path, intra_op_threads)
        meta = self.session.get_modelmeta().custom_metadata_map
        names = tuple(meta.get("feature_names", "").split(","))
        if names != FEATURE_NAMES:
            raise ModelError(f"model features {names} differ from the service's {FEATURE_NAMES}")
        self.version = meta.get("version", "unknown")
        self.input_name = self.session.get_inputs()[0].name
        MODEL_INFO.labels(self.version, self.sha256[:12]).set(1)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Probabilities of a correct answer, one per row of ``x`` (n, N_FEATURES)."""
        if x.shape[0] == 0:
            return np.zeros(0, dtype=np.float32)
        started = time.perf_counter()
        out = self.session.run(None, {self.input_name: np.ascontiguousarray(x, np.float32)})
        INFERENCE_SECONDS.observe(time.perf_counter() - started)
        INFERENCE_ROWS.observe(x.shape[0])
        return np.asarray(out[1][:, 1], dtype=np.float32)

    def warm_up(self) -> None:
        """One call so the first request does not pay for lazy initialisation."""
        self.predict(np.zeros((8, N_FEATURES), dtype=np.float32))
