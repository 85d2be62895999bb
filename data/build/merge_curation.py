"""Merge hand-written sense files into data/curation/senses.tsv (append-only) and unfit lists
into data/curation/blocklist.tsv.

``python -m data.build.merge_curation FILE...`` — each FILE is a TSV with either the columns
``lemma, pos, sense_no, definition, themes`` (new senses) or ``lemma, pos, reason`` (words judged
unfit for children). Safe to re-run on the same, grown files: a row whose lemma, POS and
definition are already in senses.tsv is skipped, so only new rows are appended.

Rules (a row breaking one is dropped and reported, never half-merged):
- published rows (keys of senses.tsv at FROZEN_AT) are never changed or renumbered; a new
  sense gets the writer's number when it is the next free one for its lemma and POS, else the
  next free number (reported);
- a writer's key that holds another definition is a revision when the row is not published
  yet and no earlier file of this run wrote it (files are read in the order given: put the
  primary writers first); otherwise a conflict, skipped and reported;
- POS in NOUN/VERB/ADJ/ADV/ADP; no markup or tabs; at most MAX_WORDS words; child-safe
  (the blocklist's terms and register labels); the lemma not blocklisted;
- small slips are fixed: spaces, a missing final full stop, a lower-case first letter;
- themes (``,`` or ``;`` separated) are mapped to categories (THEME_MAP); unknown ones and
  ``basique`` (the Quiz's starting set, kept by hand in categories.tsv) are dropped;
- an unfit word is added to the blocklist as ``lemma#POS`` unless it has hand-written senses
  already or a theme lists it (then it is reported for a human decision).
"""

from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from data.build import REPO_DIR
from data.build.curation import CATEGORIES_PATH, POS_TAGS, SENSES_PATH, load_senses, load_themes
from data.build.glosses import has_markup
from data.build.lexique import normalise
from data.build.safety import BLOCKLIST_PATH, Blocklist, load_blocklist

MAX_WORDS = 30
# The last published senses.tsv (before issue 10): its keys are frozen. Rows merged since may
# still be revised by a newer version of the writers' file until the next release; then move
# this to the released commit.
FROZEN_AT = "e08acb6"
SENSES_COLUMNS = ("lemma", "pos", "sense_no", "definition", "niv_diff", "themes")
# Writers' theme names → senses.tsv themes (a category, or category/subcategory).
THEME_MAP = {
    "contes": "contes/contes et magie",
    "magie": "contes/contes et magie",
    "mare": "ferme/la mare",
    "ferme": "ferme/la ferme",
    "cirque": "cirque/le cirque",
    "pirates": "pirates/pirates et mer",
    "mer": "pirates/pirates et mer",
    "couture": "couture/tricot et couture",
    "tricot": "couture/tricot et couture",
    "jardin": "jardin/le jardin",
    "grammaire": "école/grammaire",
}
KEPT_BY_HAND = "basique"  # the Quiz's starting set: edited in categories.tsv only
_LEMMA = re.compile(r"^[a-zà-öø-ÿœæ][a-zà-öø-ÿœæ'’\- ]*[a-zà-öø-ÿœæ]$")
_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-ZÀ-Ý«]|$)")


@dataclass
class Report:
    """What a merge did, printed for the person running it."""

    added: int = 0
    already: int = 0
    revised: list[str] = field(default_factory=list)
    renumbered: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    unknown_themes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    blocked: list[str] = field(default_factory=list)
    unfit_refused: list[str] = field(default_factory=list)

    def print(self) -> None:
        print(f"senses: {self.added} added, {len(self.revised)} revised, "
              f"{self.already} already merged, "
              f"{len(self.renumbered)} renumbered, {len(self.conflicts)} conflicts, "
              f"{len(self.dropped)} dropped; blocklist: {len(self.blocked)} added, "
              f"{len(self.unfit_refused)} unfit rows left for a human")  # fmt: skip
        for title, items in (
            ("revised (not yet published)", self.revised),
            ("renumbered", self.renumbered),
            ("conflicts (skipped)", self.conflicts),
            ("dropped", self.dropped),
            ("blocklisted", self.blocked),
            ("unfit rows not applied", self.unfit_refused),
        ):
            for item in items:
                print(f"  {title}: {item}")
        if self.unknown_themes:
            print("  unknown themes dropped: " + ", ".join(
                f"{k} ×{v}" for k, v in sorted(self.unknown_themes.items())))  # fmt: skip


