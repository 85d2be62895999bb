"""tooling/example_merge.py: the writers' examples enter the bank only when well formed, keyed
by a dictionary sense and far from every evaluation sentence; re-running replaces, never doubles."""

from __future__ import annotations

import json
from pathlib import Path

from apps.junior.sense_choice import example_writers, read_examples
from apps.junior.tooling.example_merge import merge
from apps.junior.tooling.independent_eval import INDEPENDENT_SET


def test_merge_filters_and_is_idempotent(tmp_path: Path) -> None:
    bank = tmp_path / "bank.tsv"
    bank.write_text("# old header\nvoler#VERB#1\tL'oiseau vole au-dessus du pré.\n", "utf-8")
    eval_sentence = json.loads(INDEPENDENT_SET.open(encoding="utf-8").readline())["sentence"]
    source = tmp_path / "ex-1.tsv"
    source.write_text(
        "\n".join(
            [
                "voler#VERB#2\tLa pie a volé la bague brillante de maman.",
                "voler#VERB#2 no tab here",
                "nosuchword#NOUN#1\tUne phrase avec un mot inconnu du dictionnaire.",
                f"voler#VERB#1\t{eval_sentence}",
                "voler#VERB#2\tLa pie a volé la bague brillante de maman.",
            ]
        )
        + "\n",
        "utf-8",
    )
    counts = merge([source], bank)
    assert counts["accepted w1"] == 1
    assert counts["malformed"] == 1
    assert counts["unknown key"] == 1
    assert counts["close to an eval sentence"] == 1
    assert counts["duplicate"] == 1
    merge([source], bank)  # again: the writer's rows are replaced, not added twice
    examples = read_examples(bank)
    assert examples["voler#VERB#2"] == ["La pie a volé la bague brillante de maman."]
    assert examples["voler#VERB#1"] == ["L'oiseau vole au-dessus du pré."]
    assert example_writers(bank) == ["", "w1"]
    assert not bank.read_text("utf-8").startswith("# old header")
