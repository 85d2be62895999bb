"""Sense choice. :class:`SenseLinker` is the one entry point: analysed sentences in, a chosen
sense per word out. Candidates come from ``candidates.py`` (one batched query per page); each is
scored by the similarity between its sentence and its definition in the encoder's space, plus
a small prior towards the child's target difficulty."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, text

from apps.junior.candidates import (
    GRAM_TO_UPOS,
    UPOS_TO_GRAM,
    Resolved,
    Sense,
    candidate_keys,
    fetch_candidates,
    fold,
    imperative_start,
    misread_function_word,
    other_readings,
    resolve,
    with_other_readings,
)
from apps.junior.forms import FormIndex
from apps.junior.nlp import Sentence, Word
from apps.junior.vectors import Encoder

log = logging.getLogger(__name__)

POLYSEMOUS_SQL = text("""
SELECT mot_id, definition FROM (
    SELECT m.mot_id, m.definition,
           count(*) OVER (PARTITION BY lower(public.unaccent(m.mot)), m.gramm_id) AS n
    FROM public.mot m WHERE coalesce(m.definition, '') <> ''
) t WHERE n > 1 ORDER BY mot_id
""")

VERSION_SQL = text("""
SELECT count(*) AS n, md5(coalesce(string_agg(mot_id::text || ':' || coalesce(definition, ''),
                                              '|' ORDER BY mot_id), '')) AS digest
