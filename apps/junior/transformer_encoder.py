"""CamemBERT-family sentence encoder on onnxruntime, loaded from an exported directory.

Mean pooling over the attention mask, then L2 normalisation, as the earlier service did in PyTorch.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from apps.common.hashing import file_sha256
from apps.common.onnx import onnx_session
from apps.junior.vectors import encode_in_batches, l2_normalise

# The manifest's read side lives here, not in apps/junior/tooling/export/: the image leaves export/ out.
MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest of an exported directory; FileNotFoundError says how to produce one."""
    path = Path(directory) / MANIFEST_NAME
    if not path.is_file():
        raise FileNotFoundError(
            f"no {MANIFEST_NAME} in {directory}: export a model first "
            "(make export-junior-models MODEL=camembert-base, see docs/models/camembert-export.md)"
        )
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format_version") != MANIFEST_FORMAT:
        raise ValueError(f"{path}: unsupported format_version {manifest.get('format_version')!r}")
    return manifest


def verify_manifest(directory: Path, names: list[str] | None = None) -> list[str]:
    """Problems found (missing file, size or sha256 mismatch) for ``names`` (default: all files)."""
    directory = Path(directory)
    files = read_manifest(directory)["files"]
    problems = []
    for name in names if names is not None else sorted(files):
        entry = files.get(name)
        path = directory / name
        if entry is None:
            problems.append(f"{name}: not listed in the manifest")
        elif not path.is_file():
            problems.append(f"{name}: missing")
        elif path.stat().st_size != entry["bytes"] or file_sha256(path) != entry["sha256"]:
            problems.append(f"{name}: content differs from the manifest (sha256)")
    return problems


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Average of ``hidden`` (n, seq, dim) over the positions where ``mask`` (n, seq) is 1."""
    weights = mask.astype(np.float32)[:, :, None]
    summed = (hidden.astype(np.float32) * weights).sum(axis=1)
    return summed / np.maximum(weights.sum(axis=1), 1.0)


class OnnxTransformerEncoder:
    """Exported transformer encoder (tokenizer + ONNX) with batched, length-sorted inference."""

    def __init__(
        self,
        model_dir: Path,
        threads: int = 1,
        *,
        variant: str | None = None,
        batch_size: int = 32,
        verify: bool = True,
    ) -> None:
        from transformers import AutoTokenizer

        self.model_dir = Path(model_dir)
        manifest = read_manifest(self.model_dir)
        self.variant = variant or manifest["default_variant"]
        files = manifest["onnx_files"]
        if self.variant not in files:
            raise ValueError(f"{model_dir} has no {self.variant!r} model (has {sorted(files)})")
        onnx_file = files[self.variant]
        if verify and (problems := verify_manifest(self.model_dir, [onnx_file])):
            raise ValueError(f"{model_dir}: {'; '.join(problems)}")
        source = str(manifest["source"]).rstrip("/").rsplit("/", 1)[-1]
        self.name = f"{source}-onnx-{self.variant}"
        self.dim = int(manifest["hidden_size"])
        self.max_length = int(manifest["max_length"])
        self.model_hash = manifest["files"][onnx_file]["sha256"]
        self.batch_size = batch_size
        # Precaution: a fast tokenizer mutates its Rust state when padding/truncation settings
        # change, and concurrent calls then fail upstream with "Already borrowed".
        self._tokenizer_lock = threading.Lock()
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_dir, local_files_only=True)
        self.session = onnx_session(self.model_dir / onnx_file, threads, memory_arena=False)
        self.input_names = [i.name for i in self.session.get_inputs()]

    def _forward(self, texts: list[str]) -> np.ndarray:
        with self._tokenizer_lock:
            batch: dict[str, Any] = self.tokenizer(
                texts,
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="np",
            )
        feeds = {name: batch[name].astype(np.int64) for name in self.input_names}
        (hidden,) = self.session.run(["last_hidden_state"], feeds)
        return mean_pool(hidden, batch["attention_mask"])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32 unit rows; texts of similar length share a batch to limit padding."""
        return l2_normalise(encode_in_batches(self._forward, texts, self.dim, self.batch_size))
