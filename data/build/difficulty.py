"""Difficulty of a sense (niv_diff 1 easy / 2 medium / 3 hard) and its school grade (echelon).

Points, summed per sense (documented in data/README.md and docs/dictionary.md):
- frequency: for a word Manulex knows, the school grade at which it becomes common in
  children's readers (≥ 10 per million words): CP → 0, CE1 → 1, CE2–CM2 → 2, never → 3,
  but at most one point more than the adult frequency gives; for other words the adult
  frequency alone (mean of Lexique's freqlemfilms2 and freqlemlivres, per million words):
  ≥ 200 → 0, ≥ 50 → 1, ≥ 15 → 2, below → 3;
- deflem (share of adults who could define the word): 100 or unknown → 0, ≥ 90 → 1, else 2;
- syllables (nbsyll): ≤ 2 → 0, 3 → 1, ≥ 4 → 2;
- a second or later sense of a word → +1 (children meet the first sense first);
- a sense listed in a named theme (basique, animaux, ...) → -1: Lexique counts adult films
  and books, where a child's everyday words (abricot, puzzle) are rare.
Total ≤ 1 → easy, ≤ 3 → medium, else hard. A curated niv_diff in senses.tsv wins.
The grade (echelon) is two per level, the easier half first, and never before the grade at
which Manulex finds the word common (CE1 → at least CE1, CE2–CM2 → at least CE2).
"""

from __future__ import annotations

from data.build.lexique import LexEntry

EASY, MEDIUM, HARD = 1, 2, 3
NEVER_COMMON = 3  # grade points of a word Manulex sees but never commonly


def adult_points(freq: float) -> int:
    """Frequency points from Lexique's adult frequency per million words."""
    return 0 if freq >= 200 else 1 if freq >= 50 else 2 if freq >= 15 else 3


def points(
    entry: LexEntry | None,
    sense_no: int,
    themed: bool = False,
    grade: int | None = None,
    in_manulex: bool = False,
) -> int:
    """Difficulty points of one sense (see the module docstring).

    ``grade`` is Manulex's first common grade (0 CP, 1 CE1, 2 CE2–CM2, None never), used when
    ``in_manulex``.
    """
    total = (1 if sense_no > 1 else 0) - (1 if themed else 0)
    child = (NEVER_COMMON if grade is None else grade) if in_manulex else None
    if entry is None:
        return max(0, total + (4 if child is None else child + 1))
    adult = adult_points(entry.freq)
    total += adult if child is None else min(child, adult + 1)
    if entry.deflem is not None:
        total += 0 if entry.deflem >= 100 else 1 if entry.deflem >= 90 else 2
    total += 0 if entry.nb_syll <= 2 else 1 if entry.nb_syll == 3 else 2
    return max(0, total)


def level(total: int) -> int:
    """niv_diff_id from difficulty points."""
    return EASY if total <= 1 else MEDIUM if total <= 3 else HARD


def echelon(niv_diff: int, total: int, grade: int | None = None) -> int:
    """echelon_id (1 CP … 6 sixième): two grades per difficulty level, the easier half first,
    never before Manulex's first common grade ``grade`` (0 CP, 1 CE1, 2 CE2–CM2)."""
    first = {EASY: 1, MEDIUM: 3, HARD: 5}[niv_diff]
    split = {EASY: 0, MEDIUM: 2, HARD: 5}[niv_diff]
    by_points = first if total <= split else first + 1
    return max(by_points, grade + 1) if grade is not None else by_points
