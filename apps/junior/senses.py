"""Sense choice: dictionary candidates per lemma (one batched query per page), scored by the
similarity between the sentence and each definition in the encoder's space, plus a small
prior towards the child's target difficulty."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import Connection, Engine, text

from apps.junior.vectors import Encoder

log = logging.getLogger(__name__)

# UPOS → grammatical_cat.name; COMPOUND expressions match any category.
UPOS_TO_GRAM = {
    "NOUN": "nom",
    "VERB": "verbe",
    "AUX": "verbe",
    "ADJ": "adjectif",
    "ADV": "adverbe",
    "PROPN": "nom propre",
    "ADP": "préposition",
    "PRON": "pronom",
    "DET": "déterminent",
    "CCONJ": "conjonction",
    "SCONJ": "conjonction",
    "INTJ": "interjection",
}
GRAM_TO_UPOS = {gram: upos for upos, gram in UPOS_TO_GRAM.items() if upos != "AUX"}

CANDIDATES_SQL = text("""
WITH q AS (
    SELECT DISTINCT x AS lemma, lower(public.unaccent(x)) AS key
    FROM unnest(CAST(:lemmas AS text[])) AS x
), senses AS (
    SELECT m.mot_id, m.mot, m.definition, gc.name::text AS gram, m.niv_diff_id,
           ls.url_sign, ls.url_def, lower(public.unaccent(m.mot)) AS key,
           row_number() OVER (PARTITION BY lower(m.mot), m.gramm_id
                              ORDER BY m.mot_id) AS sense_no
    FROM public.mot m
    LEFT JOIN public.lsf_signe ls ON ls.mot_id = m.mot_id
    LEFT JOIN public.grammatical_cat gc ON gc.gramm_id = m.gramm_id
    WHERE lower(public.unaccent(m.mot)) IN (SELECT key FROM q)
      AND coalesce(m.definition, '') <> ''
)
SELECT q.lemma, s.* FROM q JOIN senses s ON s.key = q.key ORDER BY s.mot_id
""")

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
class Sense:
    """One dictionary sense (a ``mot`` row) with its sign URL."""

    mot_id: int
    word: str
    definition: str
    gram: str | None
    difficulty: int | None
    url: str
    sense_no: int

    @property
    def key(self) -> str:
        """Stable sense key ``lemma#UPOS#sense_no`` (as in data/curation/senses.tsv)."""
        upos = GRAM_TO_UPOS.get(self.gram or "", "COMPOUND")
        return f"{self.word.lower()}#{upos}#{self.sense_no}"


@dataclass(frozen=True)
class Choice:
    """The chosen sense and the confidence in it (0–1)."""

    sense: Sense
    confidence: float
    scores: tuple[float, ...] = ()


def fetch_candidates(conn: Connection, lemmas: Iterable[str]) -> dict[str, list[Sense]]:
    """All senses of every lemma (accent- and case-insensitive), in one query."""
    wanted = sorted({lemma for lemma in lemmas if lemma})
    found: dict[str, list[Sense]] = {lemma: [] for lemma in wanted}
    if not wanted:
        return found
    for row in conn.execute(CANDIDATES_SQL, {"lemmas": wanted}).mappings():
        found[row["lemma"]].append(
            Sense(
                mot_id=row["mot_id"],
                word=row["mot"],
                definition=row["definition"],
                gram=row["gram"],
                difficulty=row["niv_diff_id"],
                url=row["url_sign"] or row["url_def"] or "Non disponible",
                sense_no=int(row["sense_no"]),
            )
        )
    return {lemma: prefer_exact_spelling(lemma, senses) for lemma, senses in found.items()}


def prefer_exact_spelling(lemma: str, senses: list[Sense]) -> list[Sense]:
    """Accents matter when the text has them: « pêche » is not « péché »; else keep all."""
    exact = [s for s in senses if s.word.lower() == lemma.lower()]
    return exact or senses


def filter_by_pos(senses: Sequence[Sense], pos: str) -> list[Sense]:
    """Senses whose category matches the UPOS tag (all of them for COMPOUND)."""
    gram = UPOS_TO_GRAM.get(pos)
    if pos == "COMPOUND" or gram is None:
        return list(senses)
    return [sense for sense in senses if sense.gram == gram]


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

    def choose(self, context: np.ndarray, senses: Sequence[Sense], target: int) -> Choice:
        """Best sense for a context vector; one candidate → confidence 1.0."""
        if len(senses) == 1:
            return Choice(senses[0], 1.0, (1.0,))
        similarity = self.index.vectors(senses) @ context
        prior = np.array([1.0 - abs((s.difficulty or target) - target) / 2.0 for s in senses])
        scores = similarity + self.difficulty_weight * prior
        best = int(np.argmax(scores))
        confidence = softmax_top(scores, self.temperature)
        return Choice(senses[best], round(confidence, 4), tuple(float(x) for x in scores))
