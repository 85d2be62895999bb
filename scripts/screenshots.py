"""Screenshots of the try-it pages for the README, taken from running APIs (``make dev``).

``python scripts/screenshots.py [--quiz URL] [--junior URL] [--out docs/screenshots]`` drives
Debian's chromium with Playwright (no browser download): Junior reads evaluation page p01 and
shows « hérisson »; the Quiz's demo learner demo01 (no history in the seed dump) plays one quiz.
It writes to the learner's history: point it at a development database only.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
RENDER = ROOT / "tests" / "junior" / "eval" / "pages" / "render.py"
NEW_LEARNER_ID = "5f0c3a2e-8d4b-4c1e-9a7f-2b6d1e0c9a11"  # demo01 in the seed dump
VIEWPORT = {"width": 1280, "height": 900}


def render_page(out: Path) -> Path:
    """Evaluation page p01 as a PNG photo (tests/junior/eval/pages/render.py)."""
    spec = importlib.util.spec_from_file_location("screenshots_render", RENDER)
    if spec is None or spec.loader is None:
        raise SystemExit(f"screenshots: cannot load {RENDER}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    path = out / "p01.png"
    module.render(module.PAGES[0]).save(path)
    return path


def shoot(page: Any, path: Path) -> None:
    page.evaluate("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur()")
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshots: wrote {path}")


def junior(browser: Any, url: str, photo: Path, out: Path) -> None:
    page = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
    page.goto(url)
    page.get_by_label("ou choisir une image").set_input_files(str(photo))
    page.get_by_role("button", name="Lire la photo").click()
    page.wait_for_selector("#sentences button.word", timeout=120_000)
    page.locator("#sentences button.word", has_text="hérisson").click()
    page.wait_for_selector("#word-definition")
    shoot(page, out / "junior.png")


def quiz(browser: Any, url: str, out: Path) -> None:
    page = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
    page.set_default_timeout(30_000)
    page.goto(url)
    page.locator("#demo option").first.wait_for(state="attached")
    page.get_by_label("Un apprenant de démonstration").select_option(NEW_LEARNER_ID)
    page.get_by_role("button", name="Voir cet apprenant").click()
    page.wait_for_selector("#words tr")
    page.get_by_role("button", name="Jouer un quiz de 5 mots").click()
    for number in range(5):
        choices = page.locator(".choices button")
        right = unquote(page.locator("#quiz a").first.get_attribute("href") or "")
        # answer well most of the time, as a child would: the sign page's URL names the word
        texts = choices.all_inner_texts()
        pick = next((i for i, t in enumerate(texts) if right.endswith("/" + t)), 0)
        choices.nth(pick if number != 2 else (pick + 1) % len(texts)).click()
        if number == 0:
            shoot(page, out / "quiz-question.png")
        page.get_by_role("button", name="Bien").click()
    page.wait_for_selector("#quiz-done:has-text('Quiz enregistré')")
    shoot(page, out / "quiz.png")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiz", default="http://127.0.0.1:8001/")
    parser.add_argument("--junior", default="http://127.0.0.1:8002/")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if not chromium:
        print("screenshots: install Debian's chromium (`sudo apt-get install chromium`)")
        return 1
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            junior(browser, args.junior, render_page(Path(tmp)), args.out)
            quiz(browser, args.quiz, args.out)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
