"""Cues of apps/junior/sense_choice.py: constructions, dictionary expressions, example bank,
sense order (no database, no model: a stand-in encoder)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from apps.junior.encoder import l2_normalise
from apps.junior.nlp import Word
from apps.junior.sense_choice import (
    EXAMPLES_PATH,
    FRAMES_PATH,
    ExampleBank,
    Frame,
    SenseChoice,
    SenseClassifier,
    Weights,
    WordProfiles,
    construction_match,
    construction_of,
    example_writers,
    read_examples,
    read_frames,
    soft_max,
    stems,
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


def test_soft_max_counts_several_close_examples() -> None:
    one_close = np.array([0.9, 0.1, 0.1])
    three_close = np.array([0.85, 0.85, 0.85])
    assert soft_max(one_close, 0.0) == pytest.approx(0.9)
    assert soft_max(one_close, 0.05) < soft_max(three_close, 0.05)
    assert soft_max(three_close, 0.05) == pytest.approx(0.85)


def test_content_words_decide_when_the_vectors_cannot() -> None:
    encoder = TableEncoder({})  # every sentence and definition equally close
    voler_1 = sense(20, "voler", "Se déplacer dans les airs.", 1)
    voler_2 = sense(21, "voler", "Prendre ce qui appartient à un autre.", 2)
    bank = {
        "voler#VERB#1": ["L'oiseau vole au-dessus du jardin."],
        "voler#VERB#2": ["Le voleur a volé les bijoux de la reine."],
    }
    index = DefinitionIndex(encoder)
    index.set([], np.zeros((0, encoder.dim), np.float32))
    chooser = SenseChoice(
        SenseChooser(index, 0.0), ExampleBank(encoder, bank), Weights(), WordProfiles(bank)
    )
    context = encoder.encode(["x"])[0]
    words = [w("Un"), w("voleur"), w("a"), w("volé", "voler", "VERB"), w("mes"), w("bijoux")]
    assert chooser.choose(context, [voler_1, voler_2], 1, words, 3).sense is voler_2


def test_word_profiles_are_deterministic_and_leave_the_word_out() -> None:
    bank = read_examples(EXAMPLES_PATH)
    first, second = WordProfiles(bank), WordProfiles(bank)
    voler = sense(21, "voler", "Prendre ce qui appartient à un autre.", 2)
    assert first.profile(voler) == second.profile(voler)
    assert first.profile(voler)
    assert stems("Le renard a volé les œufs", "voler") == ["renar", "œufs"]


def test_start_up_cost_of_the_word_profiles_is_bounded() -> None:
    """Built at every start (not cached): must stay well under a second or two."""
    bank = read_examples(EXAMPLES_PATH)
    started = time.perf_counter()
    WordProfiles(bank)
    assert time.perf_counter() - started < 3.0


def test_cross_validation_leaves_a_writer_out() -> None:
    writers = example_writers(EXAMPLES_PATH)
    assert "" in writers
    assert len(writers) >= 2
    whole = sum(map(len, read_examples(EXAMPLES_PATH).values()))
    without = sum(map(len, read_examples(EXAMPLES_PATH, without=[writers[1]]).values()))
    assert 0 < without < whole


def test_steal_and_fly_with_the_real_encoder_and_bank(use_model: Path) -> None:
    """« voler » with the service's encoder and bank: the issue's sentence (the fox and the eggs,
    chosen as *fly* before the writers' examples and the word cue) and new ones."""
    from apps.junior.encoder import UseEncoder
    from apps.junior.tooling.dump_senses import dump_senses

    encoder = UseEncoder(use_model)
    voler = [s for s in dump_senses() if s.word == "voler" and s.gram == "verbe"]
    assert [s.sense_no for s in voler] == [1, 2]
    bank = read_examples(EXAMPLES_PATH)
    index = DefinitionIndex(encoder)
    chooser = SenseChoice(
        SenseChooser(index), ExampleBank(encoder, bank), Weights(), WordProfiles(bank)
    )
    cases = {
        "Le renard a volé les œufs de la poule.": 2,
        "Le chat a volé une sardine sur la table de la cuisine.": 2,
        "Un pirate a volé la carte du capitaine pendant la nuit.": 2,
        "Le petit moineau vole jusqu'au toit de la grange.": 1,
        "Les cigognes volent très haut au-dessus des champs.": 1,
    }
    contexts = encoder.encode(list(cases))
    for (sentence, number), context in zip(cases.items(), contexts, strict=True):
        words = [w(t.strip(".,"), t.strip(".,").lower()) for t in sentence.split()]
        position = next(i for i, x in enumerate(words) if x.text.startswith("vol"))
        picked = chooser.choose(context, voler, 1, words, position)
        assert picked.sense.sense_no == number, sentence


def test_transitivity_prefers_the_sense_whose_examples_share_the_frame() -> None:
    encoder = TableEncoder({})  # every sentence and definition equally close
    voler_1 = sense(20, "voler", "Se déplacer dans les airs.", 1)
    voler_2 = sense(21, "voler", "Prendre ce qui appartient à un autre.", 2)
    frames = {"voler#VERB#1": Frame(6, 6, 0), "voler#VERB#2": Frame(6, 6, 6)}
    index = DefinitionIndex(encoder)
    index.set([], np.zeros((0, encoder.dim), np.float32))
    chooser = SenseChoice(
        SenseChooser(index, 0.0), ExampleBank(encoder, {}), Weights(order=0.0), frames=frames
    )
    context = encoder.encode(["x"])[0]
    with_object = [w("Il"), Word("vole", "voler", "VERB", "root", "lookup", has_object=True)]
    without = [w("Il"), Word("vole", "voler", "VERB", "root", "lookup")]
    assert chooser.choose(context, [voler_1, voler_2], 1, with_object, 1).sense is voler_2
    assert chooser.choose(context, [voler_1, voler_2], 1, without, 1).sense is voler_1
    assert Frame(6, 6, 6).log_share(True) > Frame(6, 6, 0).log_share(True)


def test_frames_file_matches_the_example_bank() -> None:
    """sense_frames.tsv counts the bank's verb examples: re-run
    ``python -m apps.junior.tooling.sense_frames`` after editing sense_examples.tsv."""
    frames = read_frames(FRAMES_PATH)
    verbs = {k: len(v) for k, v in read_examples(EXAMPLES_PATH).items() if "#VERB#" in k}
    assert {k: f.examples for k, f in frames.items()} == verbs
    assert all(0 <= f.with_object <= f.analysed <= f.examples for f in frames.values())


def test_classifier_trained_from_the_bank_is_deterministic_and_cheap() -> None:
    encoder = TableEncoder(
        {
            "Se déplacer dans les airs.": [1, 0, 0, 0],
            "Prendre ce qui appartient à un autre.": [0, 1, 0, 0],
            "L'oiseau vole.": [0.9, 0.1, 0.2, 0],
            "Le voleur a volé le collier.": [0.1, 0.9, 0.2, 0],
        }
    )
    voler_1 = sense(20, "voler", "Se déplacer dans les airs.", 1)
    voler_2 = sense(21, "voler", "Prendre ce qui appartient à un autre.", 2)
    bank = ExampleBank(
        encoder,
        {"voler#VERB#1": ["L'oiseau vole."], "voler#VERB#2": ["Le voleur a volé le collier."]},
    )
    models = [SenseClassifier(bank, DefinitionIndex(encoder)) for _ in range(2)]
    started = time.perf_counter()
    first, second = (m.train([voler_1, voler_2]) for m in models)
    assert time.perf_counter() - started < 1.0
    assert np.array_equal(first[0], second[0])
    assert np.array_equal(first[1], second[1])
    thief = encoder.encode(["Le voleur a volé le collier."])[0]
    assert np.argmax(models[0].log_probabilities([voler_1, voler_2], thief)) == 1
