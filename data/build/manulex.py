"""Manulex (Lété et al. 2004): lemma frequencies in French primary-school readers, per grade.

Read from ``data/sources/manulex/manulex-lemmas.tsv`` (copied unchanged from OpenLexicon).
Only content lemmas are kept: ``NC``, ``VER``, ``ADJ``, ``ADV`` (mapped to our POS tags).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from data.build import DATA_DIR
from data.build.lexique import normalise

MANULEX_PATH = DATA_DIR / "sources" / "manulex" / "manulex-lemmas.tsv"
SYNT_TO_POS = {"NC": "NOUN", "VER": "VERB", "ADJ": "ADJ", "ADV": "ADV"}
LEVELS = ("CP", "CE1", "CE2-CM2", "CP-CM2")
COMMON_U = 10.0  # per million words (SFI 50): "common" at a grade from this frequency on
GRADES = ("CP", "CE1", "CE2-CM2")


@dataclass(frozen=True)
class ManEntry:
    """One Manulex content lemma for one part of speech; None = not seen at that level."""

    word: str
    pos: str
    u: dict[str, float | None]  # estimated frequency per million words, per level
    sfi: dict[str, float | None]  # standard frequency index, per level

    @property
    def early(self) -> float:
        """Early-reader frequency: mean of CP_U and CE1_U (unseen = 0)."""
        return ((self.u["CP"] or 0.0) + (self.u["CE1"] or 0.0)) / 2

    @property
    def overall(self) -> float:
        """CP-CM2_U (unseen = 0)."""
        return self.u["CP-CM2"] or 0.0

    @property
    def common_grade(self) -> int | None:
        """First grade (0 CP, 1 CE1, 2 CE2-CM2) where the word is common, None if never."""
        for i, level in enumerate(GRADES):
            if (self.u[level] or 0.0) >= COMMON_U:
                return i
        return None


def _num(text: str) -> float | None:
    return float(text) if text.strip() else None


def read_manulex(path: Path = MANULEX_PATH) -> dict[tuple[str, str], ManEntry]:
    """Content lemmas keyed by (normalised lower-case word, POS)."""
    entries: dict[tuple[str, str], ManEntry] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            pos = SYNT_TO_POS.get(row["SYNT"])
            if pos is None:
                continue
            word = row["Word"].strip()
            entry = ManEntry(
                word,
                pos,
                {lv: _num(row[f"{lv}_U"]) for lv in LEVELS},
                {lv: _num(row[f"{lv}_SFI"]) for lv in LEVELS},
            )
            key = (normalise(word.lower()), pos)
            old = entries.get(key)
            if old is None or entry.overall > old.overall:
                entries[key] = entry
    return entries


def ranked(entries: dict[tuple[str, str], ManEntry], by: str = "overall") -> list[ManEntry]:
    """Entries most frequent first (``overall`` = CP-CM2_U, ``early`` = mean of CP and CE1)."""
    return sorted(entries.values(), key=lambda e: (-getattr(e, by), e.word, e.pos))


def coverage(entries: dict[tuple[str, str], ManEntry], present: set[str]) -> dict[str, float]:
    """The issue's three figures, by lemma string: early top 3000, top 8000, token-weighted."""
    early = ranked(entries, "early")[:3000]
    top = ranked(entries)[:8000]

    def share(items: list[ManEntry]) -> float:
        return sum(normalise(e.word.lower()) in present for e in items) / len(items)

    total = sum(e.overall for e in entries.values())
    seen = sum(e.overall for e in entries.values() if normalise(e.word.lower()) in present)
    return {"early_top3000": share(early), "top8000": share(top), "token_weighted": seen / total}
