"""The frozen independent evaluation set stays frozen and apart from the method's data."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from apps.junior.sense_choice import EXAMPLES_PATH, read_examples
from apps.junior.tooling.independent_eval import (
    HELD_OUT_SET,
    HELD_OUT_SHA256,
    INDEPENDENT_SET,
    INDEPENDENT_SHA256,
    THIRD_SET,
    THIRD_SHA256,
    accepted,
    load_independent_set,
)


def test_independent_sets_are_unchanged() -> None:
    """Anyone editing a frozen file fails here (make a new versioned file instead)."""
    assert hashlib.sha256(INDEPENDENT_SET.read_bytes()).hexdigest() == INDEPENDENT_SHA256
    assert hashlib.sha256(HELD_OUT_SET.read_bytes()).hexdigest() == HELD_OUT_SHA256
    assert hashlib.sha256(THIRD_SET.read_bytes()).hexdigest() == THIRD_SHA256


@pytest.mark.parametrize(
    ("path", "sentences", "lemmas"), [(HELD_OUT_SET, 596, 130), (THIRD_SET, 602, 148)]
)
def test_held_out_set_shape(path: Path, sentences: int, lemmas: int) -> None:
    """Its size; a null key only for a meaning the dictionary lacks, and every sentence of one
    meaning has the same accepted keys (labels were given per meaning)."""
    items = load_independent_set(path)
    assert len(items) == sentences
    assert len({item["lemma"] for item in items}) == lemmas
    per_meaning: dict[tuple[str, str, str], set[frozenset[str]]] = {}
    for item in items:
        assert (item["sense_key"] is None) == (item.get("note") == "no_sense")
        assert item["form"] in item["sentence"]
        meaning = (item["lemma"], item["pos"], item["meaning"])
        per_meaning.setdefault(meaning, set()).add(frozenset(accepted(item)))
    assert all(len(keys) == 1 for keys in per_meaning.values())


def test_accepted_keys() -> None:
    """The label, plus ``also`` for a meaning two senses fit; nothing for a dictionary gap."""
    assert accepted({"sense_key": "a#NOUN#1", "also": "a#NOUN#2"}) == {"a#NOUN#1", "a#NOUN#2"}
    assert accepted({"sense_key": "a#NOUN#1", "also": ["a#NOUN#3"]}) == {"a#NOUN#1", "a#NOUN#3"}
    assert accepted({"sense_key": None, "note": "no_sense"}) == set()


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
    """No example of the bank is (nearly) a sentence of an independent set: word sets that
    share 70 % or more count as the same sentence."""
    sentences = [
        words(json.loads(line)["sentence"])
        for path in (INDEPENDENT_SET, HELD_OUT_SET, THIRD_SET)
        for line in path.open()
    ]
    examples = [words(s) for rows in read_examples(EXAMPLES_PATH).values() for s in rows]
    assert len(examples) > 300, "the example bank is (nearly) empty"
    close = [
        (sorted(e), sorted(s))
        for e in examples
        for s in sentences
        if len(e & s) / len(e | s) >= 0.7
    ]
    assert not close
