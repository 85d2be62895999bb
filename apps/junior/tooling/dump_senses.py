"""Dictionary senses read straight from a dump file (no database), for offline tools."""

from __future__ import annotations

import gzip
from collections import defaultdict
from pathlib import Path

from apps.junior.candidates import Sense, fold
from apps.junior.tooling.evaluation import ROOT

SEED_DUMP = ROOT / "data" / "lsf_app_dump.sql.gz"


def unescape(value: str) -> str:
    """A COPY text field as a string (``\\N`` → empty)."""
    if value == "\\N":
        return ""
    return value.replace("\\t", "\t").replace("\\n", "\n").replace("\\\\", "\\")


def copy_rows(dump: Path, table: str) -> list[list[str]]:
    """The raw fields of every row of ``table``'s COPY block."""
    rows: list[list[str]] = []
    inside = False
    with gzip.open(dump, "rt", encoding="utf-8") as handle:
        for line in handle:
            if not inside:
                inside = line.startswith(f"COPY public.{table} ")
                continue
            if line.startswith("\\."):
                break
            rows.append(line.rstrip("\n").split("\t"))
    return rows


def dump_senses(dump: Path = SEED_DUMP) -> list[Sense]:
    """Every defined ``mot`` row as a :class:`Sense`, numbered as ``CANDIDATES_SQL`` does."""
    grams = {int(r[0]): unescape(r[1]) for r in copy_rows(dump, "grammatical_cat")}
    rows = sorted(copy_rows(dump, "mot"), key=lambda r: int(r[0]))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    senses = []
    for mot_id, mot, definition, _alphabet, gramm_id, _freq, difficulty, *_ in rows:
        word = unescape(mot)
        gram = grams.get(int(gramm_id)) if gramm_id != "\\N" else None
        counts[(word.lower(), gramm_id)] += 1
        if not unescape(definition):
            continue
        senses.append(
            Sense(
                mot_id=int(mot_id),
                word=word,
                definition=unescape(definition),
                gram=gram,
                difficulty=int(difficulty) if difficulty != "\\N" else None,
                url="",
                sense_no=counts[(word.lower(), gramm_id)],
            )
        )
    return senses


def candidate_groups(senses: list[Sense]) -> dict[tuple[str, str | None], list[Sense]]:
    """Senses sharing a folded lemma and a category (what one word competes between)."""
    groups: dict[tuple[str, str | None], list[Sense]] = defaultdict(list)
    for sense in senses:
        groups[(fold(sense.word), sense.gram)].append(sense)
    return dict(groups)
