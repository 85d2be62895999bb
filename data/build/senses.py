"""Choosing the dictionary's words and senses: hand-written senses first, else a Wiktionnaire gloss.

Words: Lexique's 3,000 most frequent lemmas, Manulex's most frequent content lemmas (what
children read), every word of senses.tsv and every word a theme names.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from data.build.curation import CuratedSense
from data.build.glosses import clean_gloss, guess_pos
from data.build.lexique import LexEntry, normalise
from data.build.manulex import ManEntry, ranked
from data.build.safety import Blocklist

TOP_LEMMAS = 3000  # the 3,000 most frequent eligible Lexique lemmas (adult films and books)
MANULEX_TOP = 10000  # Manulex content lemma rows by CP-CM2_U (children's readers)
MANULEX_EARLY_TOP = 3000  # Manulex rows by the mean of CP_U and CE1_U (early readers)
HAND_TOP = 5000  # Manulex rows (CP-CM2_U) whose words get hand-written senses only (issue 10)
SECOND_POS_SHARE = 0.1  # a word's other POS gets a fallback gloss only when this common
CORE_POS = ("NOUN", "VERB", "ADJ", "ADV")
PREPOSITIONS = ("dans", "sur", "pour", "avec", "sans", "avant", "après", "devant", "derrière")
POS_ORDER = {"NOUN": 0, "VERB": 1, "ADJ": 2, "ADV": 3, "ADP": 4}
# A gloss about the past ("Ancienne arme...", "...dont on se servait") comes after a current one.
_DATED = re.compile(
    r"^(ancien|ancienne|anciennement|autrefois|jadis)\b|\b(autrefois|jadis|dont on se servait|"
    r"qui était en usage|anciennement)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"^[a-zà-öø-ÿœæ][a-zà-öø-ÿœæ'\- ]*[a-zà-öø-ÿœæ]$")


@dataclass
class Sense:
    """One sense of one word: a future ``mot`` row."""

    word: str
    pos: str
    sense_no: int
    definition: str
    source: str  # "hand" (senses.tsv) or "wiktionnaire" (a cleaned gloss, the fallback)
    lex: LexEntry | None
    niv_override: int | None = None
    themes: tuple[str, ...] = ()
    themed: bool = False  # linked to a named theme (set by categories.assign)
    man: ManEntry | None = None  # Manulex grade frequencies of the word for this POS

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
    dated: str | None = None  # a matching gloss about the past, used if nothing else matches
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
            if not _DATED.search(text):
                return text, unfit
            dated = dated or text
        elif only_pos and fallback is None:
            fallback = text
    return dated or fallback, unfit


def select_senses(
    lexicon: dict[tuple[str, str], LexEntry],
    glosses: dict[str, tuple[str, list[str]]],
    curated: list[CuratedSense],
    block: Blocklist,
    extra_words: Iterable[str] = (),
    top: int = TOP_LEMMAS,
    manulex: dict[tuple[str, str], ManEntry] | None = None,
) -> Selection:
    """Senses of the top lemmas (Lexique and Manulex), of every curated and every theme word."""
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
                        "hand",
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
    if manulex:
        _add_manulex(sel, manulex, lexicon, glosses, block, word_pos, done)
        for s in sel.senses:
            s.man = manulex.get((normalise(s.word.lower()), s.pos))
    sel.senses.sort(key=sort_key)
    return sel


def manulex_selection(manulex: dict[tuple[str, str], ManEntry]) -> list[ManEntry]:
    """Manulex rows the dictionary aims to hold: top by CP-CM2_U, then top for early readers."""
    chosen: dict[tuple[str, str], ManEntry] = {}
    for e in ranked(manulex)[:MANULEX_TOP] + ranked(manulex, "early")[:MANULEX_EARLY_TOP]:
        chosen.setdefault((e.word, e.pos), e)
    return list(chosen.values())


def _add_manulex(
    sel: Selection,
    manulex: dict[tuple[str, str], ManEntry],
    lexicon: dict[tuple[str, str], LexEntry],
    glosses: dict[str, tuple[str, list[str]]],
    block: Blocklist,
    word_pos: dict[str, str],
    done: set[tuple[str, str]],
) -> None:
    """A Wiktionnaire sense for each chosen Manulex (word, POS) not yet in the dictionary.

    A word already present under another part of speech gets this one only when a gloss
    clearly defines it (no fallback to a gloss of another POS).
    """
    present = {normalise(s.word.lower()) for s in sel.senses}
    hand_only = {normalise(e.word.lower()) for e in ranked(manulex)[:HAND_TOP]}
    top_freq: dict[str, float] = {}
    for (key, _pos), e in manulex.items():
        top_freq[key] = max(top_freq.get(key, 0.0), e.overall)
    for e in manulex_selection(manulex):
        key = normalise(e.word.lower())
        if (key, e.pos) in done or not eligible(key):
            continue
        if key in present and (e.overall < SECOND_POS_SHARE * top_freq[key] or key in hand_only):
            # a rare use of a word we have, or a frequent word: only hand-written senses
            sel.secondary.append(f"{e.word}#{e.pos}")
            continue
        word = glosses[key][0] if key in glosses else e.word
        if (reason := block.blocks_lemma(key, e.pos)) is not None:
            sel.blocked.append(f"{word}#{e.pos} ({reason})")
            continue
        text, unfit = pick_gloss(
            glosses.get(key, ("", []))[1], e.pos, key not in present, word_pos, block
        )
        sel.unfit_glosses += unfit
        if text is None:
            if key not in present:
                sel.no_gloss.append(f"{word}#{e.pos}")
            continue
        sel.senses.append(Sense(word, e.pos, 1, text, "wiktionnaire", lexicon.get((key, e.pos))))
        done.add((key, e.pos))
        present.add(key)


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
