"""Cues of apps/junior/sense_choice.py: constructions, dictionary expressions, example bank,
sense order (no database, no model: a stand-in encoder)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from apps.junior.encoder import l2_normalise
from apps.junior.nlp import Word
from apps.junior.sense_choice import (
    EXAMPLES_PATH,
    ExampleBank,
    SenseChoice,
    Weights,
    construction_match,
    construction_of,
    read_examples,
)
from apps.junior.senses import DefinitionIndex, Sense, SenseChooser


class TableEncoder:
    """Stand-in encoder: texts it knows map to fixed unit vectors, others to a neutral one."""

    name = "table"
    dim = 4
    model_hash = "table-v1"

    def __init__(self, table: dict[str, list[float]]) -> None:
        self.table = table

    def encode(self, texts):
        rows = [self.table.get(t, [0.0, 0.0, 0.0, 1.0]) for t in texts]
        return l2_normalise(np.array(rows, dtype=np.float32).reshape(len(texts), self.dim))


def sense(mot_id: int, word: str, definition: str, sense_no: int, gram: str = "verbe") -> Sense:
    return Sense(mot_id, word, definition, gram, 1, "u", sense_no)


def w(text: str, lemma: str | None = None, pos: str = "NOUN", alt: str | None = None) -> Word:
    return Word(text, lemma or text.lower(), pos, "dep", "lookup", alt_lemma=alt)


TROUVER_1 = sense(1, "trouver", "Voir ou découvrir ce que l'on cherchait : trouver ses clés.", 1)
TROUVER_3 = sense(3, "trouver", "Se trouver : être à un endroit : la gare se trouve ici.", 3)
PIED_3 = sense(7, "pied", "À pied : en marchant : aller à l'école à pied.", 3, "nom")
AGNEAU_2 = sense(9, "agneau", "Viande d'agneau : un gigot d'agneau.", 2, "nom")
Y_A = sense(11, "avoir", "Il y a : sert à dire qu'une chose existe : il y a un chat.", 4)


def test_construction_senses_are_read_from_the_definition_head() -> None:
    assert construction_of(TROUVER_3) is not None
    assert construction_of(TROUVER_3).pronominal
    assert construction_of(PIED_3).words == ("à",)
    assert construction_of(Y_A).words == ("il", "y")
    assert construction_of(TROUVER_1) is None  # a plain definition
    assert construction_of(AGNEAU_2) is None  # « Viande d'agneau » is a gloss, not an expression


def test_construction_needs_its_words_near_the_word() -> None:
    pied = construction_of(PIED_3)
    assert pied is not None
    walking = [w("Je"), w("vais"), w("à"), w("l'"), w("école"), w("à"), w("pied")]
    assert construction_match(pied, walking, 6) == 1.0
    foot = [w("Il"), w("a"), w("mal"), w("au"), w("pied")]
    assert construction_match(pied, foot, 4) == 0.0


def test_pronominal_construction_needs_a_reflexive() -> None:
    se_trouver = construction_of(TROUVER_3)
    assert se_trouver is not None
    found = [w("La"), w("gare"), w("se"), w("trouve", "trouver", "VERB", "trouver")]
    assert construction_match(se_trouver, found, 3) == 1.0
    plain = [w("Il"), w("trouve", "trouver", "VERB"), w("ses"), w("clés")]
    assert construction_match(se_trouver, plain, 1) == 0.0


def choice(encoder: TableEncoder, examples: dict[str, list[str]], weights: Weights) -> SenseChoice:
    index = DefinitionIndex(encoder)
    index.set([], np.zeros((0, encoder.dim), np.float32))
    return SenseChoice(SenseChooser(index, 0.0), ExampleBank(encoder, examples), weights)


def test_construction_cue_decides_between_close_definitions() -> None:
    encoder = TableEncoder({})  # every definition is as close as every other
    chooser = choice(encoder, {}, Weights(examples=0.0, order=0.0))
    context = encoder.encode(["x"])[0]
    plain = [w("Il"), w("trouve", "trouver", "VERB"), w("ses"), w("clés")]
    assert chooser.choose(context, [TROUVER_1, TROUVER_3], 1, plain, 1).sense is TROUVER_1
    reflexive = [w("La"), w("gare"), w("se"), w("trouve", "trouver", "VERB", "trouver")]
    picked = chooser.choose(context, [TROUVER_1, TROUVER_3], 1, reflexive, 3)
    assert picked.sense is TROUVER_3


def test_nearest_example_pulls_its_sense() -> None:
    voler_1 = sense(20, "voler", "Se déplacer dans les airs.", 1)
    voler_2 = sense(21, "voler", "Prendre ce qui appartient à un autre.", 2)
    encoder = TableEncoder(
        {
            "Se déplacer dans les airs.": [1, 0, 0, 0],
            "Prendre ce qui appartient à un autre.": [0, 1, 0, 0],
            "Le voleur a volé le collier.": [0.2, 0.2, 1, 0],
            "Le renard a volé les œufs.": [0.25, 0.2, 1, 0],
        }
    )
    context = encoder.encode(["Le renard a volé les œufs."])[0]
    without = choice(encoder, {}, Weights(order=0.0))
    assert without.choose(context, [voler_1, voler_2], 1).sense is voler_1
    bank = {"voler#VERB#2": ["Le voleur a volé le collier."]}
    assert (
        choice(encoder, bank, Weights(order=0.0)).choose(context, [voler_1, voler_2], 1).sense
        is voler_2
    )


def test_sense_order_breaks_near_ties() -> None:
    first = sense(30, "jour", "Temps de vingt-quatre heures.", 1, "nom")
    second = sense(31, "jour", "Clarté du soleil.", 2, "nom")
    encoder = TableEncoder({})
    context = encoder.encode(["x"])[0]
    picked = choice(encoder, {}, Weights()).choose(context, [second, first], 1)
    assert picked.sense is first


def test_example_bank_file_is_well_formed() -> None:
    examples = read_examples(EXAMPLES_PATH)
    assert len(examples) > 300
    for key, sentences in examples.items():
        lemma, pos, number = key.rsplit("#", 2)
        assert lemma, key
        assert pos in {"NOUN", "VERB", "ADJ", "ADV", "ADP"}, key
        assert number.isdigit(), key
        assert all(s and "\t" not in s for s in sentences)


def test_example_bank_cache(tmp_path: Path) -> None:
    encoder = TableEncoder({"Un exemple.": [1, 0, 0, 0]})
    first = ExampleBank(encoder, {"a#NOUN#1": ["Un exemple."]}, tmp_path)
    assert list(tmp_path.glob("examples-*.npy"))
    again = ExampleBank(TableEncoder({}), {"a#NOUN#1": ["Un exemple."]}, tmp_path)
    assert np.allclose(first.matrix, again.matrix)
