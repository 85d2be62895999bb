"""Sense-choice and POS/lemma evaluation on tests/junior/eval/senses.jsonl (``make eval-junior``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from apps.junior.candidates import (
    candidate_keys,
    dictionary_expressions,
    dictionary_lemmas,
    fetch_candidates,
    fold,
    resolve,
)
from apps.junior.encoder import Encoder
from apps.junior.forms import DEFAULT_FORMS_PATH, FormIndex
from apps.junior.nlp import FrenchAnalyzer, Word
from apps.junior.senses import DefinitionIndex, SenseChooser

ROOT = Path(__file__).resolve().parents[3]
EVAL_SET = ROOT / "tests" / "junior" / "eval" / "senses.jsonl"


@dataclass
class SenseReport:
    """Counts for one encoder on the labelled sentences."""

    encoder: str
    total: int = 0
    correct: int = 0
    first_sense: int = 0
    pos_ok: int = 0
    lemma_ok: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def rate(self, count: int) -> float:
        """Share of the total, 0 when empty."""
        return count / self.total if self.total else 0.0


def load_eval_set(path: Path = EVAL_SET) -> list[dict[str, Any]]:
    """The labelled sentences (id, sentence, word, lemma, pos, sense)."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def target_word(words: tuple[Word, ...], surface: str, lemma: str | None = None) -> Word | None:
    """The analysed word whose text is the labelled surface form.

    A multi-word or elided form (« a volé », « se lève », « s'appelle ») names the word whose lemma is
    ``lemma`` when one does, else its last content word.
    """
    for word in words:
        if word.text == surface or surface in word.text.split():
            return word
    parts = surface.replace("'", "' ").split()  # « s'appelle » is read as « s' » + « appelle »
    if len(parts) < 2:
        return None
    inside = [w for w in words if w.text in parts]
    if lemma is not None:
        for word in inside:
            if lemma in (word.lemma, word.alt_lemma, word.verb_guess, word.text.lower()):
                return word
    content = [w for w in inside if w.kind == "lookup"]
    return content[-1] if content else None


def evaluate_senses(
    engine: Engine,
    analyzer: FrenchAnalyzer,
    encoder: Encoder,
    items: list[dict[str, Any]],
    target: int = 1,
) -> SenseReport:
    """Accuracy of the sense chosen by ``encoder`` vs the labels, and the first-sense baseline."""
    index = DefinitionIndex(encoder)
    index.build(engine)
    chooser = SenseChooser(index)
    report = SenseReport(encoder.name)
    analysed = [analyzer.analyse(item["sentence"]) for item in items]
    words = []
    for sentences, item in zip(analysed, items, strict=True):
        found = None
        for sent in sentences:
            found = found or target_word(sent.words, item["word"])
        words.append(found)
    with engine.connect() as conn:
        forms = FormIndex.load(DEFAULT_FORMS_PATH, dictionary_lemmas(conn))
        expressions = frozenset(fold(e) for e in dictionary_expressions(conn))
        keys = {k for w in words if w is not None for k in candidate_keys(w, forms)}
        candidates = fetch_candidates(conn, keys)
    contexts = encoder.encode([item["sentence"] for item in items])
    for item, word, context in zip(items, words, contexts, strict=True):
        report.total += 1
        if word is None:
            report.errors.append({"id": item["id"], "error": "word not found"})
            continue
        report.pos_ok += word.pos == item["pos"]
        resolved = resolve(word, candidates, forms, item["sentence"], expressions)
        report.lemma_ok += item["lemma"] in (resolved.lemma or word.lemma, word.alt_lemma)
        if not resolved.senses:
            report.errors.append(
                {"id": item["id"], "error": "no candidates", "pos": word.pos, "lemma": word.lemma}
            )
            continue
        choice = chooser.choose(context, resolved.senses, target)
        first = min(resolved.senses, key=lambda s: (s.sense_no, s.mot_id))
        report.first_sense += first.key == item["sense"]
        if choice.sense.key == item["sense"]:
            report.correct += 1
        else:
            report.errors.append(
                {
                    "id": item["id"],
                    "want": item["sense"],
                    "got": choice.sense.key,
                    "confidence": choice.confidence,
                }
            )
    return report


PAGES_DIR = ROOT / "tests" / "junior" / "eval" / "pages"
DEGRADED_CER_TARGET = 0.05
CLEAN_CER_TARGET = 0.02


def load_page_renderer() -> Any:
    """The deterministic page renderer (tests/junior/eval/pages/render.py) as a module."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("junior_pages_render", PAGES_DIR / "render.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(PAGES_DIR / "render.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def cer(predicted: str, truth: str) -> float:
    """Character error rate of ``predicted`` against ``truth`` (whitespace collapsed)."""
    predicted, truth = " ".join(predicted.split()), " ".join(truth.split())
    return edit_distance(predicted, truth) / max(len(truth), 1)


def tesseract_text(rgb: Any) -> str | None:
    """Tesseract ``fra`` on an RGB array through the CLI (stdin → stdout), None if missing."""
    import shutil
    import subprocess
    from io import BytesIO

    from PIL import Image

    if shutil.which("tesseract") is None:
        return None
    buffer = BytesIO()
    Image.fromarray(rgb).save(buffer, "PNG")
    done = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", "fra", "--psm", "3"],
        input=buffer.getvalue(),
        capture_output=True,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace")


@dataclass
class PageReport:
    """OCR result of one rendered page."""

    name: str
    condition: str
    cer: float
    seconds: float
    tesseract_cer: float | None = None
    tesseract_seconds: float | None = None


def evaluate_pages(ocr: Any, with_tesseract: bool = False) -> list[PageReport]:
    """CER of our OCR (and optionally Tesseract) on every rendered evaluation page.

    Each page goes the service's way: the JPEG a phone would send (EXIF included) →
    ``decode_image`` → ``read_page`` (turned pages) → reading order and clean-up.
    """
    import time

    from apps.junior.images import decode_image
    from apps.junior.settings import JuniorSettings
    from apps.junior.text import clean_text, page_text

    limits = JuniorSettings.model_fields
    pages = load_page_renderer()
    reports = []
    for spec in pages.PAGES:
        truth = clean_text(" ".join(pages.true_text(spec).split()))
        started = time.perf_counter()
        rgb = decode_image(
            pages.upload(spec),
            int(limits["max_upload_bytes"].default),
            int(limits["max_image_pixels"].default),
            int(limits["ocr_max_side"].default),
        )
        text = page_text(ocr.read_page(rgb))
        report = PageReport(
            spec.name, spec.condition, cer(text, truth), time.perf_counter() - started
        )
        if with_tesseract:
            started = time.perf_counter()
            raw = tesseract_text(rgb)
            if raw is not None:
                report.tesseract_cer = cer(clean_text(" ".join(raw.split())), truth)
                report.tesseract_seconds = time.perf_counter() - started
        reports.append(report)
    return reports
