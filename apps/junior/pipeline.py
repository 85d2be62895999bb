"""The Junior pipeline: image → OCR → text → spaCy → sense choice → the app's JSON words.

Each stage is timed into a Prometheus histogram (decode, ocr, nlp, senses).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from prometheus_client import Histogram
from sqlalchemy import Engine

from apps.junior.images import decode_image
from apps.junior.nlp import FrenchAnalyzer, Sentence, Word
from apps.junior.ocr import OcrEngine
from apps.junior.sense_choice import SenseChoice
from apps.junior.senses import Choice, Sense, SenseChooser, fetch_candidates, filter_by_pos
from apps.junior.settings import JuniorSettings
from apps.junior.text import clean_text, page_text
from apps.junior.vectors import Encoder

STAGE_SECONDS = Histogram(
    "vocabulo_junior_stage_duration_seconds",
    "Time per Junior pipeline stage.",
    ["stage"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10),
)

CONTEXT = {"definition": "Mot de contexte", "url": "Non applicable", "confidence": 1.0}
GRAMMAR = {"definition": "Mot grammatical", "url": "Non applicable", "confidence": 1.0}
NOT_FOUND = {"definition": "Non trouvé dans la BDD", "url": "Non disponible", "confidence": 0.0}
POS_FALLBACK_PENALTY = 0.5  # senses of another part of speech: spaCy may have mis-tagged


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


Picked = tuple[Choice | None, str | None]  # the choice and the lemma it was found under


class OcrDisabled(RuntimeError):
    """The service runs text-only (``JUNIOR_OCR=false``): images cannot be read."""


class TextTooLong(ValueError):
    """More sentences than ``JUNIOR_MAX_SENTENCES`` in one request (answered 413)."""

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(
            f"Text too long: {count} sentences (limit {limit} per request); send it in parts"
        )


@dataclass
class Resolved:
    """A lookup word's candidates and whether they came from the POS fallback."""

    senses: list[Sense]
    fallback: bool
    lemma: str | None = None  # the dictionary lemma when found through a verb guess


def candidate_keys(word: Word) -> list[str]:
    """Dictionary keys to try for a word: lemma, plain verb of a pronominal, surface form."""
    keys = [word.lemma, word.alt_lemma, word.text.lower(), word.verb_guess]
    return [k for k in keys if k]


def resolve(word: Word, found: dict[str, list[Sense]]) -> Resolved:
    """Candidate senses of ``word`` with its POS; other POS only when none match (never for
    proper nouns)."""
    lemma_keys = [word.lemma] + ([word.alt_lemma] if word.alt_lemma else [])
    passes: list[tuple[list[str], str | None]] = [(lemma_keys, None), ([word.text.lower()], None)]
    if word.verb_guess:
        passes.append(([word.verb_guess], word.verb_guess))
    for keys, lemma in passes:
        pool = unique(s for key in keys for s in found.get(key, []))
        matching = filter_by_pos(pool, word.pos)
        if matching:
            return Resolved(matching, False, lemma)
    if word.pos == "PROPN":
        return Resolved([], False)  # « Pierre » the name is not « pierre » the stone
    for keys, lemma in passes:
        pool = unique(s for key in keys for s in found.get(key, []))
        if pool:
            return Resolved(pool, True, lemma)
    return Resolved([], False)


def unique(senses: Any) -> list[Sense]:
    """Senses without duplicates, first occurrence kept (by mot_id order)."""
    seen: dict[int, Sense] = {}
    for sense in senses:
        seen.setdefault(sense.mot_id, sense)
    return sorted(seen.values(), key=lambda s: s.mot_id)


