"""Dictionary candidates of analysed words: one batched query per page, then the rules that
decide which senses a word may get.

Rules, in order (the first that yields senses wins):

1. the word's own part of speech, under its lemma (and the plain verb of a pronominal), then
   under its surface form, then under the form's other lemmas of that part of speech in
   Lexique 3.83 (« tire » → « tirer ») or a guessed first-group infinitive for a verb;
2. an adjective may take the senses of its verb (« volant » → « voler »: *qui vole*) and a
   participle those of its adjective;
3. the other analyses of the form in Lexique 3.83 (« trottine » tagged NOUN → « trottiner »
   VERB), each with its own part of speech, most frequent lemma first (half confidence);
4. a first-group infinitive guessed from the form, verb senses only (half confidence).

Never a sense of another part of speech otherwise, and never a common-noun sense for a proper
noun. A sense whose examples all show it inside an expression (« pomme » → *la pomme de terre*)
is a candidate only when the sentence contains that expression, when the expression is itself
a dictionary entry.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Connection, text

from apps.junior.forms import FormIndex
from apps.junior.nlp import Word

# UPOS → grammatical_cat.name; COMPOUND expressions match any category.
UPOS_TO_GRAM = {
    "NOUN": "nom",
    "VERB": "verbe",
    "AUX": "verbe",
    "ADJ": "adjectif",
    "ADV": "adverbe",
    "PROPN": "nom propre",
    "ADP": "préposition",
    "PRON": "pronom",
    "DET": "déterminent",
    "CCONJ": "conjonction",
    "SCONJ": "conjonction",
    "INTJ": "interjection",
}
GRAM_TO_UPOS = {gram: upos for upos, gram in UPOS_TO_GRAM.items() if upos != "AUX"}

CANDIDATES_SQL = text("""
WITH q AS (
    SELECT DISTINCT x AS lemma, lower(public.unaccent(x)) AS key
    FROM unnest(CAST(:lemmas AS text[])) AS x
), senses AS (
    SELECT m.mot_id, m.mot, m.definition, gc.name::text AS gram, m.niv_diff_id,
           ls.url_sign, ls.url_def, lower(public.unaccent(m.mot)) AS key,
           row_number() OVER (PARTITION BY lower(m.mot), m.gramm_id
                              ORDER BY m.mot_id) AS sense_no
    FROM public.mot m
    LEFT JOIN public.lsf_signe ls ON ls.mot_id = m.mot_id
    LEFT JOIN public.grammatical_cat gc ON gc.gramm_id = m.gramm_id
    WHERE lower(public.unaccent(m.mot)) IN (SELECT key FROM q)
      AND coalesce(m.definition, '') <> ''
)
SELECT q.lemma, s.* FROM q JOIN senses s ON s.key = q.key ORDER BY s.mot_id
""")

EXPRESSIONS_SQL = text("""
SELECT DISTINCT lower(m.mot) AS phrase FROM public.mot m
WHERE m.mot ~ '[ ]' AND coalesce(m.definition, '') <> ''
""")

LEMMAS_SQL = text("""
SELECT DISTINCT lower(m.mot) AS lemma FROM public.mot m WHERE coalesce(m.definition, '') <> ''
""")

# Parts of speech that may lend their senses to a word tagged with the key: an adjective may be
# a participle (« volant » ADJ reads as « voler »); a participle tagged VERB may be used as an
# adjective (« fermée » → « fermé »). A finite verb never takes adjective senses.
ALSO_ALLOWED = {"ADJ": ("VERB",), "VERB": ("ADJ",)}
DETERMINERS = frozenset(
    [
        "le",
        "la",
        "les",
        "l'",
        "un",
        "une",
        "des",
        "du",
        "au",
        "aux",
        "mon",
        "ton",
        "son",
        "ma",
        "ta",
        "sa",
        "mes",
        "tes",
        "ses",
        "ce",
        "cet",
        "cette",
        "ces",
        "notre",
        "votre",
        "leur",
        "nos",
        "vos",
        "leurs",
    ]
)
EXPRESSION_LINK = re.compile(r"^(?:de|d'|du|des|à|au|aux)$")


@dataclass(frozen=True)
class Sense:
    """One dictionary sense (a ``mot`` row) with its sign URL."""

    mot_id: int
    word: str
    definition: str
    gram: str | None
    difficulty: int | None
    url: str
    sense_no: int

    @cached_property
    def bound_to(self) -> tuple[str, ...]:
        """Expressions this sense exists in (« pomme de terre »), when all its examples show one."""
        return bound_expressions(self.word, self.definition, self.gram)

    @property
    def key(self) -> str:
        """Stable sense key ``lemma#UPOS#sense_no`` (as in data/curation/senses.tsv)."""
        upos = GRAM_TO_UPOS.get(self.gram or "", "COMPOUND")
        return f"{self.word.lower()}#{upos}#{self.sense_no}"


