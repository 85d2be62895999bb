"""The Junior try-it page in a real browser: a rendered book page in, coloured words and senses out."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg2
import pytest

from tests.fixtures.modules import load_module

PAGES_DIR = Path(__file__).resolve().parents[1] / "junior" / "eval" / "pages"
pytestmark = pytest.mark.browser
LOAD_FAILED = "Failed to load resource"  # Chromium's console line for any 4xx/5xx answer


def render_module() -> ModuleType:
    """tests/junior/eval/pages/render.py, the OCR evaluation's page renderer."""
    return load_module("browser_pages_render", PAGES_DIR / "render.py")


@pytest.fixture(scope="module")
def page_photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Evaluation page p01 (« Il était une fois un petit lapin… ») rendered as a PNG photo."""
    render = render_module()
    path = tmp_path_factory.mktemp("pages") / "p01.png"
    render.render(render.PAGES[0]).save(path)
    return path


def definition_of(url: str, word: str) -> str:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT definition FROM mot WHERE mot = %s AND gramm_id = 1", (word,))
            rows = cur.fetchall()
    finally:
        conn.close()
    assert len(rows) == 1, f"the test dictionary should hold one noun sense of {word!r}"
    return str(rows[0][0])


def background(locator: Any) -> str:
    return str(locator.evaluate("e => getComputedStyle(e).backgroundColor"))


def test_junior_page_reads_a_photo_and_explains_a_word(
    junior_url, junior_db, page_photo, tab, screenshot, low_contrast_texts
):
    page = tab.page
    page.goto(junior_url)
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_label("Niveau de lecture de l'enfant").select_option("2")
    page.get_by_label("ou choisir une image").set_input_files(str(page_photo))
    assert page.locator("#photo-preview").get_attribute("src").startswith("blob:")
    page.get_by_role("button", name="Lire la photo").click()
    page.wait_for_selector("#sentences button.word", timeout=120_000)

    assert "petit lapin" in page.locator("#original-text").inner_text()
    assert page.locator("#sentences p").count() >= 4
    nouns = page.locator("#sentences button.pos-NOUN")
    verbs = page.locator("#sentences button.pos-VERB")
    assert nouns.count() >= 3
    assert verbs.count() >= 2
    assert page.locator("#sentences button.pos-ADJ, #sentences button.pos-ADV").count() >= 1
    assert background(nouns.first) != background(verbs.first)  # coloured, and differently

    # keyboard: focus the word and press Enter
    word = page.locator("#sentences button.word", has_text="hérisson")
    word.focus()
    page.keyboard.press("Enter")
    assert word.get_attribute("aria-pressed") == "true"
    details = page.locator("#word-details")
    assert page.locator("#word-lemma").inner_text() == "hérisson"
    assert page.locator("#word-definition").inner_text() == definition_of(junior_db, "hérisson")
    assert "%" in details.inner_text()
    assert details.locator("a[href^='http']").count() == 1  # the LSF sign link
    assert low_contrast_texts(page) == []
    screenshot(page, "junior")
    assert tab.errors == []


def test_junior_page_retries_after_a_503_with_retry_after(junior_url, tab):
    """A busy API (503 + Retry-After) is waited for and asked again, without the user."""
    page = tab.page
    calls: list[int] = []

    def busy_once(route: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            route.fulfill(
                status=503,
                headers={"Retry-After": "1"},
                json={"detail": "Too many pages in progress, please retry shortly"},
            )
        else:
            route.continue_()

    page.route("**/v1/process-text", busy_once)
    page.goto(junior_url)
    page.get_by_label("Texte à analyser").fill("Le chat mange une carotte dans le jardin.")
    page.get_by_role("button", name="Analyser le texte").click()
    page.wait_for_selector("#status:has-text('nouvel essai')")
    page.wait_for_selector("#sentences button.pos-NOUN", timeout=30_000)
    assert len(calls) == 2
    assert tab.unexpected_errors(LOAD_FAILED) == []


def test_junior_page_explains_a_file_that_is_not_an_image(junior_url, tab, tmp_path):
    page = tab.page
    not_an_image = tmp_path / "page.png"
    not_an_image.write_text("ceci n'est pas une image")
    page.goto(junior_url)
    page.get_by_label("ou choisir une image").set_input_files(str(not_an_image))
    page.get_by_role("button", name="Lire la photo").click()
    page.wait_for_selector("#status.error")
    assert "n'a pas pu être lu comme une image" in page.locator("#status").inner_text()
    assert tab.unexpected_errors(LOAD_FAILED) == []


def test_junior_page_explains_a_photo_too_large(junior_url, tab):
    """A photo over the API's 15 MB limit: the real 413 becomes a message a parent understands."""
    page = tab.page
    page.goto(junior_url)
    big = b"\xff\xd8\xff\xe0" + bytes(16 * 1024 * 1024)
    page.get_by_label("ou choisir une image").set_input_files(
        {"name": "grande.jpg", "mimeType": "image/jpeg", "buffer": big}
    )
    page.get_by_role("button", name="Lire la photo").click()
    page.wait_for_selector("#status.error")
    assert "trop grande" in page.locator("#status").inner_text()
    assert tab.unexpected_errors(LOAD_FAILED) == []
