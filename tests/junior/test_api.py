"""The Junior API contract against a real Postgres dictionary and the real models."""

from __future__ import annotations

from io import BytesIO

from fastapi.testclient import TestClient
from PIL import Image

CONTRACT_KEYS = {"word", "lemma", "pos", "function", "definition", "url", "confidence"}


def words_of(body: dict) -> dict[str, dict]:
    """word text → entry, over every sentence."""
    return {w["word"]: w for s in body["processed_results"] for w in s["words"]}


def post_text(client: TestClient, text: str, target: int = 1) -> dict:
    res = client.post("/v1/process-text", json={"text": text, "target_difficulty": target})
    assert res.status_code == 200, res.text
    return res.json()


def png_bytes(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def test_health_ready_and_stage_metrics(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "checks": {"database": True, "models": True}}
    post_text(client, "Le chat dort.")
    metrics = client.get("/metrics").text
    for stage in ("nlp", "senses"):
        assert f'vocabulo_junior_stage_duration_seconds_count{{stage="{stage}"}}' in metrics
    assert 'service="junior"' in metrics


def test_placeholders_and_found_words(
    client: TestClient, single_sense_word: tuple[str, str]
) -> None:
    noun, definition = single_sense_word
    text = f"Le {noun} mange une glace au chocolat avec Zébulon."
    body = post_text(client, text)
    (sentence,) = body["processed_results"]
    assert sentence["sentence"] == text
    words = words_of(body)
    for entry in sentence["words"]:
        assert entry.keys() >= CONTRACT_KEYS
        assert 0.0 <= entry["confidence"] <= 1.0
    assert words["Le"]["definition"] == "Mot de contexte"
    assert (words["Le"]["url"], words["Le"]["confidence"]) == ("Non applicable", 1.0)
    assert words["."]["definition"] == "Mot grammatical"
    found = words[noun]
    assert (found["pos"], found["lemma"], found["confidence"]) == ("NOUN", noun, 1.0)
    assert found["definition"] == definition
    assert found["url"].startswith("https://")
    assert found["difficulty"] in (1, 2, 3)
    glace = words["glace"]
    assert glace["definition"].startswith("Dessert froid")  # not ice, not mirror
    assert 0.0 < glace["confidence"] <= 1.0
    missing = words["Zébulon"]
    assert (missing["definition"], missing["url"], missing["confidence"]) == (
        "Non trouvé dans la BDD",
        "Non disponible",
        0.0,
    )
    assert "difficulty" not in missing


def test_context_decides_the_sense(client: TestClient) -> None:
    ice = words_of(post_text(client, "En hiver, les canards glissent sur la glace de l'étang."))
    mirror = words_of(post_text(client, "Zoé se regarde dans la glace de la salle de bains."))
    assert ice["glace"]["definition"].startswith("Eau devenue dure")
    assert mirror["glace"]["definition"].startswith("Miroir")


def test_pronominal_verbs_and_expressions(client: TestClient) -> None:
    words = words_of(post_text(client, "Tout à coup, le soleil se lève derrière la montagne."))
    assert words["Tout à coup"]["pos"] == "COMPOUND"
    assert words["Tout à coup"]["function"] == "locution"
    assert words["lève"]["lemma"] == "se lever"
    assert words["lève"]["definition"].startswith("Apparaître à l'horizon")


def test_unaccented_text_still_finds_the_dictionary_word(client: TestClient) -> None:
    words = words_of(post_text(client, "Le FACTEUR apporte une lettre."))
    assert words["FACTEUR"]["definition"] != "Non trouvé dans la BDD"


def test_text_validation_is_4xx(client: TestClient) -> None:
    assert client.post("/v1/process-text", json={"text": ""}).status_code == 422
    assert (
        client.post("/v1/process-text", json={"text": "a", "target_difficulty": 4}).status_code
        == 422
    )
    assert client.post("/v1/process-text", json={"text": "x" * 20_001}).status_code == 422
    assert client.post("/v1/process-text", content=b"{not json").status_code == 422
    only_spaces = post_text(client, "   \n  ")
    assert only_spaces == {"processed_results": []}


def test_process_image_reads_a_page(client: TestClient, pages) -> None:
    spec = next(p for p in pages.PAGES if p.name == "p02")
    res = client.post(
        "/process-image/",
        files={"file": ("page.jpg", png_bytes(pages.render(spec), "JPEG"), "image/jpeg")},
    )
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["original_text"].startswith("Léa ouvre la fenêtre de sa chambre.")
    words = words_of(body)
    assert words["fenêtre"]["definition"].startswith("Ouverture dans un mur")
    assert words["Tout à coup"]["pos"] == "COMPOUND"
    assert len(body["processed_results"]) == 5


def test_bad_uploads_are_4xx_never_500(client: TestClient) -> None:
    def post(data: bytes, name: str = "x.jpg") -> int:
        return client.post(
            "/process-image/", files={"file": (name, data, "image/jpeg")}
        ).status_code

    assert post(b"") == 400
    assert post(b"%PDF-1.4\n%%EOF", "book.jpg") == 400
    assert post(png_bytes(Image.new("RGB", (100, 100)))[:50]) == 400
    assert post(png_bytes(Image.new("1", (20_000, 20_000)))) == 413
    assert client.post("/process-image/").status_code == 422  # no file field at all
    assert (
        client.post(
            "/process-image/?target_difficulty=9", files={"file": ("a.png", b"x")}
        ).status_code
        == 422
    )


def test_upload_over_the_byte_limit_is_413(client: TestClient) -> None:
    limit = client.app.state.settings.max_upload_bytes  # type: ignore[attr-defined]
    res = client.post("/process-image/", files={"file": ("big.jpg", bytes(limit + 10))})
    assert res.status_code == 413
    assert "too large" in res.json()["detail"]
    huge = client.post("/process-image/", files={"file": ("huge.jpg", bytes(limit + 100_000))})
    assert huge.status_code == 413  # refused from Content-Length, before spooling the body
    assert "too large" in huge.json()["detail"]
