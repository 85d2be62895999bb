"""The writers' merge (python -m data.build.merge_curation): append-only, validated, re-runnable."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.build.curation import load_senses
from data.build.merge_curation import merge
from data.build.safety import BLOCKLIST_PATH

HEADER = "lemma\tpos\tsense_no\tdefinition\tniv_diff\tthemes\n"
WRITER_HEADER = "lemma\tpos\tsense_no\tdefinition\tthemes\n"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    senses = tmp_path / "senses.tsv"
    senses.write_text(
        HEADER + "lune\tNOUN\t1\tAstre qui brille la nuit dans le ciel.\t\tnature\n",
        encoding="utf-8",
    )
    blocklist = tmp_path / "blocklist.tsv"
    blocklist.write_text(BLOCKLIST_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    return senses, blocklist


def writer(tmp_path: Path, name: str, *rows: str, header: str = WRITER_HEADER) -> Path:
    path = tmp_path / name
    path.write_text(header + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def keys(path: Path) -> dict[str, str]:
    return {s.key: s.definition for s in load_senses(path)}


def test_rows_are_validated_appended_and_a_rerun_adds_nothing(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    senses, blocklist = files
    before = senses.read_text(encoding="utf-8")
    defs = writer(
        tmp_path,
        "defs.tsv",
        "lune\tNOUN\t2\tcroissant de lune : forme de la lune quand on n'en voit qu'un bout\tcontes",
        "mare\tNOUN\t1\tPetite étendue d'eau où vivent des grenouilles.\tmare, basique",
        "fée\tNOUN\t1\tFemme magique des contes : la [[fée]].\tcontes",  # markup: dropped
        "putain\tNOUN\t1\tUn mot grossier.\t",  # blocklisted word: dropped
        "sorcière\tNOM\t1\tFemme qui fait de la magie.\t",  # bad POS: dropped
        "chat\tNOUN\t1\t" + "mot " * 31 + "long.\tanimaux",  # too long: dropped
    )
    report = merge([defs], senses, blocklist, frozen=None)
    after = senses.read_text(encoding="utf-8")
    assert after.startswith(before)  # append-only
    found = keys(senses)
    assert found["lune#NOUN#1"] == "Astre qui brille la nuit dans le ciel."
    assert found["lune#NOUN#2"].startswith("Croissant de lune")  # capital + full stop fixed
    assert found["lune#NOUN#2"].endswith(".")
    assert "mare#NOUN#1" in found
    assert len(report.dropped) == 4
    themes = {s.key: s.themes for s in load_senses(senses)}
    assert themes["mare#NOUN#1"] == ("ferme/la mare",)
    assert themes["lune#NOUN#2"] == ("contes/contes et magie",)
    again = merge([defs], senses, blocklist, frozen=None)
    assert again.added == 0
    assert senses.read_text(encoding="utf-8") == after


def test_published_keys_never_change_but_unpublished_rows_may_be_revised(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    senses, blocklist = files
    published = {("lune", "NOUN", 1)}
    first = writer(tmp_path, "a.tsv", "mare\tNOUN\t1\tPetite étendue d'eau.\t")
    merge([first], senses, blocklist, frozen=published)
    revised = writer(
        tmp_path,
        "b.tsv",
        "mare\tNOUN\t1\tPetite étendue d'eau dormante où vivent des grenouilles.\t",
        "lune\tNOUN\t1\tSatellite de la Terre.\t",
        "lune\tNOUN\t4\tÊtre dans la lune : rêver.\t",
    )
    report = merge([revised], senses, blocklist, frozen=published)
    found = keys(senses)
    assert found["mare#NOUN#1"].startswith("Petite étendue d'eau dormante")  # revised
    assert found["lune#NOUN#1"] == "Astre qui brille la nuit dans le ciel."  # published: kept
    assert len(report.conflicts) == 1
    assert "lune#NOUN#2" in found  # the writer's gap (4) becomes the next free number
    assert "lune#NOUN#4" not in found
    assert report.renumbered


def test_unfit_words_go_to_the_blocklist_unless_they_have_hand_senses(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    senses, blocklist = files
    unfit = writer(
        tmp_path,
        "unfit.tsv",
        "revient\tNOUN\tverb form tagged as a noun",
        "lune\tNOUN\tnot for children",
        "lune\tADJ\ta rare adjective",
        header="lemma\tpos\treason\n",
    )
    report = merge([unfit], senses, blocklist, frozen=None)
    text = blocklist.read_text(encoding="utf-8")
    assert "lemma\trevient#NOUN\t" in text
    assert "lune#NOUN" not in text  # hand-written senses: left for a human
    assert "lemma\tlune#ADJ\t" in text  # another POS of the word may go
    assert len(report.unfit_refused) == 1


def test_the_first_file_keeps_its_row_on_every_rerun(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    """A primary writer's row is not revised by a later file of the same run (no flip-flop)."""
    senses, blocklist = files
    primary = writer(tmp_path, "defs.tsv", "mare\tNOUN\t1\tPetite étendue d'eau dormante.\t")
    other = writer(tmp_path, "overlap.tsv", "mare\tNOUN\t1\tFlaque d'eau de la ferme.\t")
    for _ in range(3):
        report = merge([primary, other], senses, blocklist, frozen=set())
        assert keys(senses)["mare#NOUN#1"] == "Petite étendue d'eau dormante."
        assert not report.revised
