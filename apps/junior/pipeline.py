"""The Junior pipeline: image → OCR → text → spaCy → sense choice → the app's JSON words.

Each stage is timed into a Prometheus histogram (decode, ocr, nlp, senses).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import Histogram
from sqlalchemy import Engine

from apps.junior.images import decode_image
from apps.junior.memory import trim
from apps.junior.nlp import FrenchAnalyzer, Word
from apps.junior.ocr import OcrEngine
from apps.junior.senses import Linked, SenseLinker
from apps.junior.settings import JuniorSettings
from apps.junior.text import clean_text, page_text

STAGE_SECONDS = Histogram(
    "vocabulo_junior_stage_duration_seconds",
    "Time per Junior pipeline stage.",
    ["stage"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10),
)

CONTEXT = {"definition": "Mot de contexte", "url": "Non applicable", "confidence": 1.0}
GRAMMAR = {"definition": "Mot grammatical", "url": "Non applicable", "confidence": 1.0}
NOT_FOUND = {"definition": "Non trouvé dans la BDD", "url": "Non disponible", "confidence": 0.0}


@contextmanager
def timed(stage: str, timings: dict[str, float] | None = None) -> Iterator[None]:
    """Observe the block's duration under ``stage`` (and record it in ``timings``)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        STAGE_SECONDS.labels(stage).observe(elapsed)
        if timings is not None:
            timings[stage] = timings.get(stage, 0.0) + elapsed


class OcrDisabled(RuntimeError):
    """The service runs text-only (``JUNIOR_OCR=false``): images cannot be read."""


class TextTooLong(ValueError):
    """More sentences than ``JUNIOR_MAX_SENTENCES`` in one request (answered 413)."""

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(
            f"Text too long: {count} sentences (limit {limit} per request); send it in parts"
        )


def word_entry(word: Word, linked: Linked) -> dict[str, Any]:
    """One word of the response, in the contract's shape."""
    entry: dict[str, Any] = {
        "word": word.text,
        "lemma": linked.lemma or word.lemma,
        "pos": linked.pos or word.pos,
        "function": word.function,
    }
    choice = linked.choice
    if word.kind == "context":
        return entry | CONTEXT
    if word.kind == "grammar" and choice is None:  # a mis-tagged one may have a sense (« vers »)
        return entry | GRAMMAR
    if choice is None:
        return entry | (GRAMMAR if word.pos == "COMPOUND" else NOT_FOUND)
    return entry | {
        "definition": choice.sense.definition,
        "url": choice.sense.url,
        "confidence": choice.confidence,
        "difficulty": choice.sense.difficulty,
    }


class JuniorPipeline:
    """Models and database, loaded once; turns pages and texts into per-word senses."""

    def __init__(
        self,
        settings: JuniorSettings,
        engine: Engine,
        analyzer: FrenchAnalyzer,
        linker: SenseLinker,
        ocr: OcrEngine | None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.analyzer = analyzer
        self.linker = linker
        self.encoder = linker.encoder
        self.ocr = ocr

    def read_image(self, data: bytes, timings: dict[str, float] | None = None) -> str:
        """Decode, validate and OCR an upload into clean page text."""
        s = self.settings
        with timed("decode", timings):
            rgb = decode_image(data, s.max_upload_bytes, s.max_image_pixels, s.ocr_max_side)
        if self.ocr is None:  # JUNIOR_OCR=false: a text-only deployment
            raise OcrDisabled()
        with timed("ocr", timings):
            lines = self.ocr.read_page(rgb)
        return page_text(lines)

    def process_text(
        self, text: str, target: int, timings: dict[str, float] | None = None
    ) -> list[dict[str, Any]]:
        """``processed_results`` for a text: one entry per sentence, one per word."""
        text = clean_text(text)
        if not text:
            return []
        with timed("nlp", timings):
            sentences = self.analyzer.analyse(text)
        if len(sentences) > self.settings.max_sentences:
            raise TextTooLong(len(sentences), self.settings.max_sentences)
        with timed("senses", timings):
            linked = self.linker.link(sentences, target)
        return [
            {
                "sentence": sent.text,
                "words": [word_entry(w, c) for w, c in zip(sent.words, row, strict=True)],
            }
            for sent, row in zip(sentences, linked, strict=True)
        ]

    def process_image(
        self, data: bytes, target: int, timings: dict[str, float] | None = None
    ) -> dict[str, Any]:
        """The contract's response for a page photo."""
        try:
            text = self.read_image(data, timings)
        finally:
            trim()  # the decoded page and OCR buffers are gone: give their pages back
        return {
            "original_text": text,
            "processed_results": self.process_text(text, target, timings),
        }
