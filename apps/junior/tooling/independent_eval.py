"""Sense accuracy on the frozen independent set (tests/junior/eval/independent/senses.jsonl).

Every method runs the service's own path (``SenseLinker.link``) on each sentence and
reads the choice made for the labelled word:

- ``sense choice`` — apps/junior/sense_choice.py (example bank, constructions, expressions);
- ``previous method`` — definition similarity only (``JUNIOR_SENSE_CUES=false``; what the
  ``junior`` branch did before issue 11 item 1);
- ``first sense`` — the first dictionary sense among the previous method's candidates.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from apps.junior.candidates import dictionary_expressions, dictionary_lemmas
from apps.junior.encoder import Encoder
from apps.junior.forms import FormIndex
from apps.junior.nlp import FrenchAnalyzer, Sentence
from apps.junior.sense_choice import SenseChoice, build_sense_choice
from apps.junior.senses import Choice, DefinitionIndex, SenseChooser, SenseLinker
from apps.junior.settings import JuniorSettings
from apps.junior.tooling.evaluation import ROOT, target_word

INDEPENDENT_SET = ROOT / "tests" / "junior" / "eval" / "independent" / "senses.jsonl"
INDEPENDENT_SHA256 = "0f1a5834f6bca194ed4fc16e4a7600e596a9635809274f19adac2c59e38068c1"
# The held-out second set: measured, never tuned on (tests/junior/eval/independent2/README.md).
HELD_OUT_SET = ROOT / "tests" / "junior" / "eval" / "independent2" / "senses.jsonl"
HELD_OUT_SHA256 = "424326e094320bf24bf028859268a0355fd4e60cc2f70e9c87e3fac06ca0559b"
# The third set, made when the second had been measured twice (tests/junior/eval/independent3).
THIRD_SET = ROOT / "tests" / "junior" / "eval" / "independent3" / "senses.jsonl"
THIRD_SHA256 = "b8c025b0c9114cb864ba7f57d04b3faeada3d9042860939465b2b5a6c6f23055"
METHODS = ("sense choice", "previous method", "first sense")


def load_independent_set(path: Path = INDEPENDENT_SET) -> list[dict[str, Any]]:
    """The frozen sentences: id, lemma, pos, form, sentence, sense_key (and notes)."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def accepted(item: dict[str, Any]) -> set[str]:
    """The keys counted right for an item: its label and, for a meaning two senses fit equally,
    the other one (``also``); empty for a meaning the dictionary lacks (``sense_key`` null)."""
    also = item.get("also") or []
    keys = {item.get("sense_key"), *([also] if isinstance(also, str) else also)}
    return {k for k in keys if k}


@dataclass
class MethodResult:
    """Per-item outcome of one method: the key chosen (None: nothing found) and its cost."""

    name: str
    chosen: list[str | None] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)


@dataclass
class IndependentReport:
    """Everything ``make eval-junior`` prints and writes about the independent set."""

    items: list[dict[str, Any]]
    results: dict[str, MethodResult]
    missing_labels: int
    dump: str

    def correct(self, method: str) -> list[bool]:
        """Per item: did ``method`` choose the labelled key."""
        chosen = self.results[method].chosen
        return [c in accepted(item) for c, item in zip(chosen, self.items, strict=True)]

    def accuracy(self, method: str, pos: str | None = None) -> float:
        """Accuracy of ``method`` over all items, or over those of one part of speech."""
        pairs = [
            ok
            for ok, item in zip(self.correct(method), self.items, strict=True)
            if pos is None or item["pos"] == pos
        ]
        return sum(pairs) / len(pairs) if pairs else 0.0

    def table(self) -> list[str]:
        """Markdown: accuracy overall and per POS, one row per method."""
        poses = [p for p, _ in Counter(i["pos"] for i in self.items).most_common()]
        counts = Counter(i["pos"] for i in self.items)
        head = "| method | all (" + str(len(self.items)) + ") | "
        head += " | ".join(f"{p} ({counts[p]})" for p in poses) + " | ms / sentence |"
        lines = [head, "|---" * (len(poses) + 3) + "|"]
        for method in METHODS:
            cost = self.results[method].seconds
            ms = f"{statistics.mean(cost) * 1000:.1f}" if cost else "—"
            row = [f"{self.accuracy(method):.1%}"] + [
                f"{self.accuracy(method, p):.1%}" for p in poses
            ]
            lines.append(f"| {method} | " + " | ".join(row) + f" | {ms} |")
        return lines

    def worst_lemmas(self, count: int = 20) -> list[str]:
        """Markdown: the ``count`` lemmas with the lowest accuracy of the new method."""
        by_lemma: dict[str, list[int]] = defaultdict(list)
        for n, item in enumerate(self.items):
            by_lemma[f"{item['lemma']} ({item['pos']})"].append(n)
        ok = {m: self.correct(m) for m in METHODS}

        def rate(method: str, rows: list[int]) -> float:
            return sum(ok[method][r] for r in rows) / len(rows)

        ranked = sorted(by_lemma.items(), key=lambda kv: (rate(METHODS[0], kv[1]), -len(kv[1])))
        lines = [
            "| lemma | sentences | " + " | ".join(METHODS) + " |",
            "|---|---|" + "---|" * len(METHODS),
        ]
        for lemma, rows in ranked[:count]:
            rates = " | ".join(f"{rate(m, rows):.0%}" for m in METHODS)
            lines.append(f"| {lemma} | {len(rows)} | {rates} |")
        return lines

    def items_jsonl(self) -> str:
        """One JSON line per sentence: its label and every method's choice (for diagnosis)."""
        lines = []
        for n, item in enumerate(self.items):
            row = {k: item[k] for k in ("id", "lemma", "pos", "form", "sense_key")}
            row["chosen"] = {m: self.results[m].chosen[n] for m in METHODS}
            lines.append(json.dumps(row, ensure_ascii=False))
        return "\n".join(lines) + "\n"

    def lost_before_choice(self) -> Counter[str]:
        """Why the new method missed, when the labelled key was not even a candidate."""
        reasons: Counter[str] = Counter()
        for item, chosen in zip(self.items, self.results[METHODS[0]].chosen, strict=True):
            if not item.get("sense_key"):
                reasons["meaning missing from the dictionary"] += 1
            elif chosen is None:
                reasons["no candidate found"] += 1
            elif chosen not in accepted(item) and all(
                chosen.rsplit("#", 2)[0] != key.rsplit("#", 2)[0] for key in accepted(item)
            ):
                reasons["other lemma or part of speech"] += 1
        return reasons


