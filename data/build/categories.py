"""Category and subcategory links from categories.tsv, the themes column and a catch-all by POS."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from data.build.curation import ThemeEntry
from data.build.lexique import normalise
from data.build.senses import POS_ORDER, Sense

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://vocabulo.io/dictionary")
CATCH_ALL = "vocabulaire"
CATCH_ALL_SUB = {"NOUN": "noms", "VERB": "verbes", "ADJ": "adjectifs", "ADV": "adverbes",
                 "ADP": "prépositions"}  # fmt: skip
THEME_ONLY_SUB = (
    "divers"  # a senses.tsv theme naming no subcategory, when categories.tsv lacks the sense
)


def category_id(name: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"categorie/{name}")


def subcategory_id(category: str, name: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"subcategory/{category}/{name}")


@dataclass
class Links:
    """Category rows and the sense links (by index in the sorted sense list)."""

    subcategories: dict[tuple[str, str], None] = field(default_factory=dict)  # ordered set
    mot_sub: set[tuple[int, tuple[str, str]]] = field(default_factory=set)
    unresolved: list[str] = field(default_factory=list)

    def categories(self) -> list[str]:
        return sorted({c for c, _ in self.subcategories})

    def mot_categories(self) -> set[tuple[int, str]]:
        return {(i, c) for i, (c, _s) in self.mot_sub}


def resolve(spec: str, senses: list[Sense], index: dict[str, list[int]]) -> int | None:
    """Index of the sense a ``lemma[#POS[#n]]`` spec names: by default sense 1 of the main POS."""
    parts = spec.split("#")
    candidates = index.get(normalise(parts[0].lower()), [])
    if len(parts) > 1:
        candidates = [i for i in candidates if senses[i].pos == parts[1]]
    if len(parts) > 2:
        candidates = [i for i in candidates if senses[i].sense_no == int(parts[2])]
    if not candidates:
        return None
    freq = {senses[i].pos: senses[i].frequency for i in candidates}
    main = max(freq, key=lambda p: (freq[p], -POS_ORDER[p]))
    firsts = [i for i in candidates if senses[i].pos == main]
    return min(firsts, key=lambda i: senses[i].sense_no)


def assign(senses: list[Sense], themes: list[ThemeEntry]) -> Links:
    """Every sense gets ≥ 1 category: named themes first, else the catch-all for its POS."""
    links = Links()
    index: dict[str, list[int]] = {}
    for i, s in enumerate(senses):
        index.setdefault(normalise(s.word.lower()), []).append(i)
    for entry in themes:
        links.subcategories[(entry.category, entry.subcategory)] = None
        for spec in entry.words:
            found = resolve(spec, senses, index)
            if found is None:
                links.unresolved.append(f"{entry.category}/{entry.subcategory}: {spec}")
            else:
                links.mot_sub.add((found, (entry.category, entry.subcategory)))
    in_category = {(i, c) for i, (c, _s) in links.mot_sub}
    for i, s in enumerate(senses):
        for theme in s.themes:  # "category" or "category/subcategory"
            category, _, named = theme.partition("/")
            if (i, category) not in in_category:
                links.subcategories[(category, named or THEME_ONLY_SUB)] = None
                links.mot_sub.add((i, (category, named or THEME_ONLY_SUB)))
    linked = {i for i, _ in links.mot_sub}
    for i in linked:
        senses[i].themed = True
    for i, s in enumerate(senses):
        if i not in linked:
            sub = (CATCH_ALL, CATCH_ALL_SUB[s.pos])
            links.subcategories[sub] = None
            links.mot_sub.add((i, sub))
    return links
