"""Rows of every table of the dump from the chosen senses and their category links."""

from __future__ import annotations

import importlib.util
from collections import Counter
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from data.build import difficulty
from data.build.categories import Links, category_id, subcategory_id
from data.build.manulex import LEVELS
from data.build.reference import POS_TO_GRAMM, alphabet_id, reference_rows
from data.build.senses import Sense

ELIX_URL = "https://dico.elix-lsf.fr/dictionnaire/{}"
WIKTIONNAIRE_URL = "https://fr.wiktionary.org/wiki/{}"
LEARNER_SEED = 20261127

COLUMNS: dict[str, tuple[str, ...]] = {
    "alphabet": ("alphabet_id", "letter"),
    "grammatical_cat": ("gramm_id", "name"),
    "niv_diff": ("niv_diff_id", "name"),
    "level": ("level_id", "name"),
    "sublevel": ("sublevel_id", "name", "level_id", "echelon_id"),
    "echelon_db": ("echelon_id", "sublevel_id"),
    "mot": ("mot_id", "mot", "definition", "alphabet_id", "gramm_id", "frequence",
            "niv_diff_id", "echelon_id"),
    "diff_ortho": ("mot_id", "freqfilms", "freqlivres", "nbr_syll", "cp_u", "cp_sfi", "ce1_u",
                   "ce1_sfi", "ce2_cm2_u", "ce2_cm2_sfi", "cp_cm2_u", "cp_cm2_sfi"),
    "lsf_signe": ("signe_id", "url_sign", "url_def", "mot_id"),
    "categorie": ("categorie_id", "name"),
    "subcategory": ("subcat_id", "name", "categorie_id"),
    "mot_categorie": ("mot_id", "categorie_id"),
    "mot_subcategory": ("mot_id", "subcat_id"),
}  # fmt: skip
TABLE_ORDER = (
    "alphabet", "grammatical_cat", "niv_diff", "level", "sublevel", "echelon_db", "mot",
    "diff_ortho", "lsf_signe", "categorie", "subcategory", "mot_categorie", "mot_subcategory",
    "device_token", "eval_quiz", "authentication", "quiz", "score_quiz", "view_sign", "eval_mot",
    "user_word_history",
)  # fmt: skip


def sense_level(s: Sense) -> tuple[int, int]:
    """(niv_diff_id, echelon_id) of a sense."""
    grade = s.man.common_grade if s.man else None
    total = difficulty.points(s.lex, s.sense_no, s.themed, grade, s.man is not None)
    niv = s.niv_override or difficulty.level(total)
    return niv, difficulty.echelon(niv, total, grade)


def frequence(s: Sense) -> int:
    """Occurrences per million words (Lexique, films and books), at least 1 when ever seen."""
    if s.lex is None or s.lex.freq <= 0:
        return 0
    return max(1, round(s.lex.freq))


def manulex_columns(s: Sense) -> tuple[float | None, ...]:
    """diff_ortho's cp_u, cp_sfi, ce1_u, ce1_sfi, ce2_cm2_u, ce2_cm2_sfi, cp_cm2_u, cp_cm2_sfi
    from Manulex (None where the word is not seen at that level or not in Manulex)."""
    if s.man is None:
        return (None,) * 8
    return tuple(v for lv in LEVELS for v in (s.man.u[lv], s.man.sfi[lv]))


