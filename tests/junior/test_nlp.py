"""French analysis: placeholders' word kinds, pronominal verbs, participles, expressions."""

from __future__ import annotations

from apps.junior.nlp import guess_infinitive, word_kind
from apps.junior.pipeline import JuniorPipeline


def analysed(pipeline: JuniorPipeline, text: str) -> dict[str, object]:
    return {w.text: w for s in pipeline.analyzer.analyse(text) for w in s.words}


def test_sentences_tokens_and_kinds(pipeline: JuniorPipeline) -> None:
    sentences = pipeline.analyzer.analyse("Le loup a faim. Il mange dans la forêt !")
    assert [s.text for s in sentences] == ["Le loup a faim.", "Il mange dans la forêt !"]
    words = {w.text: w for s in sentences for w in s.words}
    assert words["Le"].kind == "context"
    assert words["la"].kind == "context"
    assert words["Il"].kind == "grammar"
    assert words["!"].kind == "grammar"
    assert words["loup"].kind == "lookup"
    assert words["loup"].pos == "NOUN"
    assert words["dans"].kind == "lookup"  # signed preposition
    assert words["mange"].lemma == "manger"


def test_pronominal_verbs_carry_se(pipeline: JuniorPipeline) -> None:
    words = analysed(pipeline, "Le renard s'enfuit et Léa se lève.")
    assert words["enfuit"].lemma == "s'enfuir"
    assert words["enfuit"].alt_lemma == "enfuir"
    assert words["lève"].lemma == "se lever"
    assert words["lève"].alt_lemma == "lever"


def test_past_participles_after_auxiliary(pipeline: JuniorPipeline) -> None:
    words = analysed(pipeline, "Les enfants sont partis dans la forêt. Il a mangé une pomme.")
    assert (words["partis"].pos, words["partis"].lemma) == ("VERB", "partir")
    assert words["partis"].function == "participe passé"
    assert words["mangé"].function == "participe passé"


def test_expressions_become_one_compound(pipeline: JuniorPipeline) -> None:
    words = analysed(pipeline, "Tout à coup, il court jusqu'à la rivière.")
    assert words["Tout à coup"].pos == "COMPOUND"
    assert words["Tout à coup"].function == "locution"
    assert words["jusqu'à"].pos == "COMPOUND"
    assert "coup" not in words


def test_kinds_and_infinitive_guess() -> None:
    assert word_kind("des", "DET") == "context"
    assert word_kind("et", "CCONJ") == "grammar"
    assert word_kind("sur", "ADP") == "lookup"
    assert guess_infinitive("frappent") == "frapper"
    assert guess_infinitive("monte") == "monter"
    assert guess_infinitive("va") is None


def test_direct_objects_are_marked(pipeline: JuniorPipeline) -> None:
    """The transitivity cue of the sense choice reads it: « voler » with an object = steal."""
    words = analysed(pipeline, "Le renard a volé les œufs de la poule.")
    assert words["volé"].has_object
    words = analysed(pipeline, "Les hirondelles volent au-dessus du lac.")
    assert not words["volent"].has_object


def test_imperatives_with_a_hyphenated_pronoun_are_split(pipeline: JuniorPipeline) -> None:
    """« Passe-moi » came out of spaCy as one PUNCT token, so « passer » was never looked up."""
    words = analysed(pipeline, "Passe-moi le sel, s'il te plaît.")
    assert words["Passe"].lemma == "passer"
    words = analysed(pipeline, "Il a un rendez-vous et un porte-monnaie.")
    assert "rendez-vous" in words
    assert "porte-monnaie" in words
