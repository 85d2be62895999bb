"""Data-quality checks on the restored seed dictionary (the issue's acceptance list)."""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import quote

import pytest
from psycopg2.extensions import cursor

from data.build.glosses import has_markup
from data.build.lexique import normalise, read_lexique
from data.build.reference import alphabet_id
from data.build.safety import load_blocklist
from data.build.senses import PREPOSITIONS, TOP_LEMMAS, ranked_entries

# A sentence ends where the next starts with a capital ("« viens ! », « mangeons ! »" is one).
SENTENCE_END = re.compile(r"[.!?](?=\s+[A-ZÀ-Ý«]|$)")
POLYSEMOUS_MIN = 900  # issue 10: lemmas with two or more senses
THEMES = ("basique", "animaux", "aliments", "corps", "maison", "école", "nature", "transports",
          "vêtements", "couleurs", "famille", "métiers", "émotions", "temps", "nombres")  # fmt: skip


def rows(db: cursor, query: str, *args: object) -> list[tuple]:
    db.execute(query, args)
    return db.fetchall()


@pytest.fixture(scope="module")
def senses(db: cursor) -> list[tuple[int, str, str, str, int, int, int]]:
    return rows(
        db,
        "SELECT m.mot_id, m.mot, m.definition, g.name::text, m.niv_diff_id, m.alphabet_id,"
        " m.frequence FROM mot m LEFT JOIN grammatical_cat g USING (gramm_id) ORDER BY m.mot_id",
    )


def test_every_sense_has_pos_definition_level_letter(senses: list[tuple]) -> None:
    assert len(senses) > 3000
    for mot_id, word, definition, pos, level, letter, freq in senses:
        assert pos is not None, mot_id
        assert word, mot_id
        assert definition, word
        assert definition[0].isupper(), (word, definition)
        assert definition[-1] in ".!?", (word, definition)
        assert level in (1, 2, 3), word
        assert letter == alphabet_id(word), word
        assert freq >= 0, word


def test_definitions_are_clean_and_short(senses: list[tuple]) -> None:
    for _id, word, definition, *_ in senses:
        assert not has_markup(definition), (word, definition)
        assert "  " not in definition, (word, definition)
        assert "()" not in definition, (word, definition)
        assert len(definition.split()) <= 40, (word, definition)
        assert len(SENTENCE_END.findall(definition)) <= 2, (word, definition)


def test_nothing_blocklisted_comes_back(senses: list[tuple]) -> None:
    block = load_blocklist()
    pos_tag = {"nom": "NOUN", "verbe": "VERB", "adjectif": "ADJ", "adverbe": "ADV",
               "préposition": "ADP"}  # fmt: skip
    for _id, word, definition, pos, *_ in senses:
        assert block.blocks_lemma(word, pos_tag[pos]) is None, word
        assert block.unfit_reason(definition) is None, (word, definition)
    words = {s[1] for s in senses}
    assert not words & {"putain", "merde", "con", "connard", "salope", "pute", "bite", "cul"}


def test_the_most_frequent_lemmas_and_prepositions_are_in(senses: list[tuple]) -> None:
    block = load_blocklist()
    present = {normalise(s[1]) for s in senses}
    present_top: set[str] = set()
    top: list[str] = []
    for entry in ranked_entries(read_lexique()):
        key = normalise(entry.lemma)
        if key not in present_top and not block.blocks_lemma(key, entry.pos):
            top.append(key)
            present_top.add(key)
        if len(top) == TOP_LEMMAS:
            break
    missing = [w for w in top if w not in present]
    assert not missing, missing[:20]
    preps = {s[1] for s in senses if s[3] == "préposition"}
    assert set(PREPOSITIONS) <= preps


def test_polysemy_in_childrens_dictionary_order(senses: list[tuple]) -> None:
    by_word: dict[str, list[str]] = defaultdict(list)
    for _id, word, definition, *_ in senses:
        by_word[word].append(definition)
    assert sum(len(d) >= 2 for d in by_word.values()) >= POLYSEMOUS_MIN
    expected = {
        "avocat": ("Fruit", "défendre"),
        "souris": ("animal", "ordinateur"),
        "glace": ("Dessert", "Eau", "Miroir"),
        "livre": ("pages", "poids"),
        "feuille": ("arbre", "papier"),
    }
    for word, cues in expected.items():
        defs = by_word[word]
        assert len(defs) >= len(cues), word
        for definition, cue in zip(defs, cues, strict=False):
            assert cue in definition, (word, cue, definition)


