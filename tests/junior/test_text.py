"""Text clean-up after OCR: reading order, dehyphenation, Unicode and French spacing."""

from __future__ import annotations

from apps.junior.ocr import OcrLine
from apps.junior.text import clean_text, join_lines, page_text, reading_order


def line(text: str, x: float, y: float, h: float = 30.0) -> OcrLine:
    return OcrLine(text, 0.9, ((x, y), (x + 200, y), (x + 200, y + h), (x, y + h)))


def test_reading_order_is_top_to_bottom_then_left_to_right() -> None:
    lines = [line("trois", 10, 200), line("deux", 300, 102), line("un", 10, 100)]
    assert [ln.text for ln in reading_order(lines)] == ["un", "deux", "trois"]


def test_facing_pages_are_read_left_page_first() -> None:
    left = [line("Au bord", 100, 100), line("de la mer.", 100, 150), line("Paul", 100, 200)]
    right = [line("Il ramasse", 1400, 100), line("des coquillages.", 1400, 150)]
    order = [ln.text for ln in reading_order(right + left)]
    assert order == ["Au bord", "de la mer.", "Paul", "Il ramasse", "des coquillages."]


def test_a_title_above_two_columns_keeps_them_one_page() -> None:
    lines = [line("Titre", 10, 10), line("a", 10, 100), line("b", 700, 100), line("c", 10, 150)]
    assert [ln.text for ln in reading_order(lines)] == ["Titre", "a", "b", "c"]


def test_hyphenated_line_ends_are_joined_but_pronoun_hyphens_kept() -> None:
    assert join_lines(["Le lapin sau-", "tait très haut."]) == "Le lapin sautait très haut."
    assert join_lines(["Peut-", "elle venir ?"]) == "Peut-elle venir ?"
    assert join_lines(["un arc-", "En-ciel"]) == "un arc- En-ciel"  # capital: not a split word


def test_clean_text_fixes_unicode_mojibake_and_spacing() -> None:
    decomposed = "e\u0301te\u0301"  # « été » written with combining accents
    assert clean_text(decomposed) == "été"
    assert clean_text("Ã©tÃ©") == "été"  # UTF-8 read as Latin-1
    assert clean_text("Il dit :« Viens!»") == "Il dit : « Viens ! »"
    assert clean_text("Bonjour , toi .") == "Bonjour, toi."
    assert clean_text("l’eau") == "l'eau"


def test_expressions_are_kept_whole() -> None:
    assert clean_text("Il court jusqu' à la mer, tout à coup") == (
        "Il court jusqu'à la mer, tout à coup"
    )


def test_page_text_drops_lone_glyphs_from_illustrations() -> None:
    lines = [line("O", 500, 50), line("Il était une fois", 10, 400)]
    assert page_text(lines) == "Il était une fois"
