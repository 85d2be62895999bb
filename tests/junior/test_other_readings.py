"""Issue 11 item 1: the other readings of a form that spaCy's md model confuses (a verb read as a
noun, an imperative read as a proper noun, an adjective read as an adverb) are offered beside
spaCy's reading, at a cost, only where the words before allow them."""

from __future__ import annotations

import numpy as np

from apps.junior.candidates import (
    Resolved,
    Sense,
    imperative_start,
    misread_function_word,
    other_readings,
    with_other_readings,
)
from apps.junior.forms import FormIndex
from apps.junior.nlp import Word
from apps.junior.senses import DefinitionIndex, SenseChooser
from apps.junior.vectors import l2_normalise


def w(text: str, pos: str, lemma: str | None = None, function: str = "dep") -> Word:
    kind = "context" if pos == "DET" else "lookup"
    return Word(text, lemma or text.lower(), pos, function, kind)


def sense(mot_id: int, word: str, gram: str) -> Sense:
    return Sense(mot_id, word, f"{word} {gram} {mot_id}", gram, 1, "u", 1)


def test_a_noun_after_a_subject_may_be_a_verb_never_after_a_determiner() -> None:
    il_porte = [w("Il", "PRON", "il"), w("porte", "NOUN")]
    assert "VERB" in other_readings(il_porte, 1)
    la_porte = [w("Ouvre", "VERB", "ouvrir"), w("la", "DET", "le"), w("porte", "NOUN")]
    assert "VERB" not in other_readings(la_porte, 2)
    # « la » read as a determiner is a clitic after a subject: « il la serre »
    il_la_serre = [w("Il", "PRON", "il"), w("la", "DET", "le"), w("serre", "NOUN")]
    assert "VERB" in other_readings(il_la_serre, 2)
    # a noun subject before: « Léa porte une robe »
    lea = [w("Léa", "PROPN", "Léa"), w("porte", "NOUN"), w("une", "DET", "un")]
    assert "VERB" in other_readings(lea, 1)
    # a noun in the middle of a sentence after an adjective stays a noun
    grande = [w("une", "DET", "un"), w("grande", "ADJ", "grand"), w("porte", "NOUN")]
    assert other_readings(grande, 2) == ("NOUN",)  # only the form's other noun lemmas


def test_a_capitalised_first_word_tagged_propn_may_be_an_imperative() -> None:
    mets = [w("Mets", "PROPN", "Mets"), w("ta", "DET", "ton"), w("veste", "NOUN")]
    assert "VERB" in other_readings(mets, 0)
    pierre = [w("Demain", "ADV", "demain"), w("Pierre", "PROPN", "Pierre")]
    assert other_readings(pierre, 1) == ()  # a name mid-sentence stays a name


def test_adjective_readings_after_a_copula_or_for_an_adverb() -> None:
    est_juste = [w("C'", "PRON", "ce"), w("est", "AUX", "être"), w("juste", "ADV")]
    assert "ADJ" in other_readings(est_juste, 2)
    noun = [w("Il", "PRON", "il"), w("est", "AUX", "être"), w("fort", "NOUN")]
    assert "ADJ" in other_readings(noun, 2)
    after_det = [w("le", "DET"), w("fort", "NOUN")]
    assert "ADJ" not in other_readings(after_det, 1)


def test_other_readings_are_added_and_marked() -> None:
    found = {"porte": [sense(1, "porte", "nom")], "porter": [sense(2, "porter", "verbe")]}
    forms = FormIndex({"porte": (("porte", "NOUN"), ("porter", "VERB"))})
    own = Resolved([found["porte"][0]])
    got = with_other_readings(own, w("porte", "NOUN"), ("VERB",), found, forms, "il porte")
    assert [s.mot_id for s in got.senses] == [1, 2]
    assert got.other_reading == frozenset({2})
    assert with_other_readings(own, w("porte", "NOUN"), (), found, forms, "la porte") is own


def test_the_cost_keeps_spacy_reading_on_a_tie() -> None:
    class Encoder:
        name, dim, model_hash = "fixed", 4, "fixed-v1"

        def encode(self, texts: list[str]) -> np.ndarray:
            return np.zeros((len(texts), 4), np.float32)

    index = DefinitionIndex(Encoder())
    index.set([1, 2], np.tile(l2_normalise(np.ones((1, 4))), (2, 1)))  # same definition vector
    chooser = SenseChooser(index, difficulty_weight=0.0)
    noun, verb = sense(1, "porte", "nom"), sense(2, "porter", "verbe")
    context = index.matrix[0]
    assert chooser.choose(context, [verb, noun], 1, costs=[0.1, 0.0]).sense is noun
    assert chooser.choose(context, [noun, verb], 1, costs=[0.1, 0.0]).sense is verb


def grammar(text: str, pos: str, lemma: str | None = None) -> Word:
    return Word(text, lemma or text.lower(), pos, "dep", "grammar")