FROM public.mot
""")


@dataclass(frozen=True)
class Choice:
    """The chosen sense and the confidence in it (0–1)."""

    sense: Sense
    confidence: float
    scores: tuple[float, ...] = ()


def softmax_top(scores: np.ndarray, temperature: float) -> float:
    """Probability of the best score under a softmax: the margin turned into a confidence."""
    shifted = (scores - scores.max()) / temperature
    weights = np.exp(shifted)
    return float(weights.max() / weights.sum())


class DefinitionIndex:
    """Definition embeddings by ``mot_id``, computed once and cached on disk by model + dictionary."""

    def __init__(self, encoder: Encoder, cache_dir: Path | None = None) -> None:
        self.encoder = encoder
        self.cache_dir = cache_dir
        self.rows: dict[int, int] = {}
        self.matrix = np.zeros((0, encoder.dim), dtype=np.float32)
        self.lock = threading.Lock()
        self.version = ""

    def cache_path(self, version: str) -> Path | None:
        """Cache file name for this encoder's model hash and the dictionary version."""
        if self.cache_dir is None:
            return None
        model = str(getattr(self.encoder, "model_hash", self.encoder.name))
        tag = hashlib.sha256(f"{self.encoder.name}|{model}|{version}".encode()).hexdigest()[:24]
        return self.cache_dir / f"definitions-{self.encoder.name}-{tag}.npz"

    def build(self, engine: Engine) -> int:
        """Embed every definition of a polysemous lemma (or load them from the cache)."""
        with engine.connect() as conn:
            version_row = conn.execute(VERSION_SQL).mappings().one()
            self.version = f"{version_row['n']}-{version_row['digest']}"
            path = self.cache_path(self.version)
            if path is not None and path.is_file():
                with np.load(path) as cached:
                    self.set(cached["ids"].tolist(), cached["vectors"])
                log.info("definition embeddings loaded from %s", path)
                return len(self.rows)
            rows = conn.execute(POLYSEMOUS_SQL).all()
        ids = [int(r.mot_id) for r in rows]
        vectors = self.encode_batched([str(r.definition) for r in rows])
        self.set(ids, vectors)
        if path is not None:
            self.save(path, ids, vectors)
        return len(ids)

    def encode_batched(self, texts: Sequence[str], batch: int = 64) -> np.ndarray:
        """Encode in modest batches (bounded memory)."""
        parts = [self.encoder.encode(texts[i : i + batch]) for i in range(0, len(texts), batch)]
        return np.vstack(parts) if parts else np.zeros((0, self.encoder.dim), np.float32)

    def set(self, ids: list[int], vectors: np.ndarray) -> None:
        """Replace the index content."""
        with self.lock:
            self.rows = {mot_id: i for i, mot_id in enumerate(ids)}
            self.matrix = np.asarray(vectors, dtype=np.float32).reshape(len(ids), self.encoder.dim)

    @staticmethod
    def save(path: Path, ids: list[int], vectors: np.ndarray) -> None:
        """Write the cache atomically (unique temp name, then rename)."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.part")
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, ids=np.asarray(ids, dtype=np.int64), vectors=vectors)
            os.replace(tmp, path)
        except OSError as exc:  # a read-only cache dir only costs start-up time
            log.warning("cannot write definition cache %s: %s", path, exc)

    def vectors(self, senses: Sequence[Sense]) -> np.ndarray:
        """Embeddings of ``senses``; definitions unseen at start-up are encoded and kept."""
        with self.lock:
            missing = [s for s in senses if s.mot_id not in self.rows]
            if missing:
                new = self.encoder.encode([s.definition for s in missing])
                start = len(self.matrix)
                self.matrix = np.vstack([self.matrix, new])
                for offset, sense in enumerate(missing):
                    self.rows[sense.mot_id] = start + offset
            return self.matrix[[self.rows[s.mot_id] for s in senses]]


class SenseChooser:
    """Scores candidate senses against a sentence embedding."""

    def __init__(
        self, index: DefinitionIndex, difficulty_weight: float = 0.02, temperature: float = 0.03
    ) -> None:
        self.index = index
        self.difficulty_weight = difficulty_weight
        self.temperature = temperature

    def similarity_and_prior(
        self, context: np.ndarray, senses: Sequence[Sense], target: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cosine of each definition with the sentence, and the closeness to the target level."""
        similarity = self.index.vectors(senses) @ context
        prior = np.array([1.0 - abs((s.difficulty or target) - target) / 2.0 for s in senses])
        return similarity, prior

    def scores(
        self,
        context: np.ndarray,
        senses: Sequence[Sense],
        target: int,
        words: Sequence[Word] = (),
        position: int | None = None,
    ) -> np.ndarray:
        """Score of every candidate (higher is better); the word's place is not used here."""
        similarity, prior = self.similarity_and_prior(context, senses, target)
        return similarity + self.difficulty_weight * prior

    def choose(
        self,
        context: np.ndarray,
        senses: Sequence[Sense],
        target: int,
        words: Sequence[Word] = (),
        position: int | None = None,
        costs: Sequence[float] | None = None,
    ) -> Choice:
        """Best sense for the word at ``position`` of ``words``; one candidate → 1.0.
        ``costs`` are subtracted from the scores (a reading spaCy did not give)."""
        if len(senses) == 1:
            return Choice(senses[0], 1.0, (1.0,))
        scores = self.scores(context, senses, target, words, position)
        if costs is not None:
            scores = scores - np.asarray(costs, dtype=np.float64)
        best = int(np.argmax(scores))
        confidence = softmax_top(scores, self.temperature)
        return Choice(senses[best], round(confidence, 4), tuple(float(x) for x in scores))


REANALYSIS_PENALTY = 0.5  # found under another analysis of the form: spaCy's tag was wrong
# Score cost of a sense offered from another reading of the form than spaCy's (« il porte »
# tagged NOUN also gets « porter » VERB): spaCy is right most of the time, so the other reading
# must fit clearly better. Set on the dev set (tests/junior/eval/senses.jsonl), not the
# independent set.
OTHER_READING_COST = 0.1


@dataclass(frozen=True)
class Linked:
    """What the response shows for one word: its choice, and the lemma/POS it was found under."""

    choice: Choice | None
    lemma: str | None = None
    pos: str | None = None