def fetch_candidates(conn: Connection, lemmas: Iterable[str]) -> dict[str, list[Sense]]:
    """All senses of every lemma (accent- and case-insensitive), in one query."""
    wanted = sorted({lemma for lemma in lemmas if lemma})
    found: dict[str, list[Sense]] = {lemma: [] for lemma in wanted}
    if not wanted:
        return found
    for row in conn.execute(CANDIDATES_SQL, {"lemmas": wanted}).mappings():
        found[row["lemma"]].append(
            Sense(
                mot_id=row["mot_id"],
                word=row["mot"],
                definition=row["definition"],
                gram=row["gram"],
                difficulty=row["niv_diff_id"],
                url=row["url_sign"] or row["url_def"] or "Non disponible",
                sense_no=int(row["sense_no"]),
            )
        )
    return {lemma: prefer_exact_spelling(lemma, senses) for lemma, senses in found.items()}


def prefer_exact_spelling(lemma: str, senses: list[Sense]) -> list[Sense]:
    """Accents matter when the text has them: « pêche » is not « péché »; else keep all."""
    exact = [s for s in senses if s.word.lower() == lemma.lower()]
    return exact or senses


def filter_by_pos(senses: Sequence[Sense], pos: str) -> list[Sense]:
    """Senses whose category matches the UPOS tag (all of them for COMPOUND)."""
    gram = UPOS_TO_GRAM.get(pos)
    if pos == "COMPOUND" or gram is None:
        return list(senses)
    return [sense for sense in senses if sense.gram == gram]


