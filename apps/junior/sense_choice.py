"""Sense choice beyond definition similarity (issue 11 item 1).

A candidate sense's score adds, to ``cos(sentence, definition)`` and the difficulty prior of
:class:`apps.junior.senses.SenseChooser`:

- **examples**: a soft maximum of the cosines between the sentence and the sense's own example
  sentences (apps/junior/data/sense_examples.tsv, written from the definitions; never from
  evaluation sentences) and the example after the definition's colon: a nearest-neighbour vote
  where several close examples count more than one;
- **words**: the TF-IDF cosine between the sentence's content words (5-letter stems, the word
  itself left out) and those of the sense's examples and definition — the named things around
  the word (« œufs », « poule » for « voler » = steal) that one sentence vector blurs;
- **constructions**: a sense whose definition starts with an expression holding the word
  (« Se trouver : … », « Il y a : … », « À deux pas : … », « Venir de faire : … ») is a
  construction sense: it gains when the expression's other words are around the word, and
  loses when they are not (« pomme » alone is never « pomme de terre »);
- **classifier**: ``log P(sense | sentence)`` of a logistic regression per candidate set over
  sentence vectors, trained on the senses' examples and definitions when first met;
- **order**: children's dictionaries list the common sense first, so earlier senses get a
  small prior ``order / sense_no``;
- **transitivity**: for a verb, the log-probability that the sense's examples have a direct
  object as the sentence's verb has or has not (apps/junior/data/sense_frames.tsv, counted by
  ``python -m apps.junior.tooling.sense_frames`` from the bank's spaCy analyses): « voler » with
  an object is rather *steal*.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from apps.junior.candidates import fold
from apps.junior.nlp import REFLEXIVES, Word
from apps.junior.senses import DefinitionIndex, Sense, SenseChooser
from apps.junior.vectors import Encoder

log = logging.getLogger(__name__)

EXAMPLES_PATH = Path(__file__).resolve().parent / "data" / "sense_examples.tsv"
FRAMES_PATH = Path(__file__).resolve().parent / "data" / "sense_frames.tsv"

# A definition head (before « : ») is a construction when it holds the word and starts with it
# or with one of these words (« Se passer », « Il y a », « À deux pas », « Faire le beau »).
HEAD_STARTS = frozenset(
    (
        *("se", "s'", "s'en", "en", "à", "au", "aux", "le", "la", "les", "l'", "un", "une"),
        *("il", "on", "par", "pour", "de", "du", "d'", "des", "tout", "ce", "c'est", "quel"),
        *("ne", "n'", "être", "avoir", "faire", "mettre", "prendre", "donner", "aller"),
    )
)
# Words of a head that stand for any filler (« venir de faire », « tenir à quelque chose »).
PLACEHOLDERS = frozenset({"faire", "quelque", "chose", "quelqu'un", "qqn", "qqch", "etc"})
# A few irregular forms, so that « Il y a » is read as holding « avoir » and « On dirait » « dire ».
FORMS = {"a": "avoir", "est": "être", "va": "aller", "fait": "faire", "y": "y"}
MAX_HEAD_WORDS = 5
WINDOW = 4
TOKEN = re.compile(r"[a-zà-öø-ÿœæ]+'?|'", re.IGNORECASE)


def tokens(text: str) -> list[str]:
    """Lower-case words, elisions kept with their apostrophe (« s' », « l' »)."""
    return [t.lower() for t in TOKEN.findall(text.replace("’", "'")) if t != "'"]


def same_word(token: str, lemma: str) -> bool:
    """True when ``token`` is plausibly a form of ``lemma`` (shared 3-letter start or a known
    irregular form)."""
    lemma = lemma.lower()
    if token == lemma or FORMS.get(token) == lemma:
        return True
    return len(token) >= 3 and len(lemma) >= 3 and token[:3] == lemma[:3]


@dataclass(frozen=True)
class Construction:
    """The other words of a construction sense's head, and whether it is pronominal."""

    words: tuple[str, ...]
    pronominal: bool