class SenseLinker:
    """Analysed sentences → a :class:`Linked` per word (one query, one encoder pass per page)."""

    def __init__(
        self,
        engine: Engine,
        encoder: Encoder,
        chooser: SenseChooser,
        forms: FormIndex,
        expressions: Sequence[str] = (),
    ) -> None:
        self.engine = engine
        self.encoder = encoder
        self.chooser = chooser
        self.forms = forms
        self.expressions = frozenset(fold(e) for e in expressions)

    def readings(self, sentence: Sentence, position: int) -> tuple[str, ...] | None:
        """The readings besides spaCy's that a word is looked up under: a lookup word's other
        readings, a mis-tagged function word's (« des vers »); None for a word not looked up."""
        if sentence.words[position].kind == "lookup":
            return other_readings(sentence.words, position)
        return misread_function_word(sentence.words, position, self.forms) or None

    def resolve_all(self, sentences: Sequence[Sentence]) -> list[list[Resolved | None]]:
        """Candidates of every word looked up (None for context and grammar words)."""
        wanted = [[self.readings(sent, j) for j in range(len(sent.words))] for sent in sentences]
        lookups = [
            w
            for sent, row in zip(sentences, wanted, strict=True)
            for w, readings in zip(sent.words, row, strict=True)
            if readings is not None
        ]
        keys = {k for w in lookups for k in candidate_keys(w, self.forms)}
        with self.engine.connect() as conn:
            found = fetch_candidates(conn, keys)
        return [
            [
                None if readings is None else self.resolve_word(sent, j, readings, found)
                for j, readings in enumerate(row)
            ]
            for sent, row in zip(sentences, wanted, strict=True)
        ]

    def resolve_word(
        self,
        sentence: Sentence,
        position: int,
        readings: tuple[str, ...],
        found: dict[str, list[Sense]],
    ) -> Resolved:
        """spaCy's reading's candidates (none for a mis-tagged function word), plus those of
        the other ``readings`` its context allows."""
        word = sentence.words[position]
        own = (
            resolve(word, found, self.forms, sentence.text, self.expressions)
            if word.kind == "lookup"
            else Resolved([])
        )
        return with_other_readings(
            own, word, readings, found, self.forms, sentence.text, self.expressions
        )

    def link(self, sentences: Sequence[Sentence], target: int) -> list[list[Linked]]:
        """The chosen sense of every word of every sentence, in reading order."""
        resolved = self.resolve_all(sentences)
        ambiguous = [
            i for i, row in enumerate(resolved) if any(r and len(r.senses) > 1 for r in row)
        ]
        contexts = self.encoder.encode([sentences[i].text for i in ambiguous])
        by_sentence = {i: contexts[n] for n, i in enumerate(ambiguous)}
        zero = np.zeros(self.encoder.dim, dtype=np.float32)
        return [
            [
                self.linked(sentences[i].words, j, r, by_sentence.get(i, zero), target)
                for j, r in enumerate(row)
            ]
            for i, row in enumerate(resolved)
        ]

    @staticmethod
    def costly(sense: Sense, resolved: Resolved, verb_first: bool) -> bool:
        """Whether ``sense`` pays the other-reading cost: the readings spaCy did not give do,
        except that for an imperative (``verb_first``) every non-verb sense does instead."""
        if verb_first:
            return sense.gram != UPOS_TO_GRAM["VERB"]
        return sense.mot_id in resolved.other_reading

    def linked(
        self,
        words: Sequence[Word],
        position: int,
        resolved: Resolved | None,
        context: np.ndarray,
        target: int,
    ) -> Linked:
        """The choice for ``words[position]`` (confidence halved when found under another
        analysis)."""
        if resolved is None or not resolved.senses:
            return Linked(None)
        costs = None
        if resolved.other_reading:
            # an imperative spaCy read as a noun: the verb reading is the likely one
            verb_first = imperative_start(words, position)
            costs = [
                OTHER_READING_COST if self.costly(s, resolved, verb_first) else 0.0
                for s in resolved.senses
            ]
        picked = self.chooser.choose(context, resolved.senses, target, words, position, costs)
        if resolved.reanalysed:
            picked = Choice(picked.sense, round(picked.confidence * REANALYSIS_PENALTY, 4))
        if picked.sense.mot_id in resolved.other_reading:
            pos = GRAM_TO_UPOS.get(picked.sense.gram or "")
            return Linked(picked, picked.sense.word.lower(), pos)
        return Linked(picked, resolved.lemma, resolved.pos)
