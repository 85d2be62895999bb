"""Merge the writer sessions' example sentences into apps/junior/data/sense_examples.tsv.

``python -m apps.junior.tooling.example_merge FILE...`` (``key<TAB>sentence`` lines, one file per
writer session). Rows of earlier merges from the same writers are replaced, so it can be re-run
as the files grow. Refused: malformed lines, keys not in the seed dump's dictionary, duplicates,
and any sentence sharing ≥ 70 % of its words with a sentence of a frozen independent set or of
the development set (the test of tests/junior/test_independent_eval.py, applied here first).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

from apps.junior.sense_choice import EXAMPLES_PATH
from apps.junior.tooling.dump_senses import dump_senses
from apps.junior.tooling.evaluation import EVAL_SET
from apps.junior.tooling.independent_eval import HELD_OUT_SET, INDEPENDENT_SET, THIRD_SET

HEADER = """\
# Example sentences per sense key (lemma#POS#sense_no), for apps/junior/sense_choice.py.
# Never copied or adapted from any evaluation sentence.
# Rows with two columns (key, sentence): written by the senses engineer from each definition of
# the dictionary (data/curation/senses.tsv on branch dict, 550a9e3+), for the polysemous words
# among Manulex's most frequent, in frequency order; every example that came close to a
# sentence of the frozen independent set (difflib ratio > 0.75 or 60 % shared words; 231 of
# them), and 60 close to one of the held-out set (tests/junior/eval/independent2, 70 % shared
# words), were deleted, not rewritten: that can only lower the measured accuracy.
# Rows with a third column (w1-w8, the writer session): written by eight sessions (2026-12-02), 5-6 per
# sense for the 1,680 senses of the 735 polysemous lemma/POS pairs of Manulex's top 3,000,
# from the definitions only (no evaluation set shown): w1-w4 a first round, w5-w8 a second round
# shown the bank's examples and asked for what it lacked (storytelling tenses, dialogue, captions);
# merged by
# apps/junior/tooling/example_merge.py, which dropped malformed lines, unknown keys, duplicates
# and every sentence sharing >= 70 % of its words with a sentence of either independent set
# or of the dev set. tests/junior/test_independent_eval.py keeps the bank apart from both sets.
"""
MIN_WORDS, MAX_WORDS = 3, 40
CLOSE = 0.7


def words(sentence: str) -> frozenset[str]:
    """The sentence's lower-case words (as the overlap test counts them)."""
    return frozenset(re.findall(r"[a-zà-ÿœæ]+", sentence.lower()))


def eval_sentences() -> list[frozenset[str]]:
    """Word sets of every sentence of the three independent sets and of the development set."""
    found = []
    for path, field in (
        (INDEPENDENT_SET, "sentence"),
        (HELD_OUT_SET, "sentence"),
        (THIRD_SET, "sentence"),
        (EVAL_SET, "sentence"),
    ):
        with path.open(encoding="utf-8") as handle:
            found += [words(json.loads(line)[field]) for line in handle if line.strip()]
    return found


def too_close(sentence: frozenset[str], others: list[frozenset[str]]) -> bool:
    """True when ``sentence`` shares ≥ 70 % of its words (Jaccard) with one of ``others``."""
    return any(len(sentence & o) / len(sentence | o) >= CLOSE for o in others if sentence | o)


def read_bank(path: Path) -> tuple[list[list[str]], list[str]]:
    """(rows without the writers' rows of earlier merges, the header lines)."""
    kept: list[list[str]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            row = line.rstrip("\n").split("\t")
            if len(row) >= 2 and len(row) < 3:
                kept.append(row)
    return kept, HEADER.splitlines()


def merge(sources: list[Path], bank: Path = EXAMPLES_PATH) -> Counter[str]:
    """Rewrite ``bank`` with its own rows and the accepted rows of ``sources``; returns counts."""
    keys = {sense.key for sense in dump_senses()}
    old, header = read_bank(bank)
    seen = {row[1].strip().lower() for row in old}
    close = eval_sentences()
    counts: Counter[str] = Counter()
    new: list[str] = []
    for n, source in enumerate(sources, start=1):
        tag = f"w{n}"
        for line in source.read_text(encoding="utf-8").splitlines():
            row = line.split("\t")
            if not line.strip():
                continue
            if len(row) != 2 or not row[0].strip() or not row[1].strip():
                counts["malformed"] += 1
                continue
            key, sentence = row[0].strip(), " ".join(row[1].split())
            if key not in keys:
                counts["unknown key"] += 1
                continue
            if not MIN_WORDS <= len(sentence.split()) <= MAX_WORDS:
                counts["malformed"] += 1
                continue
            if sentence.lower() in seen:
                counts["duplicate"] += 1
                continue
            if too_close(words(sentence), close):
                counts["close to an eval sentence"] += 1
                continue
            seen.add(sentence.lower())
            new.append(f"{key}\t{sentence}\t{tag}")
            counts[f"accepted {tag}"] += 1
    body = ["\t".join(row) for row in old] + new
    tally = ", ".join(f"{reason} {n}" for reason, n in sorted(counts.items()))
    header = [*header, f"# Last merge: {tally}."]
    bank.write_text("\n".join(header + body) + "\n", encoding="utf-8")
    return counts


def main() -> None:
    """Command line: the writer files, in writer order."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sources", nargs="+", type=Path)
    args = parser.parse_args()
    for reason, count in sorted(merge(args.sources).items()):
        print(f"{reason}: {count}")


if __name__ == "__main__":
    main()
