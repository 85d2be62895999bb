"""The words children read (Manulex) are in the restored dump, and fallback definitions are
readable (issue 10: coverage, readability, safety, polysemy, grades)."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict

import pytest
from psycopg2.extensions import cursor

from data.build import SENSES_INDEX_PATH
from data.build.glosses import has_markup
from data.build.lexique import normalise
from data.build.manulex import coverage, ranked, read_manulex
from data.build.safety import load_blocklist
from data.build.senses import HAND_TOP

POS_TAG = {"nom": "NOUN", "verbe": "VERB", "adjectif": "ADJ", "adverbe": "ADV",
           "préposition": "ADP"}  # fmt: skip
FALLBACK_MAX_WORDS = 25
HAND_TOP_SLACK = 0  # top-5000 senses still on a Wiktionnaire fallback (writers' rows pending)
SENTENCE_END = re.compile(r"[.!?](?=\s+[A-ZÀ-Ý«]|$)")
# Register labels a gloss must not carry into a child's definition (any bracketed label).
_LABEL = re.compile(
    r"\((?:[^()]*\b)?(vulgaire|argot|argotique|injurieux|populaire|familier|péjoratif|vieilli|"
    r"désuet|archaïsme|littéraire|régionalisme|figuré|ironique|sexualité|drogue)\b",
    re.IGNORECASE,
)


def rows(db: cursor, query: str) -> list[tuple]:
    db.execute(query)
    return db.fetchall()


@pytest.fixture(scope="module")
def senses(db: cursor) -> list[tuple[int, str, str, str]]:
    """(mot_id, mot, definition, POS tag) of every sense, in mot_id order."""
    found = rows(
        db,
        "SELECT m.mot_id, m.mot, m.definition, g.name::text FROM mot m"
        " JOIN grammatical_cat g USING (gramm_id) ORDER BY m.mot_id",
    )
    return [(i, w, d, POS_TAG[p]) for i, w, d, p in found]


@pytest.fixture(scope="module")
def index() -> list[dict[str, str]]:
    """The committed senses index (key, source; row n is mot_id n) written by `make dump`."""
    with open(SENSES_INDEX_PATH, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_coverage_of_the_words_children_read(senses: list[tuple], capsys) -> None:
    """The issue's three figures on Manulex content lemmas (NC, VER, ADJ, ADV), by lemma."""
    present = {normalise(word.lower()) for _i, word, _d, _p in senses}
    figures = coverage(read_manulex(), present)
    with capsys.disabled():
        print(
            f"\nManulex coverage: early-reader top 3000 {figures['early_top3000']:.2%}, "
            f"CP-CM2 top 8000 {figures['top8000']:.2%}, "
            f"token-weighted CP-CM2 {figures['token_weighted']:.2%}"
        )
    assert figures["early_top3000"] >= 0.99, figures
    assert figures["top8000"] >= 0.95, figures
    assert figures["token_weighted"] >= 0.99, figures


def test_senses_index_names_every_sense_and_its_source(
    senses: list[tuple], index: list[dict[str, str]]
) -> None:
    assert len(index) == len(senses)
    rank: Counter[tuple[str, str]] = Counter()
    for (_mot_id, word, _d, pos), row in zip(senses, index, strict=True):
        rank[(word, pos)] += 1
        assert row["key"] == f"{word}#{pos}#{rank[(word, pos)]}", row
        assert row["source"] in ("hand", "wiktionnaire"), row
    hand = sum(r["source"] == "hand" for r in index)
    assert hand >= 3839  # the hand-written senses of the first dictionary are all still there