def known_categories() -> set[str]:
    return {e.category for e in load_themes(CATEGORIES_PATH)}


def map_themes(raw: str, categories: set[str], report: Report) -> str:
    """Writers' themes → ``;``-joined senses.tsv themes, unknown names dropped."""
    out: list[str] = []
    for name in re.split(r"[;,]", raw or ""):
        name = name.strip().lower()
        if not name or name == "themes":
            continue
        theme = THEME_MAP.get(name, name)
        if theme.split("/")[0] not in categories or theme == KEPT_BY_HAND:
            report.unknown_themes[name] += 1
            continue
        if theme not in out:
            out.append(theme)
    return ";".join(out)


def fix_definition(text: str) -> str:
    """Tidy spaces, a lower-case first letter and a missing final full stop."""
    text = _SPACES.sub(" ", text.replace("\u00a0", " ").replace("’", "'")).strip()
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    if text and text[-1] not in ".!?":
        text = text.rstrip(" ;,:") + "."
    return text


def problem(lemma: str, pos: str, definition: str, block: Blocklist) -> str | None:
    """Why a row cannot be merged, or None."""
    if not _LEMMA.match(lemma):
        return "lemma is not a lower-case word"
    if pos not in POS_TAGS:
        return f"POS {pos!r} not in {'/'.join(POS_TAGS)}"
    if not definition.strip(" .!?"):
        return "empty definition"
    if has_markup(definition) or "\t" in definition or "\\" in definition:
        return "markup in the definition"
    if len(definition.split()) > MAX_WORDS:
        return f"more than {MAX_WORDS} words"
    if len(_SENTENCE_END.findall(definition)) > 2:
        return "more than two sentences"
    if (reason := block.unfit_reason(definition)) is not None:
        return f"unfit: {reason}"
    if (reason := block.blocks_lemma(lemma, pos)) is not None:
        return f"blocklisted word: {reason}"
    return None


@dataclass
class State:
    """senses.tsv as the merge grows it: its lines, and definitions by (lemma, POS) and number."""

    block: Blocklist
    lines: list[str] = field(default_factory=list)  # the file's lines, header first
    line_of: dict[tuple[str, str, int], int] = field(default_factory=dict)
    defs: dict[tuple[str, str], dict[int, str]] = field(default_factory=lambda: defaultdict(dict))
    frozen: set[tuple[str, str, int]] = field(default_factory=set)  # published keys
    touched: set[tuple[str, str, int]] = field(default_factory=set)  # keys written by this run
    original: set[tuple[str, str]] = field(default_factory=set)  # (lemma, POS) before the merge

    @classmethod
    def load(
        cls,
        path: Path = SENSES_PATH,
        frozen: set[tuple[str, str, int]] | None = None,
        blocklist: Path = BLOCKLIST_PATH,
    ) -> State:
        """The state of ``path``; ``frozen`` keys never change (None: every current key)."""
        state = cls(load_blocklist(blocklist))
        state.lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for s in load_senses(path):
            state.defs[(s.lemma, s.pos)][s.sense_no] = s.definition
            state.original.add((s.lemma, s.pos))
        for n, line in enumerate(state.lines[1:], start=1):
            lemma, pos, number = line.split("\t")[:3]
            state.line_of[(lemma, pos, int(number))] = n
        state.frozen = set(state.line_of) if frozen is None else frozen
        return state

    def texts(self, key: tuple[str, str]) -> set[str]:
        return {normalise(d.lower()) for d in self.defs[key].values()}

    def write(self, key: tuple[str, str, int], line: str) -> None:
        """Replace the line of ``key`` or append it."""
        if key in self.line_of:
            self.lines[self.line_of[key]] = line
        else:
            if self.lines and not self.lines[-1].endswith("\n"):
                self.lines[-1] += "\n"
            self.line_of[key] = len(self.lines)
            self.lines.append(line)
        self.touched.add(key)


