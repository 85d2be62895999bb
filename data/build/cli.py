"""`make dump`: build data/lsf_app_dump.sql.gz and its manifest from the pinned sources."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from data.build import DUMP_PATH, MANIFEST_PATH, SENSES_INDEX_PATH
from data.build.categories import assign
from data.build.curation import load_senses, load_themes
from data.build.glosses import read_glosses
from data.build.lexique import normalise, read_lexique
from data.build.manulex import coverage, read_manulex
from data.build.safety import load_blocklist
from data.build.senses import Selection, select_senses
from data.build.sqldump import gzip_bytes, manifest, render, write_if_changed
from data.build.tables import (
    COLUMNS,
    TABLE_ORDER,
    dictionary_rows,
    learner_tables,
    summary,
)


def build(progress: bool = True) -> tuple[str, dict[str, int], dict[str, Any], Selection]:
    """The dump's SQL text, row counts per table, summary and the selection report."""
    steps = tqdm(total=6, desc="dump", unit="step", disable=not progress, file=sys.stderr)

    def step(name: str) -> None:
        steps.set_postfix_str(name, refresh=False)
        steps.update()

    steps.set_postfix_str("Lexique 3.83")
    lexicon = read_lexique()
    manulex = read_manulex()
    block = load_blocklist()
    curated = load_senses()
    themes = load_themes()
    step("Wiktionnaire glosses")
    extra = sorted({w for entry in themes for w in entry.words})
    wanted = {k for k, _pos in lexicon} | {normalise(c.lemma) for c in curated}
    wanted |= {k for k, _pos in manulex}
    glosses = read_glosses(wanted)
    step("choosing senses")
    selection = select_senses(lexicon, glosses, curated, block, extra_words=extra, manulex=manulex)
    step("categories")
    links = assign(selection.senses, themes)
    rows = dictionary_rows(selection.senses, links)
    step("demo learners")
    columns: dict[str, tuple[str, ...]] = dict(COLUMNS)
    learner_columns, learner_rows = learner_tables(selection.senses, links)
    columns.update(learner_columns)
    rows.update(learner_rows)
    step("writing SQL")
    tables = [(t, columns[t], rows[t]) for t in TABLE_ORDER if t in rows]
    sql = render(tables)
    counts = {t: len(rows.get(t, [])) for t in TABLE_ORDER}
    counts.update(dict.fromkeys(("picto", "text_extraction"), 0))
    info = summary(selection.senses, links)
    info["unresolved_theme_words"] = len(links.unresolved)
    present = {normalise(s.word.lower()) for s in selection.senses}
    info["manulex_coverage"] = {k: round(v, 4) for k, v in coverage(manulex, present).items()}
    selection.unresolved = links.unresolved
    step("done")
    steps.close()
    return sql, counts, info, selection


def senses_index(selection: Selection) -> str:
    """TSV of every sense of the dump in mot_id order (row n is mot_id n): its key and source
    (hand = senses.tsv, wiktionnaire = a cleaned gloss)."""
    lines = ["key\tsource\n"] + [f"{s.key}\t{s.source}\n" for s in selection.senses]
    return "".join(lines)


def print_summary(info: dict[str, Any], selection: Selection, verbose: bool) -> None:
    """Human summary: lemmas, senses, polysemy, per category, per difficulty."""
    print(f"lemmas: {info['lemmas']}   senses: {info['senses']}   "
          f"hand-written: {info['hand_senses']}   "
          f"Wiktionnaire fallbacks: {info['wiktionnaire_senses']}   "
          f"polysemous lemmas: {info['polysemous_lemmas']} "
          f"({info['polysemous_within_pos']} within one part of speech)")  # fmt: skip
    cov = info["manulex_coverage"]
    print(f"Manulex coverage: early top 3000 {cov['early_top3000']:.1%}, top 8000 CP-CM2 "
          f"{cov['top8000']:.1%}, token-weighted CP-CM2 {cov['token_weighted']:.1%}")  # fmt: skip
    print("per POS:        " + ", ".join(f"{k} {v}" for k, v in info["per_pos"].items()))
    print("per difficulty: " + ", ".join(f"{k} {v}" for k, v in info["per_difficulty"].items()))
    print("per category:   " + ", ".join(f"{k} {v}" for k, v in info["per_category"].items()))
    print(f"left out: {len(selection.blocked)} blocklisted words, "
          f"{selection.unfit_glosses} unfit glosses, {len(selection.no_gloss)} words without a "
          f"usable gloss, {len(selection.secondary)} rarer parts of speech without a curated "
          f"sense, {info['unresolved_theme_words']} theme words not in the dictionary")  # fmt: skip
    if verbose:
        print("blocked:", "; ".join(selection.blocked))
        print("no gloss:", ", ".join(selection.no_gloss))
        print("rarer POS skipped:", ", ".join(selection.secondary))
        print("theme words not in the dictionary:", "; ".join(selection.unresolved))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.build", description=__doc__)
    parser.add_argument("--out", type=Path, default=DUMP_PATH, help="dump path (.sql.gz)")
    parser.add_argument("--check", action="store_true",
                        help="build in memory and exit 1 if the committed dump differs")  # fmt: skip
    parser.add_argument("--sql", type=Path, help="also write the uncompressed SQL here")
    parser.add_argument("-v", "--verbose", action="store_true", help="list what was left out")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    started = time.monotonic()
    sql, counts, info, selection = build(progress=not args.quiet)
    data = gzip_bytes(sql)
    manifest_text = manifest(data, counts, info)
    index_text = senses_index(selection).encode("utf-8")
    default_out = args.out == DUMP_PATH
    index_path = SENSES_INDEX_PATH if default_out else args.out.with_suffix(".senses.tsv")
    if args.check:
        same = args.out.is_file() and args.out.read_bytes() == data
        if default_out:
            same = same and index_path.is_file() and index_path.read_bytes() == index_text
        print("dump is up to date" if same else f"{args.out} differs from a fresh build")
        return 0 if same else 1
    write_if_changed(args.out, data)
    manifest_path = MANIFEST_PATH if default_out else args.out.with_suffix(".json")
    write_if_changed(manifest_path, manifest_text.encode("utf-8"))
    write_if_changed(index_path, index_text)
    if args.sql:
        args.sql.write_text(sql, encoding="utf-8")
    print_summary(info, selection, args.verbose)
    print(f"wrote {args.out} ({len(data) / 1e6:.2f} MB, sha256 "
          f"{json.loads(manifest_text)['sha256'][:12]}…) in {time.monotonic() - started:.1f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
