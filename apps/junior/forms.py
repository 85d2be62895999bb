"""Every analysis of an inflected form (Lexique 3.83's form → lemma table), kept in memory.

spaCy gives one reading of a word; when that reading finds nothing in the dictionary
(« trottine » tagged NOUN, « tire » lemmatised « tire »), the other readings of the same form
(« trottiner » VERB, « tirer » VERB) are tried. Only lemmas the dictionary has are kept, so the
map stays small as the dictionary grows (loaded once at start-up).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from pathlib import Path

DEFAULT_FORMS_PATH = Path(__file__).resolve().parent / "data" / "lexique-forms.tsv.gz"

Analysis = tuple[str, str]  # (lemma, UPOS)


class FormIndex:
    """form (lower case) → its analyses (lemma, UPOS), most frequent lemma first."""

    def __init__(self, analyses: dict[str, tuple[Analysis, ...]] | None = None) -> None:
        self.analyses = analyses or {}

    @classmethod
    def load(cls, path: Path, lemmas: Iterable[str]) -> FormIndex:
        """Read the compact table, keeping analyses whose lemma is in ``lemmas`` (lower case)."""
        wanted = {lemma.lower() for lemma in lemmas}
        found: dict[str, list[Analysis]] = {}
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("#"):
                    continue
                form, lemma, upos = line.rstrip("\n").split("\t")
                if lemma in wanted:
                    found.setdefault(form, []).append((lemma, upos))
        return cls({form: tuple(rows) for form, rows in found.items()})

    def __call__(self, form: str) -> tuple[Analysis, ...]:
        """The analyses of ``form`` (empty when Lexique or the dictionary lacks it)."""
        return self.analyses.get(form.lower(), ())

    def __len__(self) -> int:
        return len(self.analyses)
