"""Reference rows the schema expects: alphabet, grammatical categories, levels and grades."""

from __future__ import annotations

import unicodedata

GRAMMATICAL_CATS = (
    "nom", "verbe", "adjectif", "préposition", "déterminent", "pronom", "nom propre",
    "adverbe", "conjonction", "interjection",
)  # fmt: skip
GRAMM_ID = {name: i for i, name in enumerate(GRAMMATICAL_CATS, start=1)}
POS_TO_GRAMM = {
    "NOUN": GRAMM_ID["nom"],
    "VERB": GRAMM_ID["verbe"],
    "ADJ": GRAMM_ID["adjectif"],
    "ADV": GRAMM_ID["adverbe"],
    "ADP": GRAMM_ID["préposition"],
}
NIV_DIFF = ((1, "easy"), (2, "medium"), (3, "hard"))
LEVELS = ((1, "primaire"), (2, "collège"), (3, "lycée"), (4, "supérieur"))
CLASSES = (
    ("CP", 1), ("CE1", 1), ("CE2", 1), ("CM1", 1), ("CM2", 1),
    ("sixième", 2), ("cinquième", 2), ("quatrième", 2), ("troisième", 2),
    ("seconde", 3), ("première", 3), ("terminale", 3), ("université", 4),
)  # fmt: skip
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def first_letter(word: str) -> str:
    """Unaccented lower-case first letter (é → e, œ → o)."""
    base = unicodedata.normalize("NFD", word[0].lower())[0]
    return "o" if base == "œ" else "a" if base == "æ" else base


def alphabet_id(word: str) -> int:
    """alphabet_id of a word: 1 for a … 26 for z."""
    return LETTERS.index(first_letter(word)) + 1


def reference_rows() -> dict[str, list[tuple[object, ...]]]:
    """Rows of the reference tables (sublevel i ↔ echelon i, one grade each)."""
    return {
        "alphabet": [(i, c) for i, c in enumerate(LETTERS, start=1)],
        "grammatical_cat": [(i, n) for n, i in GRAMM_ID.items()],
        "niv_diff": list(NIV_DIFF),
        "level": list(LEVELS),
        "sublevel": [(i, n, lv, i) for i, (n, lv) in enumerate(CLASSES, start=1)],
        "echelon_db": [(i, i) for i in range(1, len(CLASSES) + 1)],
    }