def test_a_lower_case_word_tagged_propn_is_read_as_a_common_word() -> None:
    a_midi = [w("à", "ADP"), w("midi", "PROPN", "midi")]
    assert "NOUN" in other_readings(a_midi, 1)
    leo = [w("avec", "ADP"), w("Léo", "PROPN", "Léo")]
    assert other_readings(leo, 1) == ()


def test_function_words_spacy_mistagged_get_their_noun_or_adjective_reading() -> None:
    forms = FormIndex(
        {
            "vers": (("vers", "NOUN"),),
            "drôle": (("drôle", "ADJ"),),
            "tout": (("tout", "ADJ"),),
            "neuf": (("neuf", "ADJ"),),
        }
    )
    assert misread_function_word([w("J'", "PRON"), grammar("neuf", "NUM")], 1, forms) == ("ADJ",)
    des_vers = [w("des", "DET", "un"), grammar("vers", "ADP")]
    assert misread_function_word(des_vers, 1, forms) == ("NOUN",)
    quatre_vers = [w("quatre", "NUM"), grammar("vers", "ADP")]
    assert misread_function_word(quatre_vers, 1, forms) == ("NOUN",)
    jolis_vers = [w("de", "DET"), w("jolis", "ADJ", "joli"), grammar("vers", "ADP")]
    assert misread_function_word(jolis_vers, 2, forms) == ("NOUN",)
    pret_vers = [w("est", "AUX", "être"), w("prêt", "ADJ"), grammar("vers", "ADP")]
    assert misread_function_word(pret_vers, 2, forms) == ()
    va_vers = [w("va", "VERB", "aller"), grammar("vers", "ADP")]
    assert misread_function_word(va_vers, 1, forms) == ()  # the preposition
    drole = [w("es", "AUX", "être"), w("vraiment", "ADV"), grammar("drôle", "PRON")]
    assert misread_function_word(drole, 2, forms) == ("ADJ",)
    tout = [w("C'", "PRON", "ce"), w("est", "AUX", "être"), grammar("tout", "PRON")]
    assert misread_function_word(tout, 2, forms) == ()  # « c'est tout »: a pronoun


def test_a_misread_function_word_gets_a_sense_in_the_response() -> None:
    """The pipeline shows the sense chosen for « des vers », not the grammar placeholder."""
    from apps.junior.pipeline import word_entry
    from apps.junior.senses import Choice, Linked

    vers = sense(5, "vers", "nom")
    entry = word_entry(grammar("vers", "ADP"), Linked(Choice(vers, 0.5), "vers", "NOUN"))
    assert entry["definition"] == vers.definition
    assert entry["pos"] == "NOUN"
    plain = word_entry(grammar("de", "ADP"), Linked(None))
    assert plain["definition"] == "Mot grammatical"


def test_a_first_word_before_a_determiner_is_an_imperative() -> None:
    coupe = [w("Coupe", "NOUN", "coupe"), w("les", "DET", "le"), w("légumes", "NOUN")]
    assert imperative_start(coupe, 0)
    presse_toi = [w("Presse", "NOUN", "presse"), w("-", "PROPN"), w("toi", "NOUN")]
    assert imperative_start(presse_toi, 0)
    la_coupe = [w("La", "DET", "le"), w("coupe", "NOUN"), w("est", "AUX", "être")]
    assert not imperative_start(la_coupe, 1)  # not the first word
    coupe_du_monde = [w("Coupe", "NOUN", "coupe"), w("géante", "ADJ")]
    assert not imperative_start(coupe_du_monde, 0)
    verb = [w("Range", "VERB", "ranger"), w("ta", "DET", "ton"), w("chambre", "NOUN")]
    assert not imperative_start(verb, 0)  # spaCy already reads a verb


def test_for_an_imperative_the_noun_senses_pay_the_cost() -> None:
    from apps.junior.senses import SenseLinker

    noun, verb = sense(1, "coupe", "nom"), sense(2, "couper", "verbe")
    resolved = Resolved([noun, verb], other_reading=frozenset({2}))
    assert SenseLinker.costly(verb, resolved, verb_first=False)
    assert not SenseLinker.costly(noun, resolved, verb_first=False)
    assert SenseLinker.costly(noun, resolved, verb_first=True)
    assert not SenseLinker.costly(verb, resolved, verb_first=True)


def test_an_adjective_in_a_sentence_without_a_verb_may_be_the_verb() -> None:
    linge = [w("Le", "DET", "le"), w("linge", "NOUN"), w("sèche", "ADJ", "sec"), w("vite", "ADV")]
    assert "VERB" in other_readings(linge, 2)
    robe = [w("Elle", "PRON", "elle"), w("porte", "VERB", "porter", "ROOT"), w("une", "DET", "un")]
    robe += [w("robe", "NOUN"), w("sèche", "ADJ", "sec")]
    assert "VERB" not in other_readings(robe, 4)
    # a verb elsewhere, but the parse's root is the noun: « Le chien court après le facteur
    # en aboyant »
    chien = [w("Le", "DET", "le"), w("chien", "NOUN", function="ROOT"), w("court", "ADJ")]
    chien += [w("après", "ADP"), w("le", "DET", "le"), w("facteur", "NOUN")]
    chien += [w("en", "ADP"), w("aboyant", "VERB", "aboyer", "acl")]
    assert "VERB" in other_readings(chien, 2)


