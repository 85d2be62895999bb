"""The frozen independent evaluation set stays frozen and apart from the method's data."""

from __future__ import annotations

import hashlib
import json
import re

from apps.junior.sense_choice import EXAMPLES_PATH, read_examples
from apps.junior.tooling.independent_eval import (
    INDEPENDENT_SET,
    INDEPENDENT_SHA256,
    load_independent_set,
)


def test_independent_set_is_unchanged() -> None:
    """Anyone editing the frozen file fails here (make a new versioned file instead)."""
    digest = hashlib.sha256(INDEPENDENT_SET.read_bytes()).hexdigest()
    assert digest == INDEPENDENT_SHA256


def test_independent_set_shape() -> None:
    """1,066 labelled lines, each with its form inside the sentence and a well-formed key."""
    items = load_independent_set()
    assert len(items) == 1066
    assert len({item["lemma"] for item in items}) == 258
    for item in items:
        lemma, pos, number = item["sense_key"].rsplit("#", 2)
        assert lemma
        assert pos in {"NOUN", "VERB", "ADJ", "ADV"}
        assert number.isdigit()
        assert item["form"].split()[-1].split("'")[-1] in item["sentence"]


def words(sentence: str) -> frozenset[str]:
    """The sentence's lower-case words."""
    return frozenset(re.findall(r"[a-zà-ÿœæ]+", sentence.lower()))


def test_no_eval_sentence_in_the_example_bank() -> None:
    """No example of the bank is (nearly) a sentence of the independent set: word sets that
    share 70 % or more count as the same sentence."""
    sentences = [words(json.loads(line)["sentence"]) for line in INDEPENDENT_SET.open()]
    examples = [words(s) for rows in read_examples(EXAMPLES_PATH).values() for s in rows]
    assert len(examples) > 300, "the example bank is (nearly) empty"
    close = [
        (sorted(e), sorted(s))
        for e in examples
        for s in sentences
        if len(e & s) / len(e | s) >= 0.7
    ]
    assert not close