def published_keys(rev: str) -> set[tuple[str, str, int]]:
    """Sense keys of senses.tsv at git revision ``rev`` (all current keys if git cannot tell)."""
    relative = SENSES_PATH.relative_to(REPO_DIR).as_posix()
    try:
        text = subprocess.run(
            ["git", "-C", str(REPO_DIR), "show", f"{rev}:{relative}"],
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        print(f"warning: git cannot show {rev}:{relative}; every current key is frozen")
        return _all_keys(SENSES_PATH)
    keys = set()
    for line in text.splitlines()[1:]:
        lemma, pos, number = line.split("\t")[:3]
        keys.add((lemma, pos, int(number)))
    return keys


def _all_keys(path: Path) -> set[tuple[str, str, int]]:
    return {(s.lemma, s.pos, s.sense_no) for s in load_senses(path)}


def merge_senses(rows: list[dict[str, str]], source: str, state: State, report: Report) -> None:
    """Merge one writers' file into ``state`` (see the module docstring for the rules)."""
    categories = known_categories()
    ordered = sorted(
        rows, key=lambda r: ((r.get("lemma") or "").strip(), r.get("pos") or "", _int(r))
    )
    for row in ordered:
        lemma = normalise_lemma(row.get("lemma") or "")
        pos = (row.get("pos") or "").strip().upper()
        definition = fix_definition(row.get("definition") or "")
        label = f"{source}: {lemma}#{pos}#{(row.get('sense_no') or '').strip()}"
        if (why := problem(lemma, pos, definition, state.block)) is not None:
            report.dropped.append(f"{label} ({why}): {definition[:80]}")
            continue
        key = (lemma, pos)
        text = normalise(definition.lower())
        same = [n for n, d in state.defs[key].items() if normalise(d.lower()) == text]
        if same:  # merged already: this run claims the row, so a later file cannot revise it
            state.touched.add((lemma, pos, same[0]))
            report.already += 1
            continue
        wanted = _int(row)
        existing = state.defs[key]
        themes = map_themes(row.get("themes") or "", categories, report)
        line = "\t".join((lemma, pos, str(wanted), definition, "", themes)) + "\n"
        if wanted in existing:
            full = (lemma, pos, wanted)
            if full in state.frozen or full in state.touched:
                report.conflicts.append(f"{label} holds another definition already: "
                                        f"{existing[wanted][:60]}")  # fmt: skip
                continue
            existing[wanted] = definition  # a revision of a not yet published row
            state.write(full, line)
            report.revised.append(f"{label}: {definition[:60]}")
            continue
        number = len(existing) + 1
        if wanted != number:
            report.renumbered.append(f"{label} → {lemma}#{pos}#{number}")
            line = "\t".join((lemma, pos, str(number), definition, "", themes)) + "\n"
        existing[number] = definition
        state.write((lemma, pos, number), line)
        report.added += 1


def normalise_lemma(text: str) -> str:
    return _SPACES.sub(" ", text.replace("’", "'")).strip().lower()


def _int(row: dict[str, str]) -> int:
    try:
        return int((row.get("sense_no") or "").strip())
    except ValueError:
        return 1


def merge_unfit(
    rows: list[dict[str, str]],
    source: str,
    state: State,
    report: Report,
    blocklist: Path = BLOCKLIST_PATH,
) -> list[str]:
    """New blocklist.tsv lines for the unfit words that may be blocked without a human."""
    existing = {normalise(r["value"]) for r in _read(blocklist)}
    specs = [w.split("#") for e in load_themes(CATEGORIES_PATH) for w in e.words]
    original = state.original
    hand_pos: dict[str, set[str]] = defaultdict(set)
    for word, word_pos in original:
        hand_pos[word].add(word_pos)

    def themed(lemma: str, pos: str) -> bool:
        """A theme names this POS of the word (a bare word names its hand-written POS)."""
        for spec in specs:
            if spec[0] != lemma:
                continue
            if len(spec) > 1 and spec[1] == pos:
                return True
            if len(spec) == 1 and (not hand_pos[lemma] or pos in hand_pos[lemma]):
                return True
        return False

    lines: list[str] = []
    for row in rows:
        lemma = normalise_lemma(row.get("lemma") or "")
        pos = (row.get("pos") or "").strip().upper()
        reason = _SPACES.sub(" ", row.get("reason") or "").strip()
        value = f"{lemma}#{pos}" if pos in POS_TAGS else lemma
        if not lemma or not reason:
            report.unfit_refused.append(f"{source}: {row} (no lemma or reason)")
        elif normalise(value) in existing or normalise(lemma) in existing:
            continue
        elif (
            (lemma, pos) in original
            or (pos not in POS_TAGS and lemma in hand_pos)
            or themed(lemma, pos)
        ):
            report.unfit_refused.append(f"{source}: {value} has hand-written senses or a "
                                        f"theme: {reason}")  # fmt: skip
        else:
            lines.append(f"lemma\t{value}\twriters' review: {reason.replace(chr(9), ' ')}\n")
            existing.add(normalise(value))
            report.blocked.append(f"{value} ({reason})")
    return lines


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def _append(path: Path, lines: list[str]) -> None:
    if not lines:
        return
    text = path.read_text(encoding="utf-8")
    with open(path, "a", encoding="utf-8", newline="") as fh:
        if text and not text.endswith("\n"):
            fh.write("\n")
        fh.writelines(lines)


def merge(
    files: list[Path],
    senses: Path = SENSES_PATH,
    blocklist: Path = BLOCKLIST_PATH,
    frozen: set[tuple[str, str, int]] | None = None,
    write: bool = True,
) -> Report:
    """Merge writers' files into ``senses`` and ``blocklist``; raises ValueError on a bad file."""
    report = Report()
    state = State.load(senses, frozen, blocklist)
    unfit_files: list[Path] = []
    for path in files:
        rows = _read(path)
        header = rows[0].keys() if rows else set()
        if "reason" in header:
            unfit_files.append(path)
            continue
        if rows and not {"lemma", "pos", "definition"} <= set(header):
            raise ValueError(f"{path}: not a senses file (columns {list(header)})")
        merge_senses(rows, path.name, state, report)
    block_lines: list[str] = []
    for path in unfit_files:
        block_lines += merge_unfit(_read(path), path.name, state, report, blocklist)
    if write:  # write before reporting: a closed stdout (| head) must not lose the merge
        before = senses.read_text(encoding="utf-8")
        senses.write_text("".join(state.lines), encoding="utf-8")
        try:
            load_senses(senses)  # raises on a malformed result
        except ValueError:
            senses.write_text(before, encoding="utf-8")
            raise
        _append(blocklist, block_lines)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.build.merge_curation",
                                     description=__doc__.splitlines()[0])  # fmt: skip
    parser.add_argument("files", nargs="+", type=Path, help="writers' TSV files")
    parser.add_argument("--dry-run", action="store_true", help="report only, write nothing")
    parser.add_argument("--frozen-at", default=FROZEN_AT,
                        help="git revision of the last published senses.tsv: its keys never "
                             "change; later rows may still be revised by the writers' files "
                             f"(default {FROZEN_AT})")  # fmt: skip
    args = parser.parse_args(argv)
    frozen = published_keys(args.frozen_at) if args.frozen_at else None
    try:
        report = merge(args.files, frozen=frozen, write=not args.dry_run)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    report.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
