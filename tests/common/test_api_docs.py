"""/docs and /redoc work offline: every asset they reference is served by the service itself."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from apps.junior.app import create_app as junior_app
from apps.quiz.app import create_app as quiz_app

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*["']([^"']+)["']""")


def referenced_urls(html: str) -> list[str]:
    return [a or b for a, b in ASSET.findall(html)]


@pytest.mark.parametrize("make_app", [quiz_app, junior_app], ids=["quiz", "junior"])
@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_reference_no_external_url(make_app: Callable[[], FastAPI], page: str) -> None:
    client = TestClient(make_app())  # no lifespan: the docs need no database or model
    answer = client.get(page)
    assert answer.status_code == 200
    html = answer.text
    assert "cdn.jsdelivr" not in html
    assert "fonts.googleapis" not in html
    urls = referenced_urls(html)
    assert urls, html
    for url in urls:
        assert not url.startswith(("http:", "https:", "//")), url
        if url.endswith((".js", ".css", ".png")):
            asset = client.get(url)
            assert asset.status_code == 200, url
            assert len(asset.content) > 1000, url


def test_docs_follow_the_ingress_prefix() -> None:
    client = TestClient(quiz_app(), root_path="/quiz")
    html = client.get("/docs").text
    assert "/quiz/docs-static/swagger-ui-bundle.js" in html
    assert "/quiz/openapi.json" in html
