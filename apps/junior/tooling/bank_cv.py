"""Cross-validation of the sense choice over the example bank, one writer held out at a time.

``python -m apps.junior.tooling.bank_cv [--weights '{"words": 0.5}'] ...`` prints, per held-out
writer of apps/junior/data/sense_examples.tsv, the share of its examples whose sense the choice
gets right when the bank is made of the other writers' examples, and the accuracy on the dev set
tests/junior/eval/senses.jsonl with the whole bank. Candidates are all senses of the labelled
lemma and category in the seed dump (no lookup, no database); words are spaCy's analyses (as the service's), verb frames are counted on the writers kept.
The weights of :class:`Weights` were chosen with it.
The independent set is never read here.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from apps.junior.candidates import Sense, fold
from apps.junior.encoder import Encoder, UseEncoder
from apps.junior.nlp import FrenchAnalyzer, Sentence, Word, load_spacy
from apps.junior.sense_choice import (
    EXAMPLES_PATH,
    ExampleBank,
    SenseChoice,
    Weights,
    WordProfiles,
    example_writers,
    read_examples,
)
from apps.junior.senses import DefinitionIndex, SenseChooser
from apps.junior.settings import MODELS_DIR
from apps.junior.tooling.dump_senses import candidate_groups, dump_senses
from apps.junior.tooling.evaluation import load_eval_set
from apps.junior.tooling.sense_frames import target_position, verb_frames

Analysed = dict[str, tuple[Sentence, ...]]


def analyse_all(analyzer: FrenchAnalyzer, sentences: Iterable[str]) -> Analysed:
    """spaCy's analysis of every distinct sentence."""
    return {s: tuple(analyzer.analyse(s)) for s in dict.fromkeys(sentences)}


def located(analysed: Sequence[Sentence], lemma: str) -> tuple[Sequence[Word], int | None]:
    """The words of the sentence holding ``lemma`` and its position there."""
    for sentence in analysed:
        position = target_position(sentence.words, lemma)
        if position is not None:
            return sentence.words, position
    return (analysed[0].words if analysed else ()), None


def accuracy(
    choice: SenseChoice,
    encoder: Encoder,
    groups: dict[tuple[str, str | None], list[Sense]],
    by_key: dict[str, Sense],
    items: Sequence[tuple[str, str]],
    analysed: Analysed,
) -> float:
    """Share of (key, sentence) items whose key is chosen among its lemma/category's senses."""
    if not items:
        return 0.0
    contexts = encoder.encode([sentence for _, sentence in items])
    right = 0
    for (key, sentence), context in zip(items, contexts, strict=True):
        sense = by_key[key]
        senses = groups[(fold(sense.word), sense.gram)]
        words, position = located(analysed[sentence], sense.word)
        picked = choice.choose(context, senses, 1, words if position is not None else (), position)
        right += picked.sense.key == key
    return right / len(items)


def writer_rows(path: Path, writer: str) -> list[tuple[str, str]]:
    """The (key, sentence) rows of one writer ("" for the first bank)."""
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = line.rstrip("\n").split("\t")
            tag = row[2] if len(row) > 2 else ""
            if len(row) >= 2 and not row[0].startswith("#") and tag == writer:
                rows.append((row[0], row[1]))
    return rows


def trained(
    base: SenseChooser,
    encoder: Encoder,
    weights: Weights,
    examples: dict[str, list[str]],
    vectors: dict[str, np.ndarray],
    analysed: Analysed,
) -> SenseChoice:
    """The sense choice built from ``examples`` (already encoded in ``vectors`` and analysed)."""
    frames = verb_frames((k, analysed[s]) for k, rows in examples.items() for s in rows)
    bank = ExampleBank.from_vectors(encoder, vectors)
    return SenseChoice(base, bank, weights, WordProfiles(examples), frames)


def cross_validate(
    weights: Weights, encoder: Encoder, analyzer: FrenchAnalyzer, path: Path = EXAMPLES_PATH
) -> dict[str, float]:
    """Held-out accuracy per writer, their example-weighted mean (``writers``) and ``dev``."""
    senses = dump_senses()
    groups = {g: s for g, s in candidate_groups(senses).items() if len(s) > 1}
    by_key = {s.key: s for g in groups.values() for s in g}
    index = DefinitionIndex(encoder)
    base = SenseChooser(index)
    everything = read_examples(path)
    vectors = {key: encoder.encode(rows) for key, rows in everything.items()}
    dev = [(d["sense"], d["sentence"]) for d in load_eval_set() if d["sense"] in by_key]
    analysed = analyse_all(
        analyzer, [s for rows in everything.values() for s in rows] + [s for _, s in dev]
    )
    result: dict[str, float] = {}
    total = 0
    for writer in example_writers(path):
        held = [(k, s) for k, s in writer_rows(path, writer) if k in by_key]
        kept = read_examples(path, without=[writer])
        bank_vectors = {}
        for key, rows in kept.items():
            wanted = set(rows)
            mask = [s in wanted for s in everything[key]]
            bank_vectors[key] = vectors[key][mask]
        choice = trained(base, encoder, weights, kept, bank_vectors, analysed)
        result[writer or "first bank"] = accuracy(choice, encoder, groups, by_key, held, analysed)
        result["writers"] = result.get("writers", 0.0) + result[writer or "first bank"] * len(held)
        total += len(held)
    result["writers"] /= max(total, 1)
    whole = trained(base, encoder, weights, everything, vectors, analysed)
    result["dev"] = accuracy(whole, encoder, groups, by_key, dev, analysed)
    return result


def main() -> None:
    """Command line: one line of figures per weight set given (JSON overrides of Weights)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--weights", action="append", default=[], help="JSON, e.g. '{\"words\": 0}'"
    )
    args = parser.parse_args()
    encoder = UseEncoder(MODELS_DIR / "use-multilingual-v3-int8.onnx", threads=2)
    analyzer = FrenchAnalyzer(load_spacy())
    for overrides in args.weights or ["{}"]:
        weights = replace(Weights(), **json.loads(overrides))
        figures = cross_validate(weights, encoder, analyzer)
        print(overrides, " ".join(f"{k}={v:.1%}" for k, v in figures.items()), flush=True)


if __name__ == "__main__":
    main()