def fold(value: str) -> str:
    """Lower case without accents, as the SQL ``lower(unaccent(...))``."""
    decomposed = unicodedata.normalize("NFD", value.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def bound_expressions(lemma: str, definition: str, gram: str | None = "nom") -> tuple[str, ...]:
    """« noun de/à noun » phrases (folded) from the examples after ``:``, when every example
    has one. Such a sense is bound to its phrase only when the phrase is a dictionary entry.

    « Légume qui pousse dans la terre : la pomme de terre. » → (« pomme de terre »,);
    « Prendre au hasard : tirer une carte, tirer au sort. » → () (one example is plain).
    """
    if ":" not in definition or " " in lemma or gram != "nom":
        return ()  # verbs take « de »/« à » complements (« rire d'une blague »): not compounds
    examples = [e.strip() for e in re.split(r"[,;]", definition.split(":", 1)[1]) if e.strip()]
    head = fold(lemma)
    found: list[str] = []
    for example in examples:
        words = re.findall(r"[\w'-]+", fold(example).replace("'", "' "))
        words = [w.strip() for w in words]
        phrase = next(
            (
                f"{words[i]} {words[i + 1]} {words[i + 2]}".replace("' ", "'")
                for i in range(len(words) - 2)
                if words[i] in (head, head + "s")
                and EXPRESSION_LINK.match(words[i + 1])
                and words[i + 2] not in DETERMINERS
            ),
            None,
        )
        if phrase is None:
            return ()
        found.append(phrase.replace(f"{head}s ", f"{head} ", 1))
    return tuple(dict.fromkeys(found))


def bound_to(sense: Sense, expressions: frozenset[str]) -> list[str]:
    """The dictionary expressions (folded) this sense exists in, if any."""
    return [phrase for phrase in sense.bound_to if phrase in expressions]


def expression_fits(sense: Sense, sentence: str, expressions: frozenset[str]) -> bool:
    """False for an expression-bound sense whose expression the sentence lacks."""
    phrases = bound_to(sense, expressions)
    if not phrases:
        return True
    folded = " " + " ".join(re.findall(r"[\w'-]+", fold(sentence))) + " "
    head = fold(sense.word)
    return any(
        f" {phrase} " in folded or f" {phrase.replace(head, head + 's', 1)} " in folded
        for phrase in phrases
    )


@dataclass(frozen=True)
class Resolved:
    """A word's candidate senses and how they were found."""

    senses: list[Sense]
    lemma: str | None = None  # the dictionary lemma, when it differs from spaCy's
    pos: str | None = None  # the part of speech of another analysis of the form
    reanalysed: bool = False  # found through another analysis: spaCy's tag was wrong
    other_reading: frozenset[int] = frozenset()  # mot_ids offered from another POS reading


def lemma_keys(word: Word) -> list[str]:
    """spaCy's lemma, then the plain verb of a pronominal (« lever » for « se lever »)."""
    return [k for k in (word.lemma, word.alt_lemma) if k]


def candidate_keys(word: Word, forms: FormIndex) -> list[str]:
    """Every dictionary key a word may be looked up under (one batched query per page)."""
    keys = [*lemma_keys(word), word.text.lower(), word.verb_guess]
    keys += [lemma for lemma, _ in forms(word.text)]
    if word.pos == "COMPOUND":  # « à peine » may be a sense of « peine » (« À peine : … »)
        keys += compound_parts(word)
    return [k for k in dict.fromkeys(keys) if k]


def compound_parts(word: Word) -> list[str]:
    """The words of a compound longer than two letters (« à peine » → « peine »)."""
    return [part for part in word.text.lower().replace("'", " ").split() if len(part) > 2]


def headed_by(word: Word, found: dict[str, list[Sense]]) -> list[Sense]:
    """Senses of a compound's words whose definition starts with the compound (« À peine : … »
    for « à peine »)."""
    wanted = fold(word.text)
    return unique(
        s
        for part in compound_parts(word)
        for s in found.get(part, [])
        if fold(s.definition.partition(" : ")[0]).strip() == wanted
    )


def unique(senses: Iterable[Sense]) -> list[Sense]:
    """Senses without duplicates, first occurrence kept (by mot_id order)."""
    seen: dict[int, Sense] = {}
    for sense in senses:
        seen.setdefault(sense.mot_id, sense)
    return sorted(seen.values(), key=lambda s: s.mot_id)


def in_context(senses: list[Sense], sentence: str, expressions: frozenset[str]) -> list[Sense]:
    """Expression-bound senses only when their expression is there (then only those)."""
    fitting = [s for s in senses if expression_fits(s, sentence, expressions)]
    bound = [s for s in fitting if bound_to(s, expressions)]
    return bound or fitting


def resolve(
    word: Word,
    found: dict[str, list[Sense]],
    forms: FormIndex,
    sentence: str,
    expressions: frozenset[str] = frozenset(),
) -> Resolved:
    """The candidate senses of ``word`` under the module's rules (empty when none apply).

    ``expressions`` are the dictionary's multi-word entries, folded (:func:`fold`).
    """
    if word.pos == "PROPN":
        return Resolved([])  # « Pierre » the name is not « pierre » the stone

    def pool(keys: Iterable[str], pos: str) -> list[Sense]:
        senses = unique(s for key in keys for s in found.get(key, []))
        return in_context(filter_by_pos(senses, pos), sentence, expressions)

    own = lemma_keys(word)
    for keys in (own, [word.text.lower()]):
        if senses := pool(keys, word.pos):
            return Resolved(senses)
    if word.pos == "COMPOUND":
        return Resolved(headed_by(word, found))
    analyses = forms(word.text)
    # spaCy's tag, another lemma (« tire » VERB lemmatised « tire »: Lexique says « tirer »)
    for lemma, upos in analyses:
        if upos == word.pos and lemma != word.lemma and (senses := pool([lemma], upos)):
            return Resolved(senses, lemma)
    if word.pos == "VERB" and word.verb_guess and (senses := pool([word.verb_guess], "VERB")):
        return Resolved(senses, word.verb_guess)
    lent = ALSO_ALLOWED.get(word.pos, ()) if word.pos == "ADJ" or word.participle else ()
    for other in lent:
        for lemma, upos in analyses:
            if upos == other and (senses := pool([lemma], other)):
                return Resolved(senses, lemma if lemma != word.lemma else None)
        if senses := pool(own, other):
            return Resolved(senses)
    # spaCy's tag found nothing: the form's other analyses (« riant » NOUN → « rire » VERB)
    for lemma, upos in analyses:
        if upos != word.pos and (senses := pool([lemma], upos)):
            return Resolved(senses, lemma, upos, reanalysed=True)
    if word.verb_guess and (senses := pool([word.verb_guess], "VERB")):
        return Resolved(senses, word.verb_guess, "VERB", reanalysed=word.pos != "VERB")
    return Resolved([])


# Tag confusions of spaCy's md model on children's sentences: a verb form read as a noun
# (« il porte »), an adjective read as an adverb (« c'est juste »), a sentence-initial imperative
# read as a proper noun (« Mets ta veste »). The other readings of the form in Lexique are offered
# beside spaCy's (at a cost, OTHER_READING_COST in the chooser's score) when the words before
# allow them.
SUBJECT_PRONOUNS = frozenset(
    {"je", "j'", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles", "qui"}
)
COPULAS = frozenset({"être", "devenir", "sembler", "rester", "paraître", "avoir l'air"})
DEGREE_ADVERBS = frozenset(
    {"très", "trop", "si", "aussi", "plus", "moins", "assez", "tout", "vraiment", "tellement"}
)
# Forms spaCy rightly tags PRON even after a copula (« c'est tout », « c'est lui »).
PRONOUN_TEXT = """tout tous toute toutes même mêmes autre autres rien personne moi toi lui elle eux soi
    un une certain certaine certains certaines tel telle tels telles nul nulle aucun aucune
    chacun chacune plusieurs quelqu'un quelque ça cela ceci celui celle ceux celles qui que
    quoi lequel laquelle lesquels lesquelles dont où en y on nous vous je tu il ils elles le
    la les leur leurs mien mienne tien tienne sien sienne nôtre vôtre"""
PRONOUN_FORMS = frozenset(PRONOUN_TEXT.split())
INVERTED_PRONOUNS = frozenset({"je", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles"})
OBJECT_CLITICS = frozenset({"me", "m'", "te", "t'", "se", "s'", "lui", "leur", "nous", "vous"})
CLITICS = frozenset(
    {"le", "la", "les", "l'", "me", "m'", "te", "t'", "se", "s'", "lui", "leur", "y", "en"}
    | {"ne", "n'", "nous", "vous"}
)


def previous_words(words: Sequence[Word], position: int) -> list[str]:
    """Lower-case texts of the alphabetic words before ``position``, nearest first."""
    return [
        w.text.lower().replace("’", "'")
        for w in reversed(words[:position])
        if any(ch.isalpha() for ch in w.text)
    ]


def after_clitics(before: list[str]) -> bool:
    """True when the words before are object clitics after a subject (« il la », « je ne »)."""
    rest = list(before)
    while rest and rest[0] in CLITICS:
        rest.pop(0)
    return bool(rest) and rest[0] in SUBJECT_PRONOUNS and len(rest) < len(before)


def introduces_attribute(previous: Word) -> bool:
    """A copula or an adverb of degree: the next word may be an adjective (« c'est juste »,
    « tu es vraiment drôle »)."""
    return previous.lemma.lower() in COPULAS or previous.text.lower() in DEGREE_ADVERBS


def inverted_subject(words: Sequence[Word], position: int) -> bool:
    """True when a hyphenated subject pronoun follows the word: a verb (« portes-tu »,
    « Puis-je », « dit-il »), whether spaCy keeps the hyphen on the pronoun or apart."""
    after = [w.text.lower() for w in words[position + 1 : position + 3]]
    if after and after[0].startswith("-") and after[0][1:] in INVERTED_PRONOUNS:
        return True
    return len(after) == 2 and after[0] == "-" and after[1] in INVERTED_PRONOUNS


def after_determiner(words: Sequence[Word], position: int) -> bool:
    """True after a determiner, or a determiner or number and one adjective (« un long
    voile », « les deux premiers vers »): the word heads a noun phrase."""
    previous = words[position - 1] if position > 0 else None
    if previous is None:
        return False
    if previous.pos == "DET":
        return True
    return previous.pos == "ADJ" and position > 1 and words[position - 2].pos in ("DET", "NUM")


def other_readings(words: Sequence[Word], position: int) -> tuple[str, ...]:
    """Parts of speech (besides spaCy's) the word at ``position`` may be read as, from the
    words around it: a verb after a subject (« il porte », « Léa serre », « je la serre »), at the
    start (imperative), after « ne » (« Ne coupe pas ») or before a hyphenated subject
    (« portes-tu »); a noun after a determiner (and an adjective); an adjective after a copula or an
    adverb of degree (« c'est juste », « il est très fort ») or for a noun right after a noun (« la
    main droite »); a verb for an adjective in a sentence without one (« Le linge sèche au soleil »)
    or whose parse has no verb at its root (« Le chien court après le facteur ») or after an
    object pronoun (« Maman me sèche les cheveux »); a noun for a verb after a number (« trois
    parties »); a word's other lemmas of the same part of speech (« il vit dans un terrier »:
    « vivre », not only « voir »; « les fils électriques »: « fil », not only « fils »)."""
    word = words[position]
    before = previous_words(words, position)
    if word.pos == "PROPN":  # capitalised at the start of a sentence: « Mets », « Debout »
        initial = not before and word.text[:1].isupper()
        common = word.text[:1].islower()  # a lower-case word taken for a name: « à midi »
        return ("VERB", "NOUN", "ADJ", "ADV") if initial or common else ()
    if word.kind != "lookup":
        return ()
    previous = words[position - 1] if position > 0 else None
    clitics = after_clitics(before)
    determiner = previous is not None and previous.pos in ("DET", "ADP", "NUM") and not clitics
    determiner = determiner or after_determiner(words, position)
    object_clitic = bool(before) and before[0] in OBJECT_CLITICS  # « Maman me sèche … »
    noun_subject = previous is not None and previous.pos in ("NOUN", "PROPN")  # « Léa porte »
    negated = bool(before) and before[0] in ("ne", "n'")
    inverted = inverted_subject(words, position)
    subject = not before or clitics or before[0] in SUBJECT_PRONOUNS or noun_subject
    subject = subject or negated or inverted
    attribute = previous is not None and introduces_attribute(previous)
    after_noun = previous is not None and previous.pos == "NOUN"
    # no verb in the sentence: the adjective after the subject is it (« Le linge sèche au soleil »)
    verbless = bool(before) and not any(w.pos in ("VERB", "AUX") for w in words)
    verb_root = any(w.function == "ROOT" and w.pos in ("VERB", "AUX") for w in words)
    allowed = {
        "NOUN": ("NOUN",)
        + (("VERB",) if subject else ())
        + (("ADJ",) if attribute or after_noun else ()),
        "VERB": ("VERB",) + (("NOUN",) if determiner else ()),
        "ADJ": (("NOUN",) if determiner else ())
        + (("VERB",) if verbless or object_clitic or (noun_subject and not verb_root) else ()),
        "ADV": ("ADJ",) + (("NOUN",) if determiner else ()) + (("VERB",) if inverted else ()),
    }
    return allowed.get(word.pos, ())


# Words that open a noun phrase or stand for an object: after a sentence's first word they make
# it a verb (« Coupe les légumes », « Range ta chambre »); a noun does not start a sentence bare.
OBJECT_STARTS = frozenset(
    {"le", "la", "les", "l'", "un", "une", "des", "du", "mon", "ma", "mes", "ton", "ta", "tes"}
    | {"son", "sa", "ses", "notre", "votre", "nos", "vos", "leur", "leurs", "ce", "cet", "cette"}
    | {"ces"}
)


def imperative_start(words: Sequence[Word], position: int) -> bool:
    """True for a sentence's first word tagged NOUN or ADJ right before a determiner or a
    hyphenated pronoun: an imperative (« Coupe les légumes », « Presse-toi »), and for such a
    word before a hyphenated subject (« Pourquoi portes-tu … ? »), so its verb reading should win
    over spaCy's."""
    word = words[position]
    if word.pos in ("NOUN", "ADJ") and inverted_subject(words, position):
        return True
    if word.pos not in ("NOUN", "ADJ") or previous_words(words, position):
        return False
    following = [w.text.lower().replace("’", "'") for w in words[position + 1 : position + 2]]
    # « Presse-toi » comes as « Presse », « - », « toi »
    return bool(following) and (following[0] in OBJECT_STARTS or following[0].startswith("-"))


def misread_function_word(
    words: Sequence[Word], position: int, forms: FormIndex
) -> tuple[str, ...]:
    """Readings of a word spaCy took for a function word, when Lexique has them for the form: a
    noun after a determiner or a number, or a determiner and an adjective (« des vers », « quatre
    vers », « les deux premiers vers »), a noun for a determiner after an article (« le son »,
    « du son »), a verb before a hyphenated subject (« Puis-je »), the content readings of a word
    tagged X (« Range tes jouets »), an adjective after a copula or an adverb of degree (« tu es
    vraiment drôle » tagged PRON), and a number's adjective entry (« neuf » the number)."""
    word = words[position]
    determiner = word.kind == "context" and word.pos == "DET"  # « le son des cloches »
    if not (word.kind == "grammar" or determiner) or not word.text[:1].isalpha():
        return ()
    analyses = {upos for _, upos in forms(word.text)}
    if word.pos == "NUM" and "ADJ" in analyses:  # the dictionary files numbers as adjectives
        return ("ADJ",)
    if word.pos == "X":  # « Range tes jouets » tagged X
        return tuple(p for p in ("VERB", "NOUN", "ADJ", "ADV") if p in analyses)
    if inverted_subject(words, position) and "VERB" in analyses:  # « Puis-je »
        return ("VERB",)
    if position == 0:
        return ()
    previous = words[position - 1]
    noun_phrase = previous.pos in ("DET", "NUM") or after_determiner(words, position)
    if word.pos == "ADP" and noun_phrase and "NOUN" in analyses:  # « de jolis vers »
        return ("NOUN",)
    article = previous.pos == "DET" or previous.text.lower() in ("du", "des", "au", "aux")
    if determiner and article and "NOUN" in analyses:  # « le son », « du son »
        return ("NOUN",)
    if word.pos == "PRON" and introduces_attribute(previous) and "ADJ" in analyses:
        return () if word.text.lower() in PRONOUN_FORMS else ("ADJ",)
    return ()


def with_other_readings(
    resolved: Resolved,
    word: Word,
    readings: Sequence[str],
    found: dict[str, list[Sense]],
    forms: FormIndex,
    sentence: str,
    expressions: frozenset[str] = frozenset(),
) -> Resolved:
    """``resolved`` plus the senses of the form's other analyses under ``readings`` (the
    same lemma under another POS too: « fort » ADV → « fort » ADJ)."""
    if not readings or resolved.reanalysed:
        return resolved
    have = {s.mot_id for s in resolved.senses}
    lemmas = [(lemma, upos) for lemma, upos in forms(word.text) if upos in readings]
    lemmas += [(key, pos) for key in (word.lemma.lower(), word.text.lower()) for pos in readings]
    extra: list[Sense] = []
    for lemma, upos in dict.fromkeys(lemmas):
        senses = filter_by_pos(found.get(lemma, []), upos)
        extra += [s for s in in_context(senses, sentence, expressions) if s.mot_id not in have]
    extra = unique(extra)
    if not extra:
        return resolved
    return Resolved(
        resolved.senses + extra,
        resolved.lemma,
        resolved.pos,
        resolved.reanalysed,
        frozenset(s.mot_id for s in extra),
    )


def dictionary_expressions(conn: Connection) -> list[str]:
    """The dictionary's multi-word entries (« pomme de terre »), matched as one token."""
    return [str(row.phrase) for row in conn.execute(EXPRESSIONS_SQL)]


def dictionary_lemmas(conn: Connection) -> list[str]:
    """Every lemma with a definition (to keep only useful form analyses in memory)."""
    return [str(row.lemma) for row in conn.execute(LEMMAS_SQL)]
