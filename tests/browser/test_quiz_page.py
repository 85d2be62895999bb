"""The Quiz try-it page in a real browser: pick a demo learner, play a quiz, see progress move."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from data.build.learners import EXAMPLE_LEARNER_ID, N_LEARNERS, NEW_LEARNER_ID

pytestmark = pytest.mark.browser
LOAD_FAILED = "Failed to load resource"  # Chromium's console line for any 4xx/5xx answer


def progress(base: str, user_id: str) -> dict[str, Any]:
    response = httpx.get(f"{base}v1/learners/{user_id}/progress", timeout=10)
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data


def test_quiz_page_plays_a_quiz_and_progress_changes(quiz_url, tab, screenshot, low_contrast_texts):
    page = tab.page
    page.goto(quiz_url)
    assert page.locator("html").get_attribute("lang") == "fr"
    options = page.locator("#demo option")
    options.first.wait_for(state="attached")
    assert options.count() == N_LEARNERS
    assert page.locator("#learner-id").input_value() == str(EXAMPLE_LEARNER_ID)
    learner = str(NEW_LEARNER_ID)  # demo01: no history yet, so every answer shows
    page.get_by_label("Un apprenant de démonstration").select_option(learner)
    assert page.locator("#learner-id").input_value() == learner
    before = progress(quiz_url, learner)

    page.get_by_role("button", name="Voir cet apprenant").click()
    page.wait_for_selector("#words tr")
    assert page.locator("#progress-quizzes").inner_text() == str(before["quizzes"])
    assert page.locator("#progress-seen").inner_text() == str(before["words_seen"])
    assert page.locator("#words tr").count() == 10
    assert page.locator("#words a[href^='https://']").count() == 10  # a sign link per word
    assert page.locator("#chart circle.dot-seen").count() == 1

    page.get_by_role("button", name="Jouer un quiz de 5 mots").click()
    for number in range(1, 6):
        question = page.locator("#question")
        assert question.inner_text().startswith(f"Question {number} sur 5")
        assert page.locator(".choices button").count() == 4
        page.locator(".choices button").first.click()
        assert re.search(r"Bravo|Ce n'est pas ça", page.locator(".feedback").inner_text())
        # the focus moved to "Bien": the keyboard answers the feeling
        assert page.evaluate("document.activeElement.textContent") == "Bien"
        if number == 1:
            assert low_contrast_texts(page) == []
            screenshot(page, "quiz-question")
        page.keyboard.press("Enter")

    page.wait_for_selector("#quiz-done:has-text('Quiz enregistré')")
    after = progress(quiz_url, learner)
    assert after["quizzes"] == before["quizzes"] + 1
    assert after["answers"] == before["answers"] + 5
    assert after["words_seen"] == before["words_seen"] + 5
    assert page.locator("#progress-quizzes").inner_text() == str(after["quizzes"])
    assert page.locator("#progress-seen").inner_text() == str(after["words_seen"])
    assert page.locator("#chart circle.dot-seen").count() == 2  # before and after the quiz
    page.wait_for_selector("#demo option:checked:has-text('demo01 — 1 quiz')", state="attached")
    assert low_contrast_texts(page) == []
    screenshot(page, "quiz")
    assert tab.errors == []


def test_quiz_page_asks_for_a_token_on_401_and_sends_it(quiz_url, tab):
    """With JWT auth on, the API answers 401 without a token: the page asks for one."""
    page = tab.page
    seen: list[str | None] = []

    def require_token(route: Any) -> None:
        auth = route.request.headers.get("authorization")
        seen.append(auth)
        if auth != "Bearer test-token":
            route.fulfill(status=401, json={"detail": "Not authenticated"})
        else:
            route.continue_()

    page.route("**/v1/demo-learners", require_token)
    page.goto(quiz_url)
    token = page.get_by_label("Jeton d'accès")
    token.wait_for(state="visible")
    assert "jeton" in page.locator("#status").inner_text()
    token.fill("test-token")
    page.get_by_role("button", name="Utiliser ce jeton").click()
    page.locator("#demo option").first.wait_for(state="attached")
    assert seen == [None, "Bearer test-token"]
    stored = page.evaluate("sessionStorage.getItem('vocabulo.token')")
    assert stored == "test-token"
    assert page.evaluate("localStorage.length") == 0  # never kept beyond the tab
    assert tab.unexpected_errors(LOAD_FAILED) == []


def test_quiz_page_explains_a_malformed_learner_id(quiz_url, tab):
    page = tab.page
    page.goto(quiz_url)
    page.locator("#demo option").first.wait_for(state="attached")
    page.locator("#learner-id").fill("pas-un-identifiant")
    page.get_by_role("button", name="Voir cet apprenant").click()
    page.wait_for_selector("#status.error")
    assert "n'a pas la bonne forme" in page.locator("#status").inner_text()
    assert tab.unexpected_errors(LOAD_FAILED) == []


def test_quiz_page_works_behind_an_ingress_path_prefix(quiz_url, tab):
    """Behind an Ingress that strips ``/vocabulo/quiz``, even asked without its trailing slash."""
    page = tab.page
    prefix = quiz_url + "vocabulo/quiz"
    outside: list[str] = []

    def ingress(route: Any) -> None:
        url = route.request.url
        if url.startswith(prefix):
            route.continue_(url=quiz_url.rstrip("/") + url[len(prefix) :])
        else:  # a URL that escaped the prefix would not reach the API through the Ingress
            outside.append(url)
            route.abort()

    page.route(quiz_url + "**", ingress)
    page.goto(prefix)
    page.locator("#demo option").first.wait_for(state="attached")  # the scripts ran
    assert page.url == prefix + "/"
    # before the redirect to ".../quiz/", Chromium's preload scanner may already have asked for
    # the stylesheet and script one level up (refused, logged): only the redirected page counts
    outside.clear()
    tab.errors.clear()
    page.reload()
    page.locator("#demo option").first.wait_for(state="attached")
    assert background(page.locator("header.site")) == "rgb(29, 63, 143)"  # the CSS applied
    page.get_by_role("button", name="Voir cet apprenant").click()
    page.wait_for_selector("#words tr")
    assert outside == []
    assert tab.errors == []


def background(locator: Any) -> str:
    return str(locator.evaluate("e => getComputedStyle(e).backgroundColor"))