def test_fallback_definitions_are_readable(
    senses: list[tuple], index: list[dict[str, str]]
) -> None:
    """Wiktionnaire fallbacks: no markup, ≤ 25 words, one or two sentences, no register label."""
    block = load_blocklist()
    fallbacks = [s for s, r in zip(senses, index, strict=True) if r["source"] == "wiktionnaire"]
    assert fallbacks
    for _i, word, definition, pos in fallbacks:
        assert not has_markup(definition), (word, definition)
        assert len(definition.split()) <= FALLBACK_MAX_WORDS, (word, definition)
        assert len(definition.split()) >= 2, (word, definition)
        assert len(SENTENCE_END.findall(definition)) <= 2, (word, definition)
        assert not _LABEL.search(definition), (word, definition)
        assert not re.search(r"[][{}<>|]", definition), (word, definition)
        assert block.unfit_reason(definition) is None, (word, definition)
        assert block.blocks_lemma(word, pos) is None, (word, definition)


def test_hand_written_senses_cover_the_most_frequent_lemmas(
    senses: list[tuple], index: list[dict[str, str]]
) -> None:
    """Every sense of a lemma among Manulex's 5,000 most frequent content rows (CP-CM2_U)
    is hand-written: no Wiktionnaire fallback for the words children read most."""
    top = {normalise(e.word.lower()) for e in ranked(read_manulex())[:HAND_TOP]}
    fallbacks = sorted(
        r["key"]
        for (_i, word, _d, _p), r in zip(senses, index, strict=True)
        if r["source"] == "wiktionnaire" and normalise(word.lower()) in top
    )
    assert len(fallbacks) <= HAND_TOP_SLACK, fallbacks


def test_multi_word_entries_and_the_senses_children_meet(senses: list[tuple]) -> None:
    """Multi-word entries exist (so « pomme » alone is first the fruit) and the issue's
    polysemous words have every sense a child meets, whatever their part of speech."""
    by_word: dict[str, list[str]] = defaultdict(list)
    for _i, word, definition, _pos in senses:
        by_word[word].append(definition.lower())
    for entry in ("pomme de terre", "petit déjeuner", "arc-en-ciel", "cerf-volant"):
        assert by_word.get(entry), entry
    assert "fruit" in by_word["pomme"][0]
    cues = {
        "court": ("pas long", "tennis"),
        "couche": ("épaisseur", "bébé"),
        "volant": ("voiture", "vole"),
        "bois": ("arbres", "forêt", "cerf"),
    }
    for word, wanted in cues.items():
        for cue in wanted:
            assert any(cue in d for d in by_word[word]), (word, cue, by_word[word])


def test_polysemy_within_one_part_of_speech(senses: list[tuple]) -> None:
    per_key = Counter((word, pos) for _i, word, _d, pos in senses)
    assert sum(n >= 2 for n in per_key.values()) >= 900


def test_grade_frequencies_come_from_manulex(db: cursor) -> None:
    filled = rows(
        db,
        "SELECT count(*) FILTER (WHERE d.cp_cm2_u IS NOT NULL), count(*) FROM diff_ortho d",
    )[0]
    assert filled[0] >= 0.8 * filled[1], filled
    chat = rows(
        db,
        "SELECT d.cp_u, d.ce1_u, d.cp_cm2_u, d.cp_cm2_sfi, m.echelon_id FROM mot m"
        " JOIN diff_ortho d USING (mot_id) WHERE m.mot = 'chat' ORDER BY m.mot_id LIMIT 1",
    )[0]
    expected = read_manulex()[("chat", "NOUN")]
    assert float(chat[0]) == expected.u["CP"]
    assert float(chat[2]) == expected.u["CP-CM2"]
    assert float(chat[3]) == expected.sfi["CP-CM2"]
    assert chat[4] <= 2  # a word common from CP on is a CP/CE1 word
    late = rows(
        db,
        "SELECT count(*) FILTER (WHERE m.echelon_id = 1), count(*) FROM mot m"
        " JOIN diff_ortho d USING (mot_id) WHERE d.cp_u IS NULL AND d.ce1_u IS NULL"
        " AND d.ce2_cm2_u >= 10",
    )[0]
    assert late[1] > 0, late
    assert late[0] == 0, late  # common only from CE2 on: never a CP word
