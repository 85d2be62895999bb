"""Time the export and the encoder on a random-weight CamemBERT (``make bench-export``).

``--size base`` has camembert-base's shape (so its file sizes and speed), ``--size tiny`` the test's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from apps.junior.tooling.export.onnx_export import export_model
from apps.junior.tooling.export.source import ModelSource
from apps.junior.tooling.export.synthetic import build_camembert, train_tokenizer

SHAPES: dict[str, dict[str, int]] = {
    "tiny": {"hidden_size": 64, "layers": 2, "heads": 2, "intermediate_size": 128,
             "max_positions": 130},
    "base": {"hidden_size": 768, "layers": 12, "heads": 12, "intermediate_size": 3072,
             "max_positions": 514, "vocab_size": 32005},
}  # fmt: skip
SENTENCE = "Le petit chat dort sur le tapis rouge près de la cheminée pendant que la souris mange."


def french_corpus(lines: int = 400, seed: int = 0) -> str:
    """Pseudo-sentences of frequent French words (wordfreq), enough to train a small tokenizer."""
    from wordfreq import top_n_list

    words = top_n_list("fr", 3000)
    rng = random.Random(seed)
    return "\n".join(" ".join(rng.choices(words, k=12)) + "." for _ in range(lines))


def time_encoder(model_dir: Path, variant: str, threads: int, runs: int) -> dict[str, Any]:
    """Load time, per-sentence p50/min and a 32-sentence call for one variant."""
    from apps.junior.transformer_encoder import OnnxTransformerEncoder

    started = time.perf_counter()
    encoder = OnnxTransformerEncoder(model_dir, threads, variant=variant)
    load_s = time.perf_counter() - started
    encoder.encode([SENTENCE])
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        encoder.encode([SENTENCE])
        times.append(time.perf_counter() - started)
    started = time.perf_counter()
    encoder.encode([SENTENCE] * 32)
    return {
        "sentence_tokens": len(encoder.tokenizer(SENTENCE)["input_ids"]),
        "load_s": round(load_s, 2),
        "sentence_p50_ms": round(1000 * statistics.median(times), 1),
        "sentence_min_ms": round(1000 * min(times), 1),
        "batch32_ms": round(1000 * (time.perf_counter() - started)),
    }


def run(size: str, threads: int, runs: int) -> dict[str, Any]:
    """Build, export with int8, time both variants; return the figures."""
    with tempfile.TemporaryDirectory(prefix="vocabulo-export-bench-") as tmp:
        work = Path(tmp)
        tokenizer = train_tokenizer(french_corpus(), work / "tok", vocab_size=1000)
        source = build_camembert(tokenizer, work / "src", **SHAPES[size])
        started = time.perf_counter()
        manifest = export_model(ModelSource(str(source), local=True), work / "out", quantize=True)
        figures: dict[str, Any] = {
            "size": size,
            "threads": threads,
            "export_total_s": round(time.perf_counter() - started, 2),
            "optimum_export_s": manifest["export_seconds"],
            "bytes": {k: v["bytes"] for k, v in manifest["files"].items() if k.endswith(".onnx")},
        }
        for variant in ("fp32", "int8"):
            figures[variant] = time_encoder(work / "out", variant, threads, runs)
    figures["loadavg_1m"] = round(os.getloadavg()[0], 2)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures as JSON."""
    parser = argparse.ArgumentParser(prog="python -m apps.junior.tooling.export.bench")
    parser.add_argument("--size", choices=sorted(SHAPES), default="base")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    print(json.dumps(run(args.size, args.threads, args.runs), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