def test_difficulty_levels_are_all_used(senses: list[tuple]) -> None:
    counts: dict[int, int] = defaultdict(int)
    for s in senses:
        counts[s[4]] += 1
    assert all(counts[level] >= 0.05 * len(senses) for level in (1, 2, 3)), dict(counts)


def test_every_sense_reaches_a_category_and_subcategory(db: cursor) -> None:
    orphans = rows(
        db,
        "SELECT m.mot FROM mot m WHERE NOT EXISTS (SELECT 1 FROM mot_categorie c WHERE"
        " c.mot_id = m.mot_id) OR NOT EXISTS (SELECT 1 FROM mot_subcategory s JOIN subcategory"
        " USING (subcat_id) WHERE s.mot_id = m.mot_id)",
    )
    assert not orphans
    names = {r[0] for r in rows(db, "SELECT name FROM categorie")}
    assert set(THEMES) <= names
    subs_per_cat = rows(db, "SELECT c.name, count(*) FROM subcategory s JOIN categorie c"
                            " USING (categorie_id) GROUP BY c.name")  # fmt: skip
    assert all(n >= 1 for _c, n in subs_per_cat)


def theme_words(db: cursor, category: str) -> set[str]:
    found = rows(
        db,
        "SELECT m.mot FROM mot m JOIN mot_categorie USING (mot_id) JOIN categorie c"
        " USING (categorie_id) WHERE c.name = %s",
        category,
    )
    return {r[0] for r in found}


def test_named_themes_hold_the_right_words(db: cursor) -> None:
    basique = theme_words(db, "basique")
    assert 200 <= len(basique) <= 600
    assert {"maison", "manger", "chat", "école", "dans"} <= basique
    assert {"chat", "vache", "lion", "papillon"} <= theme_words(db, "animaux")
    assert {"pomme", "pain", "avocat"} <= theme_words(db, "aliments")
    assert {"rouge", "bleu", "vert"} <= theme_words(db, "couleurs")
    assert {"bras", "tête", "nez"} <= theme_words(db, "corps")
    assert "voiture" not in theme_words(db, "animaux")
    # the lawyer sense of avocat is a job, the fruit sense is food: not the other way round
    jobs = rows(
        db,
        "SELECT m.definition FROM mot m JOIN mot_categorie USING (mot_id) JOIN categorie c"
        " USING (categorie_id) WHERE c.name = 'métiers' AND m.mot = 'avocat'",
    )
    assert jobs
    assert all("tribunal" in d for (d,) in jobs)


def test_signs_link_to_elix_pages(db: cursor) -> None:
    signs = rows(db, "SELECT m.mot, s.url_sign, s.url_def FROM mot m LEFT JOIN lsf_signe s"
                     " USING (mot_id)")  # fmt: skip
    for word, url, url_def in signs:
        assert url == f"https://dico.elix-lsf.fr/dictionnaire/{quote(word)}", word
        assert url_def == f"https://fr.wiktionary.org/wiki/{quote(word)}", word


def test_reference_rows_and_diff_ortho(db: cursor) -> None:
    assert rows(db, "SELECT count(*) FROM alphabet")[0][0] == 26
    assert rows(db, "SELECT count(*) FROM grammatical_cat")[0][0] == 10
    assert rows(db, "SELECT count(*) FROM niv_diff")[0][0] == 3
    assert rows(db, "SELECT count(*) FROM sublevel")[0][0] == 13
    missing = rows(db, "SELECT count(*) FROM mot m LEFT JOIN diff_ortho d USING (mot_id)"
                       " WHERE d.mot_id IS NULL OR m.echelon_id IS NULL")  # fmt: skip
    assert missing[0][0] == 0
    filled = rows(db, "SELECT count(*) FILTER (WHERE nbr_syll > 0 AND freqlivres IS NOT NULL),"
                      " count(*) FROM diff_ortho")  # fmt: skip
    assert filled[0][0] >= 0.95 * filled[0][1]
    assert rows(db, "SELECT extname FROM pg_extension WHERE extname = 'unaccent'")


def test_demo_learners_when_the_quiz_provides_them(db: cursor) -> None:
    pytest.importorskip("data.build.learners")
    assert rows(db, "SELECT count(*) FROM authentication")[0][0] >= 50
    bad = rows(db, "SELECT count(*) FROM score_quiz s LEFT JOIN mot m USING (mot_id)"
                   " WHERE m.mot_id IS NULL")  # fmt: skip
    assert bad[0][0] == 0
