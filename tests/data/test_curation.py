"""Unit checks of the curation files and of the builder's small rules (no database)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

from data.build import difficulty
from data.build.curation import load_senses, load_themes
from data.build.glosses import clean_gloss, guess_pos
from data.build.lexique import LexEntry
from data.build.reference import alphabet_id
from data.build.safety import load_blocklist
from data.build.sqldump import copy_value


def test_sense_keys_are_unique_and_numbered_from_one() -> None:
    numbers: dict[tuple[str, str], list[int]] = defaultdict(list)
    for s in load_senses():
        numbers[(s.lemma, s.pos)].append(s.sense_no)
    for key, nos in numbers.items():
        assert sorted(nos) == list(range(1, len(nos) + 1)), key


def test_curated_senses_are_child_safe_and_themed_with_known_names() -> None:
    block = load_blocklist()
    names = {e.category for e in load_themes()}
    for s in load_senses():
        assert block.unfit_reason(s.definition) is None, s.key
        assert block.blocks_lemma(s.lemma, s.pos) is None, s.key
        assert {t.split("/")[0] for t in s.themes} <= names, s.key


def test_polysemous_lemmas_are_enough() -> None:
    per_lemma: dict[str, int] = defaultdict(int)
    for s in load_senses():
        per_lemma[s.lemma] += 1
    assert sum(n >= 2 for n in per_lemma.values()) >= 300


def test_new_themes_exist_and_basique_stays_the_starting_set() -> None:
    categories = {e.category for e in load_themes()}
    assert {"contes", "ferme", "cirque", "pirates", "couture", "jardin"} <= categories
    basique = [w for e in load_themes() if e.category == "basique" for w in e.words]
    assert 200 <= len(basique) <= 600


def test_clean_gloss_removes_leftovers() -> None:
    assert clean_gloss("ou Eau à l'état solide.") == "Eau à l'état solide."
    assert clean_gloss("Dessin animé japonais ; .") == "Dessin animé japonais."
    assert clean_gloss("Ici et là. — Usage contemporain, où là remplace ici.") == "Ici et là."
    assert clean_gloss("Dire.") is None  # a one-word synonym is not a definition
    assert clean_gloss("[[miniature") is None
    assert clean_gloss("Unité valant {{unité") is None
    assert clean_gloss("Pluriel de cheval.") is None
    assert clean_gloss("(Vieilli) Carrosse de louage.") is None  # dated: not a child's first sense
    assert clean_gloss("Sens figuré") is None
    assert clean_gloss("Bisou sur la joue ( Quand il est donné ailleurs, voir ci-dessous.)") == (
        "Bisou sur la joue."
    )
    assert clean_gloss("Mot " + "très " * 60 + "long.") is None  # nowhere to cut: not kept
    long = clean_gloss("Petit mot très court, " + "puis " * 60 + "long.")
    assert long == "Petit mot très court."
    assert clean_gloss("Caoutchouc synthétique (butyl, isoprène " + "mot " * 30 + ").") is None
    assert (
        clean_gloss("Qui n'est pas monospécifique, dont aucune essence ne représente au moins .")
        is None
    )


def test_guess_pos_reads_the_start_of_a_gloss() -> None:
    word_pos = {"rapidement": "ADV", "manger": "VERB", "petit": "ADJ", "rongeur": "NOUN",
                "costaud": "ADJ"}  # fmt: skip
    assert guess_pos("Qui est puissant.", word_pos) == "ADJ"
    assert guess_pos("Rapidement, avec vitesse.", word_pos) == "ADV"
    assert guess_pos("Se déplacer jusqu'à un endroit.", word_pos) == "VERB"
    assert guess_pos("Manger vite.", word_pos) == "VERB"
    assert guess_pos("Petit rongeur gris.", word_pos) == "NOUN"
    assert guess_pos("Costaud, robuste.", word_pos) == "ADJ"
    assert guess_pos("Petit d'une cane.", word_pos) == "NOUN"


def test_blocklist_rules_catch_labels_and_terms_but_not_innocent_words() -> None:
    block = load_blocklist()
    assert block.unfit_reason("(Vulgaire) Homme.")
    assert block.unfit_reason("Avoir une relation sexuelle.")
    assert block.unfit_reason("Consommer de la drogue.")
    assert block.blocks_lemma("putain", "NOUN")
    assert block.blocks_lemma("baiser", "VERB")
    assert not block.blocks_lemma("baiser", "NOUN")
    assert block.unfit_reason("Instrument de musique à cordes, comme le violon.") is None
    assert block.unfit_reason("Enfant de sexe féminin.") is None


def entry(freq: float, deflem: float | None, syll: int) -> LexEntry:
    return LexEntry("mot", "NOUN", freq, freq, freq, freq, syll, deflem)


def test_difficulty_rule() -> None:
    assert difficulty.level(difficulty.points(entry(500, 100, 1), 1)) == difficulty.EASY
    assert difficulty.level(difficulty.points(entry(500, 100, 1), 2)) == difficulty.EASY
    assert difficulty.level(difficulty.points(entry(60, 95, 2), 1)) == difficulty.MEDIUM
    assert difficulty.level(difficulty.points(entry(3, 70, 4), 1)) == difficulty.HARD
    assert difficulty.points(entry(10, 100, 2), 1, themed=True) == 2  # a child's word: -1
    assert difficulty.points(entry(500, 100, 1), 1, themed=True) == 0
    assert difficulty.echelon(difficulty.EASY, 0) == 1
    assert difficulty.echelon(difficulty.HARD, 9) == 6
    # Manulex: the grade at which a word is common in children's readers drives the frequency part
    rare_adult = entry(3, 100, 2)
    assert difficulty.points(rare_adult, 1) == 3  # adult frequency alone: 3 points
    assert difficulty.points(rare_adult, 1, grade=0, in_manulex=True) == 0  # common in CP
    assert difficulty.points(rare_adult, 1, grade=2, in_manulex=True) == 2  # CE2–CM2
    assert difficulty.points(rare_adult, 1, grade=None, in_manulex=True) == 3  # never common
    assert difficulty.points(entry(500, 100, 2), 1, grade=None, in_manulex=True) == 1
    assert difficulty.echelon(difficulty.EASY, 0, grade=2) == 3  # not before CE2
    assert difficulty.echelon(difficulty.EASY, 0, grade=0) == 1


def test_small_rules() -> None:
    assert alphabet_id("éléphant") == 5
    assert alphabet_id("œuf") == 15
    assert alphabet_id("zèbre") == 26
    assert copy_value("a\tb\\c\nd") == "a\\tb\\\\c\\nd"
    assert copy_value(None) == r"\N"
    assert copy_value(True) == "t"
    assert copy_value(1.5) == "1.5"
    when = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    assert copy_value(when) == "2026-01-02 00:00:00+00:00"
    assert copy_value(uuid.UUID(int=1)) == "00000000-0000-0000-0000-000000000001"