def construction_of(sense: Sense) -> Construction | None:
    """The construction a sense's definition starts with, or None for a plain definition."""
    head, sep, _ = sense.definition.partition(" : ")
    if not sep:
        return None
    words = tokens(head)
    lemma_words = tokens(sense.word)
    if not words or len(words) > MAX_HEAD_WORDS or "," in head:
        return None
    hits = [i for i, w in enumerate(words) if any(same_word(w, lw) for lw in lemma_words)]
    if not hits or (hits[0] != 0 and words[0] not in HEAD_STARTS):
        return None
    lemma_at = set(range(hits[0], hits[0] + len(lemma_words)))
    pronominal = words[0] in ("se", "s'", "s'en")
    others = tuple(
        w
        for i, w in enumerate(words)
        if i not in lemma_at and w not in PLACEHOLDERS and w not in ("se", "s'")
    )
    if pronominal and others[:1] == ("en",) and words[0] == "s'en":
        others = others[1:]
    others = tuple(w[:-1] if w == "s'en" else w for w in others)
    if not others and not pronominal:
        return None
    return Construction(others, pronominal)


def construction_match(construction: Construction, words: Sequence[Word], position: int) -> float:
    """Share (0–1) of the construction's words found near the target word."""
    target = words[position]
    near = words[max(0, position - WINDOW) : position + WINDOW + 1]
    texts = {t for w in near for t in tokens(w.text)} | {w.lemma.lower() for w in near}
    needed = list(construction.words)
    found = sum(1 for w in needed if w in texts or any(same_word(t, w) for t in texts))
    total = len(needed)
    if construction.pronominal:
        total += 1
        reflexive = target.alt_lemma is not None or any(
            t in REFLEXIVES or t == "s'"
            for w in words[max(0, position - 3) : position]
            for t in tokens(w.text)
        )
        found += reflexive
    return found / total if total else 0.0


def read_examples(path: Path = EXAMPLES_PATH, without: Iterable[str] = ()) -> dict[str, list[str]]:
    """Example sentences per sense key (``key<TAB>sentence[<TAB>writer]`` rows; ``#`` lines are
    comments); rows of the writers in ``without`` are left out (cross-validation)."""
    found: dict[str, list[str]] = defaultdict(list)
    if not path.is_file():
        return dict(found)
    skip = set(without)
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = line.rstrip("\n").split("\t")
            if len(row) < 2 or not row[0] or row[0].startswith("#"):
                continue
            if (row[2] if len(row) > 2 else "") in skip:
                continue
            found[row[0].strip()].append(row[1].strip())
    return dict(found)


def example_writers(path: Path = EXAMPLES_PATH) -> list[str]:
    """The writer tags of the bank's rows ("" for the first bank's rows without one)."""
    tags = set()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = line.rstrip("\n").split("\t")
            if len(row) >= 2 and not row[0].startswith("#"):
                tags.add(row[2] if len(row) > 2 else "")
    return sorted(tags)


# Words too common to tell senses apart (articles, pronouns, auxiliaries, prepositions).
STOPWORD_TEXT = """le la les l un une des de du d et a à au aux en dans sur sous pour par avec
il elle ils elles on je tu nous vous se s sa son ses mon ma mes ton ta tes leur leurs ce cet
cette ces qui que qu ne n pas plus est sont ont tout tres y lui me m te t"""
STOPWORDS = frozenset(STOPWORD_TEXT.split())
STEM = 5


def stems(text: str, lemma: str) -> list[str]:
    """Content-word stems of ``text`` (folded, first five letters); the forms of ``lemma`` (same
    first four letters) are left out."""
    own = fold(lemma)
    found = []
    for token in re.findall(r"[a-zà-öø-ÿœæ]+", text.lower()):
        folded = fold(token)
        if len(folded) < 3 or folded in STOPWORDS:
            continue
        if folded == own or (len(own) >= 4 and folded[:4] == own[:4]):  # « volé » of « voler »
            continue
        found.append(folded[:STEM])
    return found


