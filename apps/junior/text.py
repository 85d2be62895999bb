"""OCR lines → clean French text: reading order, dehyphenation, Unicode and spacing fixes."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence

import ftfy

from apps.junior.ocr import OcrLine

# Hyphenated pronoun suffixes stay hyphenated when split at a line end (« peut-/elle »).
_KEEP_HYPHEN = frozenset(
    [
        "je",
        "tu",
        "il",
        "elle",
        "on",
        "nous",
        "vous",
        "ils",
        "elles",
        "le",
        "la",
        "les",
        "lui",
        "leur",
        "moi",
        "toi",
        "y",
        "en",
        "ci",
        "là",
        "t",
        "même",
    ]
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_SPACES = re.compile(r"[ \t\u00a0\u202f\u2009]+")


def columns(lines: Sequence[OcrLine], min_gap: float = 0.06) -> list[list[OcrLine]]:
    """Lines split into columns at vertical gutters no line crosses (a two-page spread).

    The lines' x-ranges are merged; blocks apart by at least ``min_gap`` of the text's width
    are columns, left to right, when each holds 2+ lines and they sit side by side (their
    vertical extents overlap by half the shorter). Otherwise the page is one column (words
    of one row that OCR split apart stay in their row).
    """
    if not lines:
        return []
    spans = sorted(
        ((min(x for x, _ in ln.box), max(x for x, _ in ln.box), ln) for ln in lines),
        key=lambda item: item[0],
    )
    width = max(end for _, end, _ in spans) - spans[0][0]
    groups: list[list[OcrLine]] = [[spans[0][2]]]
    reach = spans[0][1]
    for start, end, line in spans[1:]:
        if start - reach > min_gap * width:
            groups.append([])
        groups[-1].append(line)
        reach = max(reach, end)
    if len(groups) > 1 and all(len(g) >= 2 for g in groups) and side_by_side(groups):
        return groups
    return [list(lines)]


def side_by_side(groups: Sequence[Sequence[OcrLine]]) -> bool:
    """True when every pair of neighbouring groups overlaps vertically by half the shorter."""
    extents = [
        (min(y for ln in g for _, y in ln.box), max(y for ln in g for _, y in ln.box))
        for g in groups
    ]
    for (top_a, bottom_a), (top_b, bottom_b) in itertools.pairwise(extents):
        overlap = min(bottom_a, bottom_b) - max(top_a, top_b)
        if overlap < 0.5 * min(bottom_a - top_a, bottom_b - top_b):
            return False
    return True


def reading_order(lines: Sequence[OcrLine]) -> list[OcrLine]:
    """Column by column (facing pages), lines top to bottom, left to right within a row."""
    return [line for column in columns(lines) for line in rows_order(column)]


def rows_order(lines: Sequence[OcrLine]) -> list[OcrLine]:
    """Lines sorted top to bottom, and left to right within a visual row."""

    def centre_y(line: OcrLine) -> float:
        return sum(y for _, y in line.box) / len(line.box)

    def height(line: OcrLine) -> float:
        ys = [y for _, y in line.box]
        return max(ys) - min(ys)

    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=centre_y):
        if rows:
            last = rows[-1][-1]
            if abs(centre_y(line) - centre_y(last)) < 0.5 * max(height(last), 1.0):
                rows[-1].append(line)
                continue
        rows.append([line])
    ordered: list[OcrLine] = []
    for row in rows:
        ordered.extend(sorted(row, key=lambda ln: min(x for x, _ in ln.box)))
    return ordered


def join_lines(texts: Sequence[str]) -> str:
    """Join lines with spaces, rejoining words hyphenated across a line end."""
    out = ""
    for raw in texts:
        line = raw.strip()
        if not line:
            continue
        if out.endswith("-") and len(out) > 1 and out[-2].isalpha() and line[0].islower():
            head = re.match(r"[^\W\d_]+", line)
            suffix = head.group(0).lower() if head else ""
            out = out + line if suffix in _KEEP_HYPHEN else out[:-1] + line
        else:
            out = f"{out} {line}" if out else line
    return out


def clean_text(text: str) -> str:
    """NFC, mojibake repair, straight apostrophes and French spacing around punctuation."""
    text = ftfy.fix_text(text, normalization="NFC")
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES)
    text = text.replace("\r", "\n")
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text)
    text = re.sub(r" +([.,…)])", r"\1", text)  # no space before . , … )
    text = re.sub(r"(\w)([?!;:])", r"\1 \2", text)  # French: space before ? ! ; :
    text = re.sub(r"(?<=\S)»", " »", text)  # and inside « »
    text = re.sub(r"«(?=\S)", "« ", text)
    text = re.sub(r"(?<=\S)«", " «", text)
    text = re.sub(r"(\w)' +(?=\w)", r"\1'", text)  # « jusqu' à » → « jusqu'à »
    text = re.sub(r" {2,}", " ", text)
    return text.strip()


def is_text_line(line: OcrLine) -> bool:
    """False for lone glyphs the detector finds in illustrations (a sun read as « O »)."""
    return sum(ch.isalnum() for ch in line.text) >= 2


def page_text(lines: Sequence[OcrLine]) -> str:
    """The clean text of a page from its unordered OCR lines."""
    kept = [line for line in lines if is_text_line(line)]
    return clean_text(join_lines([line.text for line in reading_order(kept)]))
