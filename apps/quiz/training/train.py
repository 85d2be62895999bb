"""``make train-quiz``: simulate learners, fit the pipeline, export ONNX + sha256, write the card."""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

from apps.quiz.model import DEFAULT_MODEL_PATH
from apps.quiz.simulator import synthetic_words
from apps.quiz.training.card import write_card
from apps.quiz.training.dataset import simulate_dataset, split_by_learner
from apps.quiz.training.evaluate import evaluate
from apps.quiz.training.pipeline import INPUT_NAME, make_pipeline, sklearn_proba, to_onnx

REPO = Path(__file__).resolve().parents[3]
DEFAULT_CARD = REPO / "docs" / "models" / "quiz.md"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (all have reproducible defaults)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--learners", type=int, default=1500)
    ap.add_argument("--words", type=int, default=5000, help="size of the synthetic dictionary")
    ap.add_argument("--trees", type=int, default=100)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--out", type=Path, default=DEFAULT_MODEL_PATH)
    ap.add_argument("--card", type=Path, default=DEFAULT_CARD)
    return ap.parse_args(argv)


def onnx_proba(model_bytes: bytes, x: np.ndarray) -> np.ndarray:
    """P(correct) from the exported ONNX model."""
    sess = ort.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
    return np.asarray(sess.run(None, {INPUT_NAME: x.astype(np.float32)})[1][:, 1], dtype=np.float64)


def main(argv: list[str] | None = None) -> int:
    """Train and write every artefact; prints the held-out figures."""
    args = parse_args(argv)
    started = time.perf_counter()
    words = synthetic_words(args.words, args.seed)
    data = simulate_dataset(words, args.learners, args.seed)
    train, held = split_by_learner(data, 0.2, args.seed)
    pipe = make_pipeline(args.seed, args.trees, args.depth)
    print(f"fitting on {len(train.y):,} answers ({len(held.y):,} held out)...", flush=True)
    pipe.fit(train.x, train.y)
    version = f"quiz-xgb-{args.trees}x{args.depth}-s{args.seed}"
    model_bytes = to_onnx(pipe, version, {"seed": str(args.seed), "learners": str(args.learners)})
    p_onnx = onnx_proba(model_bytes, held.x)
    parity = float(np.abs(p_onnx - sklearn_proba(pipe, held.x)).max())
    ev = evaluate(held.y, p_onnx, held.p_true)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(model_bytes)
    sha = hashlib.sha256(model_bytes).hexdigest()
    args.out.with_name(args.out.name + ".sha256").write_text(f"{sha}  {args.out.name}\n")
    elapsed = time.perf_counter() - started
    write_card(
        args.card,
        ev,
        version=version,
        sha256=sha,
        seed=args.seed,
        learners=args.learners,
        words=args.words,
        train_rows=len(train.y),
        parity=parity,
        seconds=elapsed,
        trees=args.trees,
        depth=args.depth,
        size=len(model_bytes),
    )
    print(
        f"AUC {ev.auc:.4f} (best {ev.best_auc:.4f}), log loss {ev.log_loss:.4f}, "
        f"ONNX parity {parity:.2e}, {elapsed:.0f} s -> {args.out} ({sha[:12]})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
