"""Inputs found by review: proper nouns, punctuation and negation, text-only mode, bad text."""

from __future__ import annotations

from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from apps.junior.pipeline import JuniorPipeline

NOT_FOUND = ("Non trouvé dans la BDD", "Non disponible", 0.0)


def entries(client: TestClient, text: str) -> list[dict]:
    res = client.post("/v1/process-text", json={"text": text, "target_difficulty": 1})
    assert res.status_code == 200, res.text
    return [w for s in res.json()["processed_results"] for w in s["words"]]


def test_proper_nouns_never_get_common_noun_senses(client: TestClient) -> None:
    words = {w["word"]: w for w in entries(client, "Pierre et Marie vont à Paris.")}
    names = [n for n in ("Pierre", "Marie", "Paris") if words[n]["pos"] == "PROPN"]
    assert len(names) >= 2  # spaCy tags these names PROPN; otherwise this test proves nothing
    for name in names:
        got = (words[name]["definition"], words[name]["url"], words[name]["confidence"])
        assert got == NOT_FOUND, name


@pytest.mark.parametrize(
    "text", ["Tu viens, n'est-ce pas ?", "Il ne mange pas.", "Il n'a rien vu là-bas."]
)
def test_punctuation_and_negation_are_grammar_words(client: TestClient, text: str) -> None:
    for word in entries(client, text):
        if word["word"].lower() in {"ne", "n'"} or not any(c.isalpha() for c in word["word"]):
            assert word["definition"] == "Mot grammatical", word
            assert word["url"] == "Non applicable"


def test_c_est_a_dire_is_one_expression(client: TestClient) -> None:
    words = entries(client, "Le soir, c'est-à-dire après le goûter, on joue.")
    compounds = [w for w in words if w["pos"] == "COMPOUND"]
    assert [w["word"].lower() for w in compounds] == ["c'est-à-dire"]
    assert not any(w["word"] == "est" and "soleil" in w["definition"] for w in words)


def test_text_with_a_lone_surrogate_is_422_not_500(client: TestClient) -> None:
    res = client.post(
        "/v1/process-text",
        content=b'{"text": "Le ch\\ud800at", "target_difficulty": 1}',
        headers={"content-type": "application/json"},
    )
    assert res.status_code == 422


def test_text_only_deployment_answers_503_for_images(
    client: TestClient, pipeline: JuniorPipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "ocr", None)  # as with JUNIOR_OCR=false
    buffer = BytesIO()
    Image.new("RGB", (400, 300), "white").save(buffer, "PNG")
    res = client.post("/process-image/", files={"file": ("p.png", buffer.getvalue(), "image/png")})
    assert res.status_code == 503
    assert "/v1/process-text" in res.json()["detail"]