def word_entry(word: Word, choice: Choice | None, lemma: str | None = None) -> dict[str, Any]:
    """One word of the response, in the contract's shape."""
    entry: dict[str, Any] = {
        "word": word.text,
        "lemma": lemma or word.lemma,
        "pos": word.pos,
        "function": word.function,
    }
    if word.kind == "context":
        return entry | CONTEXT
    if word.kind == "grammar":
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
        encoder: Encoder,
        chooser: SenseChooser | SenseChoice,
        ocr: OcrEngine | None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.analyzer = analyzer
        self.encoder = encoder
        self.chooser = chooser
        self.ocr = ocr

    def read_image(self, data: bytes, timings: dict[str, float] | None = None) -> str:
        """Decode, validate and OCR an upload into clean page text."""
        s = self.settings
        with timed("decode", timings):
            rgb = decode_image(data, s.max_upload_bytes, s.max_image_pixels, s.ocr_max_side)
        if self.ocr is None:  # JUNIOR_OCR=false: a text-only deployment
            raise OcrDisabled()
        with timed("ocr", timings):
            lines = self.ocr.read(rgb)
        return page_text(lines)

    def choose_all(self, sentences: Sequence[Sentence], target: int) -> list[list[Picked]]:
        """For every word, its chosen sense (None when not looked up or not found)."""
        lookups = [w for sent in sentences for w in sent.words if w.kind == "lookup"]
        # issue 11 item 1 (sense_choice.py): dictionary expressions around a word
        expressions = self.expressions(sentences)
        keys = {k for w in lookups for k in candidate_keys(w)} | set(expressions.values())
        with self.engine.connect() as conn:
            found = fetch_candidates(conn, keys)
        resolved = [
            [resolve(w, found) if w.kind == "lookup" else None for w in sent.words]
            for sent in sentences
        ]
        for (i, j), expression in expressions.items():
            if found.get(expression):
                resolved[i][j] = Resolved(found[expression], False, expression)
        # end issue 11 item 1
        ambiguous = [
            i
            for i, row in enumerate(resolved)
            if any(r is not None and len(r.senses) > 1 for r in row)
        ]
        contexts = self.encoder.encode([sentences[i].text for i in ambiguous])
        by_sentence = {i: contexts[n] for n, i in enumerate(ambiguous)}
        choices: list[list[Picked]] = []
        for i, row in enumerate(resolved):
            context = by_sentence.get(i, np.zeros(self.encoder.dim, dtype=np.float32))
            words = sentences[i].words
            choices.append(
                [
                    (self.choice(r, context, target, words, j), r.lemma if r else None)
                    for j, r in enumerate(row)
                ]
            )
        return choices

    def expressions(self, sentences: Sequence[Sentence]) -> dict[tuple[int, int], str]:
        """(sentence, word) → the dictionary expression starting at that word, when all of its
        words are there (« pomme » in « pommes de terre »)."""
        if not isinstance(self.chooser, SenseChoice):
            return {}
        return self.chooser.expressions(sentences)

    def choice(
        self,
        resolved: Resolved | None,
        context: np.ndarray,
        target: int,
        words: Sequence[Word] = (),
        position: int | None = None,
    ) -> Choice | None:
        """Sense choice for one resolved word (confidence halved for a POS fallback)."""
        if resolved is None or not resolved.senses:
            return None
        if isinstance(self.chooser, SenseChoice):  # issue 11 item 1: cues from the word's place
            picked = self.chooser.choose(context, resolved.senses, target, words, position)
        else:
            picked = self.chooser.choose(context, resolved.senses, target)
        if resolved.fallback:
            return Choice(picked.sense, round(picked.confidence * POS_FALLBACK_PENALTY, 4))
        return picked

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
            choices = self.choose_all(sentences, target)
        return [
            {
                "sentence": sent.text,
                "words": [
                    word_entry(w, c, lemma) for w, (c, lemma) in zip(sent.words, row, strict=True)
                ],
            }
            for sent, row in zip(sentences, choices, strict=True)
        ]

    def process_image(
        self, data: bytes, target: int, timings: dict[str, float] | None = None
    ) -> dict[str, Any]:
        """The contract's response for a page photo."""
        text = self.read_image(data, timings)
        return {
            "original_text": text,
            "processed_results": self.process_text(text, target, timings),
        }