@dataclass(frozen=True)
class Frame:
    """How many of a verb sense's examples were analysed with the verb found, and how many of
    those have a direct object."""

    examples: int
    analysed: int
    with_object: int

    def log_share(self, has_object: bool) -> float:
        """Log of the (Laplace-smoothed) share of examples that have an object as ``has_object``."""
        share = (self.with_object + 1) / (self.analysed + 2)
        return math.log(share if has_object else 1.0 - share)


def read_frames(path: Path = FRAMES_PATH) -> dict[str, Frame]:
    """Verb frames per sense key (``key<TAB>examples<TAB>analysed<TAB>with_object``)."""
    if not path.is_file():
        return {}
    found = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = line.rstrip("\n").split("\t")
            if len(row) == 4 and not row[0].startswith("#"):
                found[row[0]] = Frame(int(row[1]), int(row[2]), int(row[3]))
    return found


class WordProfiles:
    """TF-IDF profile of each sense's examples and definition, and the cosine of a sentence's
    content words with it. The IDF is counted over the bank's examples."""

    def __init__(self, examples: dict[str, list[str]]) -> None:
        per_key = {
            key: [stems(s, key.rsplit("#", 2)[0]) for s in sentences]
            for key, sentences in examples.items()
        }
        self.example_stems = {
            key: [w for doc in docs for w in doc] for key, docs in per_key.items()
        }
        documents = [doc for docs in per_key.values() for doc in docs]
        self.count = max(len(documents), 1)
        frequency = Counter(w for doc in documents for w in set(doc))
        self.idf = {w: math.log(self.count / n) for w, n in frequency.items()}
        self.profiles: dict[int, dict[str, float]] = {}
        self.lock = threading.Lock()

    def vector(self, words: Iterable[str]) -> dict[str, float]:
        """Unit TF-IDF vector of a bag of stems (an unseen stem gets the highest IDF)."""
        unseen = math.log(self.count)
        weighted = {w: n * self.idf.get(w, unseen) for w, n in Counter(words).items()}
        norm = math.sqrt(sum(x * x for x in weighted.values())) or 1.0
        return {w: x / norm for w, x in weighted.items()}

    def profile(self, sense: Sense) -> dict[str, float]:
        """The sense's profile (its examples' and definition's stems), built once."""
        with self.lock:
            found = self.profiles.get(sense.mot_id)
            if found is None:
                words = stems(sense.definition, sense.word)
                words += self.example_stems.get(sense.key, [])
                found = self.profiles[sense.mot_id] = self.vector(words)
            return found

    def similarity(self, query: dict[str, float], sense: Sense) -> float:
        """Cosine between a sentence's vector (:meth:`vector`) and the sense's profile."""
        profile = self.profile(sense)
        return sum(x * profile.get(w, 0.0) for w, x in query.items())


def soft_max(cosines: np.ndarray, temperature: float) -> float:
    """``temperature × log mean exp(cos / temperature)``: the best cosine when the temperature is
    0, the mean when it is large; in between, a few close examples beat one."""
    top = float(cosines.max())
    if temperature <= 0:
        return top
    return top + temperature * math.log(float(np.mean(np.exp((cosines - top) / temperature))))


def row_ranges(sizes: Iterable[tuple[str, int]]) -> dict[str, list[int]]:
    """Each key's rows in a matrix that stacks the keys' blocks in the given order."""
    ranges: dict[str, list[int]] = {}
    start = 0
    for key, size in sizes:
        ranges[key] = list(range(start, start + size))
        start += size
    return ranges


