"""Held-out figures for the model card: ROC AUC, log loss, calibration, best achievable AUC."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score


@dataclass(frozen=True)
class Evaluation:
    """Model and oracle (simulator's exact probabilities) on the same held-out rows."""

    rows: int
    positive_rate: float
    auc: float
    best_auc: float
    log_loss: float
    best_log_loss: float
    brier: float
    calibration: list[tuple[float, float, float, int]]  # (bin low, mean predicted, observed, n)


def calibration_table(
    y: np.ndarray, p: np.ndarray, bins: int = 10
) -> list[tuple[float, float, float, int]]:
    """Rows per probability decile: mean predicted vs observed rate."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges) - 1, 0, bins - 1)
    out = []
    for b in range(bins):
        m = which == b
        if m.any():
            out.append((float(edges[b]), float(p[m].mean()), float(y[m].mean()), int(m.sum())))
    return out


def evaluate(y: np.ndarray, p_model: np.ndarray, p_true: np.ndarray) -> Evaluation:
    """Compare the model with the simulator's exact probabilities."""
    return Evaluation(
        rows=int(y.shape[0]),
        positive_rate=float(y.mean()),
        auc=float(roc_auc_score(y, p_model)),
        best_auc=float(roc_auc_score(y, p_true)),
        log_loss=float(log_loss(y, p_model)),
        best_log_loss=float(log_loss(y, p_true)),
        brier=float(brier_score_loss(y, p_model)),
        calibration=calibration_table(y, p_model),
    )
