"""The "try it in a browser" page each API serves at ``/`` (plain HTML/CSS/JS, no CDN).

``install_web_page(app, page_dir)`` serves ``page_dir/index.html`` at ``/``, the page's own files
at ``static/page/`` and the bundle shared by both APIs (``apps/common/web``) at
``static/common/``. Every URL in the pages is relative, so the same files work at
``127.0.0.1:8001/``, through ``kubectl port-forward`` and behind an Ingress path prefix.
The page is sent with a Content-Security-Policy that allows only this origin's scripts plus
the hashes of the page's inline scripts.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

COMMON_WEB_DIR = Path(__file__).resolve().parent / "web"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def inline_script_hashes(html: str) -> list[str]:
    """CSP source expressions (``'sha256-…'``) of the inline ``<script>`` blocks of ``html``."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in INLINE_SCRIPT.findall(html)
    ]


def page_headers(html: str) -> dict[str, str]:
    """Security headers of the page: same-origin scripts, styles, fetches; no framing."""
    scripts = " ".join(["'self'", *inline_script_hashes(html)])
    policy = (
        "default-src 'self'; "
        f"script-src {scripts}; "
        "style-src 'self'; "
        "img-src 'self' blob: data:; "
        "connect-src 'self'; "
        "object-src 'none'; "
        "base-uri 'none'; "
        "form-action 'self'; "
        "frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }


def install_web_page(app: FastAPI, page_dir: Path) -> None:
    """Serve ``page_dir/index.html`` at ``/`` and the static bundle beside it."""
    html = (page_dir / "index.html").read_text(encoding="utf-8")
    headers = page_headers(html)

    @app.get("/", include_in_schema=False)
    def web_page() -> HTMLResponse:
        """The page to try the API in a browser."""
        return HTMLResponse(html, headers=headers)

    app.mount("/static/common", StaticFiles(directory=COMMON_WEB_DIR), name="static-common")
    app.mount("/static/page", StaticFiles(directory=page_dir), name="static-page")