class ExampleBank:
    """Embeddings of every sense's example sentences, encoded once (and cached by file digest)."""

    def __init__(
        self, encoder: Encoder, examples: dict[str, list[str]], cache_dir: Path | None = None
    ) -> None:
        self.encoder = encoder
        ordered = sorted(examples.items())
        self.keys = row_ranges([(key, len(rows)) for key, rows in ordered])
        texts = [sentence for _, rows in ordered for sentence in rows]
        self.matrix = self.load_or_encode(texts, cache_dir)
        self.definition_examples: dict[int, np.ndarray] = {}
        self.lock = threading.Lock()

    @classmethod
    def from_vectors(cls, encoder: Encoder, vectors: dict[str, np.ndarray]) -> ExampleBank:
        """A bank of already encoded examples (rows per sense key), e.g. one fold of a
        cross-validation."""
        bank = cls(encoder, {})
        ordered = sorted(vectors)
        bank.keys = row_ranges([(key, len(vectors[key])) for key in ordered])
        if ordered:
            bank.matrix = np.vstack([vectors[key] for key in ordered]).astype(np.float32)
        return bank

    def load_or_encode(self, texts: list[str], cache_dir: Path | None) -> np.ndarray:
        """The example matrix, from the cache when the texts and the model are unchanged."""
        dim = self.encoder.dim
        if not texts:
            return np.zeros((0, dim), dtype=np.float32)
        model = str(getattr(self.encoder, "model_hash", self.encoder.name))
        digest = hashlib.sha256(("\n".join(texts) + model).encode()).hexdigest()[:24]
        path = cache_dir / f"examples-{digest}.npy" if cache_dir is not None else None
        if path is not None and path.is_file():
            return np.load(path)
        parts = [self.encoder.encode(texts[i : i + 64]) for i in range(0, len(texts), 64)]
        matrix = np.vstack(parts).astype(np.float32)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                np.save(path, matrix)
            except OSError as exc:  # a read-only cache dir only costs start-up time
                log.warning("cannot write example cache %s: %s", path, exc)
        return matrix

    def similarity(self, sense: Sense, context: np.ndarray, temperature: float) -> float | None:
        """Soft maximum (:func:`soft_max`) of the cosines between the context and the sense's
        examples (the definition's own included), None when it has none."""
        vectors = []
        rows = self.keys.get(sense.key)
        if rows:
            vectors.append(self.matrix[rows])
        inline = self.definition_example(sense)
        if inline is not None:
            vectors.append(inline[None, :])
        if not vectors:
            return None
        return soft_max(np.vstack(vectors) @ context, temperature)

    def definition_example(self, sense: Sense) -> np.ndarray | None:
        """Embedding of the example after the definition's colon (cached by ``mot_id``)."""
        _, sep, example = sense.definition.partition(" : ")
        if not sep or len(example.split()) < 2:
            return None
        with self.lock:
            vector = self.definition_examples.get(sense.mot_id)
            if vector is None:
                vector = self.encoder.encode([example])[0]
                self.definition_examples[sense.mot_id] = vector
            return vector


class SenseClassifier:
    """A multinomial logistic regression per candidate set, over sentence vectors: trained on the
    senses' examples, definitions and inline examples the first time the set is met (a few ms,
    deterministic: full-batch gradient descent from zeros), then kept."""

    def __init__(
        self, bank: ExampleBank, index: DefinitionIndex, l2: float = 0.01, steps: int = 150
    ) -> None:
        self.bank = bank
        self.index = index
        self.l2 = l2
        self.steps = steps
        self.models: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}
        self.lock = threading.Lock()

    def train(self, senses: Sequence[Sense]) -> tuple[np.ndarray, np.ndarray]:
        """Weights and biases for ``senses`` (scale 8: cosines are small numbers)."""
        rows: list[np.ndarray] = []
        labels: list[int] = []
        definitions = self.index.vectors(senses)
        for j, sense in enumerate(senses):
            mine = [self.bank.matrix[r] for r in self.bank.keys.get(sense.key, [])]
            mine.append(definitions[j])
            inline = self.bank.definition_example(sense)
            if inline is not None:
                mine.append(inline)
            rows += mine
            labels += [j] * len(mine)
        x = np.vstack(rows).astype(np.float64) * 8.0
        target = np.eye(len(senses))[labels]
        weights = np.zeros((x.shape[1], len(senses)))
        bias = np.zeros(len(senses))
        for _ in range(self.steps):
            z = x @ weights + bias
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            grad = (p - target) / len(x)
            weights -= 2.0 * (x.T @ grad + self.l2 * weights)
            bias -= 2.0 * grad.sum(axis=0)
        return (weights * 8.0).astype(np.float32), bias.astype(np.float32)  # ~6 MB in all

    def log_probabilities(self, senses: Sequence[Sense], context: np.ndarray) -> np.ndarray:
        """log P(sense | sentence) under the candidate set's model."""
        tag = tuple(s.mot_id for s in senses)
        with self.lock:
            model = self.models.get(tag)
            if model is None:
                model = self.models[tag] = self.train(senses)
        z = (context @ model[0] + model[1]).astype(np.float64)
        z -= z.max()
        return z - np.log(np.exp(z).sum())


