"""What every sentence encoder shares: the interface, unit rows, clipping and length-sorted batches.

Kept apart from ``encoder.py`` (which picks an encoder) so that each encoder module imports
this one and nothing imports back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np


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


def clip_words(text: str, max_words: int, max_chars: int | None = None) -> str:
    """The first ``max_words`` words of ``text`` (and at most ``max_chars`` characters).

    An encoder's cost grows with the longest input of a batch (attention is quadratic in it),
    so one run-on sentence must not decide the memory of a request.
    """
    max_chars = max_chars if max_chars is not None else max_words * 12
    words = text.split()
    clipped = " ".join(words[:max_words]) if len(words) > max_words else text
    return clipped[:max_chars]


def encode_in_batches(
    forward: Callable[[list[str]], np.ndarray], texts: Sequence[str], dim: int, batch_size: int
) -> np.ndarray:
    """(n, dim) rows of ``forward`` run on batches of similar length (little padding)."""
    texts = list(texts)
    out = np.zeros((len(texts), dim), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        out[chunk] = forward([texts[i] for i in chunk])
    return out
