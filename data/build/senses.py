"""Choosing the dictionary's words and senses: curated senses first, else a Wiktionnaire gloss."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from data.build.curation import CuratedSense
from data.build.glosses import clean_gloss, guess_pos
from data.build.lexique import LexEntry, normalise
from data.build.safety import Blocklist

TOP_LEMMAS = 3000  # the floor: the 3,000 most frequent eligible lemmas
CORE_POS = ("NOUN", "VERB", "ADJ", "ADV")
PREPOSITIONS = ("dans", "sur", "pour", "avec", "sans", "avant", "après", "devant", "derrière")
POS_ORDER = {"NOUN": 0, "VERB": 1, "ADJ": 2, "ADV": 3, "ADP": 4}
_WORD = re.compile(r"^[a-zà-öø-ÿœæ][a-zà-öø-ÿœæ'\- ]*[a-zà-öø-ÿœæ]$")


@dataclass
class Sense:
    """One sense of one word: a future ``mot`` row."""

    word: str
    pos: str
    sense_no: int
    definition: str
    source: str  # "curated" or "wiktionnaire"
    lex: LexEntry | None
    niv_override: int | None = None
    themes: tuple[str, ...] = ()
    themed: bool = False  # linked to a named theme (set by categories.assign)

    @property
    def key(self) -> str:
        return f"{self.word}#{self.pos}#{self.sense_no}"

    @property
    def frequency(self) -> float:
        """Lexique frequency per million words of the lemma (0 when Lexique lacks it)."""
        return self.lex.freq if self.lex else 0.0


@dataclass
class Selection:
    """The chosen senses and what the build left out (printed in the summary)."""

    senses: list[Sense] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    unfit_glosses: int = 0
    no_gloss: list[str] = field(default_factory=list)
    secondary: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    top_lemmas: list[str] = field(default_factory=list)


def eligible(lemma: str) -> bool:
    """A real lower-case word (no letters alone, abbreviations or numbers)."""
    return len(lemma) >= 2 and bool(_WORD.match(lemma))


def ranked_entries(lexicon: dict[tuple[str, str], LexEntry]) -> list[LexEntry]:
    """Lexique entries we may include, most frequent first (ties by spelling: deterministic)."""
    keep = [
        e
        for (key, pos), e in lexicon.items()
        if not e.from_form
        and eligible(e.lemma)
        and (pos in CORE_POS or (pos == "ADP" and key in PREPOSITIONS))
    ]
    return sorted(keep, key=lambda e: (-e.freq, e.lemma, POS_ORDER[e.pos]))


def pick_gloss(
    raw_glosses: Iterable[str], pos: str, only_pos: bool, word_pos: dict[str, str], block: Blocklist
) -> tuple[str | None, int]:
    """First child-appropriate cleaned gloss that defines ``pos``; also the count of unfit ones.

    When the word has no other part of speech in the dictionary, a gloss whose guessed POS
    differs is still accepted as a fallback.
    """
    fallback: str | None = None
    unfit = 0
    for raw in raw_glosses:
        if block.unfit_reason(raw):
            unfit += 1
            continue
        text = clean_gloss(raw)
        if text is None:
            continue
        if block.unfit_reason(text):
            unfit += 1
            continue
        if guess_pos(text, word_pos) == pos:
            return text, unfit
        if only_pos and fallback is None:
            fallback = text
    return fallback, unfit


def select_senses(
    lexicon: dict[tuple[str, str], LexEntry],
    glosses: dict[str, tuple[str, list[str]]],
    curated: list[CuratedSense],
    block: Blocklist,
    extra_words: Iterable[str] = (),
    top: int = TOP_LEMMAS,
) -> Selection:
    """Senses of the top lemmas, of every curated word and of every word a theme names."""
    sel = Selection()
    word_pos = _dominant_pos(lexicon)
    curated_by: dict[tuple[str, str], list[CuratedSense]] = {}
    for c in curated:
        curated_by.setdefault((normalise(c.lemma), c.pos), []).append(c)
    pos_of: dict[str, set[str]] = {}
    for key, pos in lexicon:
        pos_of.setdefault(key, set()).add(pos)
    done: set[tuple[str, str]] = set()

    def add(entry: LexEntry | None, key: str, pos: str) -> bool:
        if (key, pos) in done:
            return True
        word = glosses[key][0] if key in glosses else (entry.lemma if entry else key)
        if (reason := block.blocks_lemma(key, pos)) is not None:
            sel.blocked.append(f"{word}#{pos} ({reason})")
            return False
        if (key, pos) in curated_by:
            for c in curated_by[(key, pos)]:
                sel.senses.append(
                    Sense(
                        c.lemma,
                        pos,
                        c.sense_no,
                        c.definition,
                        "curated",
                        entry,
                        c.niv_diff,
                        c.themes,
                    )
                )
            done.add((key, pos))
            return True
        if main_pos.get(key, pos) != pos:
            # A rarer part of speech of the word (le vieux, le bon...): only when curated.
            sel.secondary.append(f"{word}#{pos}")
            return False
        others = {p for p in pos_of.get(key, set()) if (key, p) in lexicon_kept}
        text, unfit = pick_gloss(
            glosses.get(key, ("", []))[1], pos, others <= {pos}, word_pos, block
        )
        sel.unfit_glosses += unfit
        if text is None:
            sel.no_gloss.append(f"{word}#{pos}")
            return False
        sel.senses.append(Sense(word, pos, 1, text, "wiktionnaire", entry))
        done.add((key, pos))
        return True

    ranked = ranked_entries(lexicon)
    main_pos: dict[str, str] = {}  # most frequent POS among those the dictionary may hold
    for entry in ranked:
        main_pos.setdefault(normalise(entry.lemma), entry.pos)
    lexicon_kept: set[tuple[str, str]] = set()
    lemmas: list[str] = []
    seen: set[str] = set()
    for entry in ranked:
        key = normalise(entry.lemma)
        if len(lemmas) >= top and key not in seen:
            break
        lexicon_kept.add((key, entry.pos))
        if key not in seen and not block.blocks_lemma(key, entry.pos):
            lemmas.append(key)
            seen.add(key)
    sel.top_lemmas = lemmas
    for entry in ranked:
        key = normalise(entry.lemma)
        if (key, entry.pos) in lexicon_kept:
            add(entry, key, entry.pos)
    for c in curated:
        key = normalise(c.lemma)
        lexicon_kept.add((key, c.pos))
        add(lexicon.get((key, c.pos)), key, c.pos)
    best_pos = _dominant_pos(lexicon)
    for spec in extra_words:
        key = normalise(spec.split("#")[0])
        spec_pos = spec.split("#")[1] if "#" in spec else best_pos.get(key)
        if spec_pos is None or (key, spec_pos) not in lexicon:
            continue
        lexicon_kept.add((key, spec_pos))
        add(lexicon[(key, spec_pos)], key, spec_pos)
    sel.senses.sort(key=sort_key)
    return sel


def _dominant_pos(lexicon: dict[tuple[str, str], LexEntry]) -> dict[str, str]:
    """Most frequent POS of each word (ties: noun before verb before adjective...)."""
    best: dict[str, LexEntry] = {}
    for (key, _pos), entry in sorted(lexicon.items(), key=lambda kv: POS_ORDER[kv[0][1]]):
        old = best.get(key)
        if old is None or (old.from_form, -old.freq) > (entry.from_form, -entry.freq):
            best[key] = entry
    return {k: e.pos for k, e in best.items()}


def sort_key(s: Sense) -> tuple[str, str, int, int]:
    """Dictionary order: unaccented spelling, spelling, POS, sense number."""
    return (_fold(s.word), s.word, POS_ORDER[s.pos], s.sense_no)


def _fold(word: str) -> str:
    text = unicodedata.normalize("NFD", normalise(word.lower()))
    return "".join(c for c in text if not unicodedata.combining(c))


def polysemy(senses: list[Sense]) -> Counter[str]:
    """Number of senses per word (all parts of speech together)."""
    return Counter(normalise(s.word) for s in senses)