@dataclass(frozen=True)
class Weights:
    """Score weights. ``examples``, ``pooling`` and ``words`` were chosen by cross-validation
    over the example bank, one writer held out at a time, and checked on the dev set
    tests/junior/eval/senses.jsonl (``python -m apps.junior.tooling.bank_cv``); the
    construction weights on the dev set."""

    definition: float = 1.0
    examples: float = 1.2
    pooling: float = 0.05
    words: float = 0.8
    construction_bonus: float = 0.15
    construction_penalty: float = 0.3
    order: float = 0.1
    transitivity: float = 0.1
    classifier: float = 0.05


class SenseChoice(SenseChooser):
    """Chooses a sense with the sentence, the word's place in it and the example bank (its
    ``scores`` add those cues to :class:`SenseChooser`'s)."""

    def __init__(
        self,
        base: SenseChooser,
        bank: ExampleBank | None,
        weights: Weights | None = None,
        profiles: WordProfiles | None = None,
        frames: dict[str, Frame] | None = None,
    ) -> None:
        super().__init__(base.index, base.difficulty_weight, base.temperature)
        self.bank = bank
        self.weights = weights or Weights()
        self.profiles = profiles
        self.frames = frames or {}
        self.classifier = SenseClassifier(bank, base.index) if bank is not None else None
        self.constructions: dict[int, Construction | None] = {}

    def construction(self, sense: Sense) -> Construction | None:
        """The sense's construction, parsed once."""
        if sense.mot_id not in self.constructions:
            self.constructions[sense.mot_id] = construction_of(sense)
        return self.constructions[sense.mot_id]

    def scores(
        self,
        context: np.ndarray,
        senses: Sequence[Sense],
        target: int,
        words: Sequence[Word] = (),
        position: int | None = None,
    ) -> np.ndarray:
        """Score of every candidate (higher is better)."""
        w = self.weights
        similarity, prior = self.similarity_and_prior(context, senses, target)
        scores = w.definition * similarity + self.difficulty_weight * prior
        if self.classifier is not None and w.classifier and len(senses) > 1:
            scores += w.classifier * self.classifier.log_probabilities(senses, context)
        query = None
        if self.profiles is not None and words and senses:
            text = " ".join(word.text for word in words)
            query = self.profiles.vector(stems(text, senses[0].word))
        for i, sense in enumerate(senses):
            if self.bank is not None:
                near = self.bank.similarity(sense, context, w.pooling)
                scores[i] += w.examples * (near if near is not None else float(similarity[i]))
            if query is not None and self.profiles is not None:
                scores[i] += w.words * self.profiles.similarity(query, sense)
            scores[i] += w.order / max(sense.sense_no, 1)
            frame = self.frames.get(sense.key)
            verb = position is not None and bool(words) and words[position].pos == "VERB"
            if frame is not None and verb and position is not None and sense.gram == "verbe":
                scores[i] += w.transitivity * frame.log_share(words[position].has_object)
            construction = self.construction(sense)
            if construction is not None and position is not None and words:
                share = construction_match(construction, words, position)
                scores[i] += (
                    w.construction_bonus if share >= 1.0 else -w.construction_penalty * (1 - share)
                )
        return scores


def build_sense_choice(base: SenseChooser, cache_dir: Path | None) -> SenseChoice:
    """The service's sense choice, with the example bank (encoded once, cached in ``cache_dir``).
    Multi-word entries are handled before the choice (``FrenchAnalyzer.add_expressions``)."""
    examples = read_examples()
    bank = ExampleBank(base.index.encoder, examples, cache_dir)
    return SenseChoice(base, bank, profiles=WordProfiles(examples), frames=read_frames())