def test_verb_readings_after_ne_and_before_a_hyphenated_subject() -> None:
    ne_coupe = [w("Ne", "ADV", "ne"), w("coupe", "NOUN"), w("pas", "ADV")]
    assert "VERB" in other_readings(ne_coupe, 1)
    portes_tu = [w("Pourquoi", "ADV"), w("portes", "NOUN", "porte"), w("-", "PUNCT")]
    portes_tu += [w("tu", "NOUN")]
    assert "VERB" in other_readings(portes_tu, 1)
    assert imperative_start(portes_tu, 1)  # the verb reading wins, as for an imperative
    glued = [w("Pourquoi", "ADV"), w("portes", "NOUN", "porte"), w("-tu", "PRON", "tu")]
    assert imperative_start(glued, 1)
    des_portes = [w("des", "DET", "un"), w("portes", "NOUN", "porte"), w("-", "PUNCT")]
    des_portes += [w("fenêtres", "NOUN")]
    assert "VERB" not in other_readings(des_portes, 1)
    assert not imperative_start(des_portes, 1)


def test_noun_readings_after_a_determiner_and_an_adjective() -> None:
    voile = [w("un", "DET", "un"), w("long", "ADJ"), w("voile", "ADJ", "voil")]
    assert "NOUN" in other_readings(voile, 2)
    chante = [w("Léa", "PROPN", "Léa"), w("chante", "VERB", "chanter")]
    assert "NOUN" not in other_readings(chante, 1)
    assert "VERB" in other_readings(chante, 1)  # another verb lemma of the form may be meant


def test_a_noun_right_after_a_noun_may_be_its_adjective() -> None:
    main_droite = [w("la", "DET", "le"), w("main", "NOUN"), w("droite", "NOUN")]
    assert "ADJ" in other_readings(main_droite, 2)
    trois_parties = [w("trois", "NUM"), w("parties", "VERB", "partir")]
    assert "NOUN" in other_readings(trois_parties, 1)
    me_seche = [w("Maman", "NOUN"), w("me", "PRON"), w("sèche", "ADJ", "sec")]
    assert "VERB" in other_readings(me_seche, 2)
    la_seche = [w("Il", "PRON"), w("prend", "VERB", "prendre", "ROOT"), w("la", "DET", "le")]
    la_seche += [w("sèche", "ADJ", "sec")]
    assert "VERB" not in other_readings(la_seche, 3)  # « la » before an adjective: a determiner
    la_droite = [w("à", "ADP"), w("la", "DET", "le"), w("droite", "NOUN")]
    assert "ADJ" not in other_readings(la_droite, 2)


def test_more_function_words_spacy_mistagged() -> None:
    forms = FormIndex(
        {
            "son": (("son", "NOUN"),),
            "vers": (("vers", "NOUN"),),
            "puis": (("pouvoir", "VERB"),),
            "range": (("ranger", "VERB"),),
        }
    )
    le_son = [w("le", "DET", "le"), w("son", "DET", "son")]
    assert misread_function_word(le_son, 1, forms) == ("NOUN",)
    du_son = [grammar("du", "ADP"), w("son", "DET", "son")]
    assert misread_function_word(du_son, 1, forms) == ("NOUN",)
    son_frere = [grammar("de", "ADP"), w("son", "DET", "son"), w("frère", "NOUN")]
    assert misread_function_word(son_frere, 1, forms) == ()  # the possessive
    premiers = [w("les", "DET", "le"), grammar("deux", "NUM"), w("premiers", "ADJ", "premier")]
    assert misread_function_word([*premiers, grammar("vers", "ADP")], 3, forms) == ("NOUN",)
    puis_je = [grammar("Puis", "CCONJ"), grammar("-je", "PRON")]
    assert misread_function_word(puis_je, 0, forms) == ("VERB",)
    puis = [grammar("puis", "CCONJ"), w("il", "PRON")]
    assert misread_function_word(puis, 0, forms) == ()  # « puis » = then
    assert misread_function_word([grammar("Range", "X"), w("tes", "DET")], 0, forms) == ("VERB",)


def test_a_kept_expression_without_an_entry_takes_the_sense_it_heads() -> None:
    """« à peine » (kept as one word by the analyser) is the sense « À peine : … » of « peine »."""
    from apps.junior.candidates import candidate_keys, headed_by, resolve

    sadness = Sense(1, "peine", "Tristesse que l'on ressent.", "nom", 1, "u", 1)
    barely = Sense(2, "peine", "À peine : presque pas, très peu.", "nom", 1, "u", 2)
    word = Word("à peine", "à peine", "COMPOUND", "locution", "lookup")
    assert "peine" in candidate_keys(word, FormIndex({}))
    found = {"peine": [sadness, barely], "à peine": []}
    assert headed_by(word, found) == [barely]
    assert resolve(word, found, FormIndex({}), "On voit à peine la lune.").senses == [barely]
