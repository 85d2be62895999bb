"""Child-safety rules: the reviewed blocklist (data/curation/blocklist.tsv) plus register labels."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from data.build import CURATION_DIR
from data.build.lexique import normalise

BLOCKLIST_PATH = CURATION_DIR / "blocklist.tsv"
# Wiktionnaire register labels that may survive in a gloss, e.g. "(Vulgaire) ...".
_REGISTER_LABEL = re.compile(
    r"\((?:[^()]*\b)?(vulgaire|argot|argotique|injurieux|sexualité|érotisme|populaire|"
    r"très familier|péjoratif|drogue|scatologie)\b[^()]*\)",
    re.IGNORECASE,
)


@dataclass
class Blocklist:
    """Lemmas (optionally ``lemma#POS``) kept out entirely, and terms that rule a sense out."""

    lemmas: dict[str, str] = field(default_factory=dict)
    terms: list[tuple[re.Pattern[str], str]] = field(default_factory=list)

    def blocks_lemma(self, lemma: str, pos: str) -> str | None:
        """Reason why the lemma (for this POS) is out, or None."""
        key = normalise(lemma)
        return self.lemmas.get(key) or self.lemmas.get(f"{key}#{pos}")

    def unfit_reason(self, text: str) -> str | None:
        """Reason why a definition is unfit for children, or None."""
        label = _REGISTER_LABEL.search(text)
        if label:
            return f"register label {label.group(0)}"
        for pattern, reason in self.terms:
            if pattern.search(text):
                return f"{reason} ({pattern.pattern})"
        return None


def load_blocklist(path: Path = BLOCKLIST_PATH) -> Blocklist:
    """Read the reviewed blocklist file."""
    block = Blocklist()
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            kind, value, reason = row["kind"], row["value"], row["reason"]
            if kind == "lemma":
                block.lemmas[normalise(value)] = reason
            elif kind == "term":
                block.terms.append((re.compile(rf"\b{value}", re.IGNORECASE), reason))
            else:
                raise ValueError(f"{path}: unknown kind {kind!r}")
    return block