def dictionary_rows(senses: Sequence[Sense], links: Links) -> dict[str, list[tuple[Any, ...]]]:
    """Rows of the dictionary tables; mot_id is the 1-based position in ``senses``."""
    rows: dict[str, list[tuple[Any, ...]]] = dict(reference_rows())
    rows["mot"], rows["diff_ortho"], rows["lsf_signe"] = [], [], []
    for mot_id, s in enumerate(senses, start=1):
        niv, ech = sense_level(s)
        rows["mot"].append(
            (
                mot_id,
                s.word,
                s.definition,
                alphabet_id(s.word),
                POS_TO_GRAMM[s.pos],
                frequence(s),
                niv,
                ech,
            )
        )
        lex = s.lex
        rows["diff_ortho"].append(
            (
                mot_id,
                lex.freq_films if lex else None,
                lex.freq_books if lex else None,
                lex.nb_syll if lex else None,
                *manulex_columns(s),
            )
        )
        # url_def: the word's public Wiktionnaire page (a fuller definition, and the source
        # the definitions are adapted from).
        url_def = WIKTIONNAIRE_URL.format(quote(s.word))
        rows["lsf_signe"].append((mot_id, ELIX_URL.format(quote(s.word)), url_def, mot_id))
    subs = sorted(links.subcategories)
    rows["categorie"] = sorted((category_id(c), c) for c in links.categories())
    rows["subcategory"] = sorted((subcategory_id(c, n), n, category_id(c)) for c, n in subs)
    rows["mot_categorie"] = sorted((i + 1, category_id(c)) for i, c in links.mot_categories())
    rows["mot_subcategory"] = sorted({(i + 1, subcategory_id(c, n)) for i, (c, n) in links.mot_sub})
    return rows


def learner_words(senses: Sequence[Sense], links: Links) -> list[dict[str, Any]]:
    """The ``words`` argument of data/build/learners.py's ``learner_rows`` (see data/README.md)."""
    cats: dict[int, set[str]] = {}
    for i, c in links.mot_categories():
        cats.setdefault(i, set()).add(c)
    words = []
    for i, s in enumerate(senses):
        words.append(
            {
                "mot_id": i + 1,
                "mot": s.word,
                "niv_diff_id": sense_level(s)[0],
                "freqfilms": s.lex.freq_films if s.lex else None,
                "freqlivres": s.lex.freq_books if s.lex else None,
                "nbr_syll": s.lex.nb_syll if s.lex else None,
                "cp_u": s.man.u["CP"] if s.man else None,
                "ce1_u": s.man.u["CE1"] if s.man else None,
                "ce2_cm2_u": s.man.u["CE2-CM2"] if s.man else None,
                "cp_cm2_u": s.man.u["CP-CM2"] if s.man else None,
                "categories": sorted(cats.get(i, ())),
            }
        )
    return words


def learner_tables(
    senses: Sequence[Sense], links: Links
) -> tuple[dict[str, tuple[str, ...]], dict[str, list[tuple[Any, ...]]]]:
    """Columns and rows of the demo learners, when the quiz's learners module is present."""
    if importlib.util.find_spec("data.build.learners") is None:
        return {}, {}
    from data.build import learners  # written by the quiz area; optional

    rows = learners.learner_rows(learner_words(senses, links), LEARNER_SEED)
    columns = dict(learners.LEARNER_COLUMNS)
    return columns, {t: sorted(r, key=lambda row: tuple(map(str, row))) for t, r in rows.items()}


def summary(senses: Sequence[Sense], links: Links) -> dict[str, Any]:
    """Counts printed by `make dump` and stored in the manifest."""
    per_word = Counter(s.word for s in senses)
    per_word_pos = Counter((s.word, s.pos) for s in senses)
    levels = Counter(sense_level(s)[0] for s in senses)
    per_cat = Counter(c for _i, c in links.mot_categories())
    return {
        "lemmas": len(per_word),
        "senses": len(senses),
        "hand_senses": sum(s.source == "hand" for s in senses),
        "wiktionnaire_senses": sum(s.source == "wiktionnaire" for s in senses),
        "polysemous_lemmas": sum(n >= 2 for n in per_word.values()),
        "polysemous_within_pos": sum(n >= 2 for n in per_word_pos.values()),
        "fallback_share": round(sum(s.source == "wiktionnaire" for s in senses) / len(senses), 4),
        "per_pos": dict(sorted(Counter(s.pos for s in senses).items())),
        "per_difficulty": {
            name: levels[i] for i, name in ((1, "easy"), (2, "medium"), (3, "hard"))
        },
        "per_category": dict(sorted(per_cat.items())),
    }