def pipelines(
    settings: JuniorSettings, engine: Engine, analyzer: FrenchAnalyzer, encoder: Encoder
) -> dict[str, SenseLinker]:
    """The new and the previous method, sharing one definition index, form table and the
    dictionary's expressions (as the service builds them)."""
    index = DefinitionIndex(encoder, settings.cache_dir)
    index.build(engine)
    with engine.connect() as conn:
        expressions = dictionary_expressions(conn)
        forms = FormIndex.load(settings.forms_path, dictionary_lemmas(conn))
    if not analyzer.dictionary_expressions:
        analyzer.add_expressions(expressions)
    base = SenseChooser(index, settings.difficulty_weight)
    new: SenseChoice = build_sense_choice(base, settings.cache_dir)
    return {
        METHODS[0]: SenseLinker(engine, encoder, new, forms, expressions),
        METHODS[1]: SenseLinker(engine, encoder, base, forms, expressions),
    }


def chosen_for(
    linker: SenseLinker, sentences: list[Sentence], item: dict[str, Any], target: int
) -> tuple[str | None, float, str | None]:
    """(chosen key, seconds, first-sense key) for the item's labelled word."""
    for sentence in sentences:
        word = target_word(sentence.words, item["form"], item["lemma"])
        if word is None:
            continue
        position = sentence.words.index(word)
        started = time.perf_counter()
        row = linker.link([sentence], target)[0]
        seconds = time.perf_counter() - started
        choice: Choice | None = row[position].choice
        first = first_sense(linker, sentence, position)
        return (choice.sense.key if choice else None), seconds, first
    return None, 0.0, None


def first_sense(linker: SenseLinker, sentence: Sentence, position: int) -> str | None:
    """Key of the lowest-numbered candidate of the word."""
    resolved = linker.resolve_all([sentence])[0][position]
    if resolved is None or not resolved.senses:
        return None
    own = [s for s in resolved.senses if s.mot_id not in resolved.other_reading]
    return min(own or resolved.senses, key=lambda s: (s.sense_no, s.mot_id)).key


def dump_keys(engine: Engine) -> set[str]:
    """Every sense key of the dictionary in ``engine`` (``lemma#UPOS#n``)."""
    from sqlalchemy import text

    from apps.junior.candidates import GRAM_TO_UPOS

    sql = text("""
        SELECT lower(m.mot) AS mot, gc.name::text AS gram,
               row_number() OVER (PARTITION BY lower(m.mot), m.gramm_id ORDER BY m.mot_id) AS n
        FROM public.mot m LEFT JOIN public.grammatical_cat gc ON gc.gramm_id = m.gramm_id
        WHERE coalesce(m.definition, '') <> ''
    """)
    with engine.connect() as conn:
        return {
            f"{r.mot}#{GRAM_TO_UPOS.get(r.gram or '', 'COMPOUND')}#{r.n}" for r in conn.execute(sql)
        }


def evaluate_independent(
    settings: JuniorSettings,
    engine: Engine,
    analyzer: FrenchAnalyzer,
    encoder: Encoder,
    item_sets: Sequence[list[dict[str, Any]]],
    dump: str,
    target: int = 1,
) -> list[IndependentReport]:
    """Run every method on every item of each set (the methods are built once)."""
    runs = pipelines(settings, engine, analyzer, encoder)
    known = dump_keys(engine)
    reports = []
    for items in item_sets:
        results = {m: MethodResult(m) for m in METHODS}
        for item in items:
            sentences = analyzer.analyse(item["sentence"])
            first: str | None = None
            for method, pipeline in runs.items():
                key, seconds, first = chosen_for(pipeline, sentences, item, target)
                results[method].chosen.append(key)
                results[method].seconds.append(seconds)
            results[METHODS[2]].chosen.append(first)
        missing = sum(
            bool(item.get("sense_key")) and item["sense_key"] not in known for item in items
        )
        reports.append(IndependentReport(items, results, missing, dump))
    return reports
