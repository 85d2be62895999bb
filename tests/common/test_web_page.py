"""The try-it pages each API serves at ``/``: relative URLs only, files found, strict CSP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from apps.common.web_page import COMMON_WEB_DIR, inline_script_hashes, install_web_page

ROOT = Path(__file__).resolve().parents[2]
PAGE_DIRS = [ROOT / "apps" / "quiz" / "web", ROOT / "apps" / "junior" / "web"]
WEB_FILES = sorted(
    p for d in [*PAGE_DIRS, COMMON_WEB_DIR] for p in d.iterdir() if p.suffix in {".html", ".js"}
)
# a URL starting with "/" breaks behind an Ingress path prefix; "//" or http(s) would leave the origin
ABSOLUTE_URL = re.compile(
    r"""(?:href|src)=["'](?:/|https?:)|fetch\(\s*["'`]/|api\(\s*["'`](?:/|https?:)"""
)


@pytest.mark.parametrize("path", WEB_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_pages_use_relative_urls_only(path: Path) -> None:
    assert not ABSOLUTE_URL.findall(path.read_text(encoding="utf-8"))


def test_the_url_check_catches_an_absolute_url() -> None:
    assert ABSOLUTE_URL.findall('<script src="/static/x.js">')
    assert ABSOLUTE_URL.findall('api("/v1/quizzes", {})')
    assert not ABSOLUTE_URL.findall('api("v1/quizzes", {})')


@pytest.mark.parametrize("page_dir", PAGE_DIRS, ids=lambda d: d.parent.name)
def test_page_and_every_file_it_links_are_served(page_dir: Path) -> None:
    app = FastAPI()
    install_web_page(app, page_dir)
    with TestClient(app) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert '<html lang="fr">' in page.text
        linked = re.findall(r'(?:href|src)="([^"#]+)"', page.text)
        assert linked
        for url in linked:
            response = client.get("/" + url)
            assert response.status_code == 200, url
        imported = re.findall(r'from "\.\./common/([^"]+)"', client.get("/" + linked[-1]).text)
        for name in imported:
            assert client.get(f"/static/common/{name}").status_code == 200, name


@pytest.mark.parametrize("page_dir", PAGE_DIRS, ids=lambda d: d.parent.name)
def test_csp_allows_exactly_the_inline_scripts_of_the_page(page_dir: Path) -> None:
    app = FastAPI()
    install_web_page(app, page_dir)
    with TestClient(app) as client:
        response = client.get("/")
    policy = response.headers["content-security-policy"]
    hashes = inline_script_hashes(response.text)
    assert len(hashes) == 1  # the trailing-slash fix-up
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert script_src.split()[1:] == ["'self'", *hashes]
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"


def test_inline_script_hash_is_the_csp_sha256_of_its_text() -> None:
    # known answer: base64(sha256("alert(1)")), as browsers compute it
    assert inline_script_hashes("<script>alert(1)</script>") == [
        "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
    ]
