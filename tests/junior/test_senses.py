"""Candidate lookup, sense scoring and the definition-embedding cache (real Postgres)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import psycopg2
from sqlalchemy import create_engine

from apps.common.settings import normalise_url
from apps.junior.candidates import Sense, fetch_candidates, filter_by_pos
from apps.junior.senses import DefinitionIndex, SenseChooser, softmax_top
from apps.junior.vectors import l2_normalise


class CountingEncoder:
    """A deterministic stand-in encoder that counts the texts it encodes."""

    name = "counting"
    dim = 8
    model_hash = "counting-v1"

    def __init__(self) -> None:
        self.encoded = 0

    def encode(self, texts):
        self.encoded += len(texts)
        rows = [np.frombuffer(t.encode("utf-8").ljust(8, b" ")[:8], dtype=np.uint8) for t in texts]
        return l2_normalise(np.array(rows, dtype=np.float32).reshape(len(texts), self.dim))


def sense(mot_id: int, gram: str, difficulty: int | None = 1) -> Sense:
    return Sense(mot_id, "mot", f"definition {mot_id}", gram, difficulty, "u", mot_id)


def test_candidates_are_accent_and_case_insensitive(dictionary_url: str) -> None:
    engine = create_engine(normalise_url(dictionary_url))
    with engine.connect() as conn:
        found = fetch_candidates(conn, ["CLE", "Coeur", "absentissime"])
    assert [s.key for s in found["CLE"]] == [f"clé#NOUN#{n}" for n in (1, 2, 3, 4)]
    assert {s.key for s in found["Coeur"]} >= {"cœur#NOUN#1", "cœur#NOUN#4"}
    assert found["absentissime"] == []
    assert all(s.url.startswith("https://") for s in found["CLE"])
    engine.dispose()


def test_accents_in_the_text_are_respected(dictionary_url: str) -> None:
    conn = psycopg2.connect(dictionary_url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                "INSERT INTO mot (mot, definition, gramm_id) VALUES "
                "('péché', 'Faute contre une règle religieuse.', 1)"
            )
        engine = create_engine(normalise_url(dictionary_url))
        with engine.connect() as db:
            found = fetch_candidates(db, ["pêche", "peche"])
        engine.dispose()
        assert {s.word for s in found["pêche"]} == {"pêche"}
        assert {s.word for s in found["peche"]} == {"pêche", "péché"}  # OCR lost the accents
        assert [s.key for s in found["pêche"]] == ["pêche#NOUN#1", "pêche#NOUN#2"]
    finally:
        with conn, conn.cursor() as cur:
            cur.execute(
                "DELETE FROM lsf_signe WHERE mot_id IN (SELECT mot_id FROM mot WHERE mot = 'péché')"
            )
            cur.execute("DELETE FROM mot WHERE mot = 'péché'")
        conn.close()


def test_pos_filter_and_confidence() -> None:
    senses = [sense(1, "nom"), sense(2, "adjectif")]
    assert [s.mot_id for s in filter_by_pos(senses, "ADJ")] == [2]
    assert filter_by_pos(senses, "COMPOUND") == senses
    assert softmax_top(np.array([0.5, 0.5]), 0.03) == 0.5
    assert softmax_top(np.array([0.9, 0.5]), 0.03) > 0.99


def test_one_candidate_is_certain_and_difficulty_breaks_ties() -> None:
    encoder = CountingEncoder()
    index = DefinitionIndex(encoder)
    chooser = SenseChooser(index, difficulty_weight=0.05)
    assert chooser.choose(np.zeros(8, np.float32), [sense(1, "nom")], 1).confidence == 1.0
    easy, hard = sense(10, "nom", 1), sense(11, "nom", 3)
    index.set([10, 11], np.tile(l2_normalise(np.ones((1, 8))), (2, 1)))  # same definition vector
    assert chooser.choose(index.matrix[0], [hard, easy], 1).sense is easy
    assert chooser.choose(index.matrix[0], [hard, easy], 3).sense is hard


def test_definition_embeddings_are_cached_by_model_and_dictionary(
    dictionary_url: str, tmp_path: Path
) -> None:
    engine = create_engine(normalise_url(dictionary_url))
    first = CountingEncoder()
    built = DefinitionIndex(first, tmp_path).build(engine)
    assert built > 100
    assert first.encoded == built
    again = CountingEncoder()
    index = DefinitionIndex(again, tmp_path)
    assert index.build(engine) == built
    assert again.encoded == 0
    conn = psycopg2.connect(dictionary_url)
    try:
        with conn, conn.cursor() as cur:  # a new dictionary version invalidates the cache
            cur.execute(
                "UPDATE mot SET definition = definition || ' ' WHERE mot_id = "
                "(SELECT min(mot_id) FROM mot)"
            )
        third = CountingEncoder()
        assert DefinitionIndex(third, tmp_path).build(engine) == built
        assert third.encoded == built
    finally:
        with conn, conn.cursor() as cur:
            cur.execute(
                "UPDATE mot SET definition = rtrim(definition) WHERE mot_id = "
                "(SELECT min(mot_id) FROM mot)"
            )
        conn.close()
        engine.dispose()


def test_senses_added_after_start_up_are_encoded_on_demand() -> None:
    encoder = CountingEncoder()
    index = DefinitionIndex(encoder)
    vectors = index.vectors([sense(7, "nom"), sense(8, "nom")])
    assert vectors.shape == (2, 8)
    assert encoder.encoded == 2
    index.vectors([sense(7, "nom")])
    assert encoder.encoded == 2
