"""Reviewed curation files: hand-written senses (senses.tsv) and theme assignments (categories.tsv)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from data.build import CURATION_DIR

SENSES_PATH = CURATION_DIR / "senses.tsv"
CATEGORIES_PATH = CURATION_DIR / "categories.tsv"
POS_TAGS = ("NOUN", "VERB", "ADJ", "ADV", "ADP")


@dataclass(frozen=True)
class CuratedSense:
    """One hand-written sense; its key ``lemma#pos#sense_no`` never changes once published."""

    lemma: str
    pos: str
    sense_no: int
    definition: str
    niv_diff: int | None
    themes: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.lemma}#{self.pos}#{self.sense_no}"


@dataclass(frozen=True)
class ThemeEntry:
    """One line of categories.tsv: words of a category's subcategory."""

    category: str
    subcategory: str
    words: tuple[str, ...]


def load_senses(path: Path = SENSES_PATH) -> list[CuratedSense]:
    """Curated senses in file order; raises ValueError on a malformed or duplicated row."""
    senses: list[CuratedSense] = []
    seen: set[str] = set()
    with open(path, encoding="utf-8", newline="") as fh:
        for line_no, row in enumerate(csv.DictReader(fh, delimiter="\t"), start=2):
            pos = row["pos"]
            definition = (row["definition"] or "").strip()
            if pos not in POS_TAGS or not definition or not row["lemma"]:
                raise ValueError(f"{path}:{line_no}: bad row {row}")
            level = (row.get("niv_diff") or "").strip()
            themes = tuple(t.strip() for t in (row.get("themes") or "").split(";") if t.strip())
            sense = CuratedSense(
                row["lemma"].strip(),
                pos,
                int(row["sense_no"]),
                definition,
                int(level) if level else None,
                themes,
            )
            if sense.key in seen:
                raise ValueError(f"{path}:{line_no}: duplicate key {sense.key}")
            seen.add(sense.key)
            senses.append(sense)
    return senses


def load_themes(path: Path = CATEGORIES_PATH) -> list[ThemeEntry]:
    """Category/subcategory word lists; words are ``lemma``, ``lemma#POS`` or ``lemma#POS#n``."""
    entries: list[ThemeEntry] = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            words = tuple(w.strip() for w in row["words"].split(",") if w.strip())
            entries.append(ThemeEntry(row["category"].strip(), row["subcategory"].strip(), words))
    return entries
