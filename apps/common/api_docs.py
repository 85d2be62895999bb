"""Swagger UI and ReDoc served by the service itself, so `/docs` works without internet.

FastAPI's defaults load their JS/CSS from a public CDN. The assets here come from the
``fastapi-offline`` wheel (MIT; it vendors swagger-ui and redoc, whose own licences are Apache-2.0
and MIT), served under ``/docs-static``. URLs are built from the request's ``root_path`` so the
pages also work behind an Ingress path prefix.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_PATH = "/docs-static"


def asset_dir() -> str:
    """The folder of the packaged Swagger UI / ReDoc files."""
    return str(files("fastapi_offline") / "static")


def install_offline_docs(app: FastAPI) -> None:
    """Serve `/docs` and `/redoc` from local assets (create the app with docs_url=None, redoc_url=None)."""
    app.mount(STATIC_PATH, StaticFiles(directory=asset_dir()), name="docs-static")

    def prefix(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        base = prefix(request)
        return get_swagger_ui_html(
            openapi_url=f"{base}{app.openapi_url}",
            title=f"{app.title} — API",
            swagger_js_url=f"{base}{STATIC_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{base}{STATIC_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{base}{STATIC_PATH}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        base = prefix(request)
        return get_redoc_html(
            openapi_url=f"{base}{app.openapi_url}",
            title=f"{app.title} — ReDoc",
            redoc_js_url=f"{base}{STATIC_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{base}{STATIC_PATH}/favicon.png",
            with_google_fonts=False,
        )
