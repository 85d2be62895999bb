"""Request guards shared by both APIs: a streaming body-size cap and a safe 422 reply."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a body passes the limit; FastAPI re-raises HTTPExceptions."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request body too large (limit {limit} bytes)")


class BodySizeLimit:
    """Refuse bodies over ``limit()`` bytes with 413, declared (Content-Length) or streamed.

    A chunked upload is counted as it arrives, so no more than the limit is ever read or
    spooled to disk. ``limit`` is a callable so the value can come from settings loaded later;
    ``paths`` gives some request paths a limit of their own (a JSON text endpoint needs far
    less than an image upload).
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: Callable[[], int],
        paths: Mapping[str, Callable[[], int]] | None = None,
    ) -> None:
        self.app = app
        self.limit = limit
        self.paths = dict(paths or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.paths.get(scope["path"], self.limit)()
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _json(send, 413, BodyTooLarge(limit).detail)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge as exc:  # raised outside FastAPI's handlers (e.g. a raw read)
            if not started:
                await _json(send, 413, exc.detail)


async def _json(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def install_validation_handler(
    app: FastAPI, overrides: Mapping[str, tuple[int, str]] | None = None
) -> None:
    """422 replies that never crash; ``overrides`` maps a field name to a contract reply.

    FastAPI's default handler echoes the rejected ``input``: a 15 MB text gave a 45 MB reply,
    and a lone UTF-16 surrogate in it made the UTF-8 encoding fail (a 500). Here ``input`` is
    dropped from every error (the ``loc``, ``type`` and ``msg`` say what is wrong) and the
    reply is ASCII-escaped.
    ``overrides`` keeps contracts such as the quiz app's 400 ``Invalid user ID format``
    for a ``user_id`` that is present but malformed (wrong type, too long, not valid text);
    a missing field stays a 422.
    """
    overrides = dict(overrides or {})

    @app.exception_handler(RequestValidationError)
    async def unprocessable(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        for error in errors:
            field = next((str(p) for p in reversed(error.get("loc", ())) if isinstance(p, str)), "")
            if field in overrides and error.get("type") != "missing":
                status, detail = overrides[field]
                return _reply(status, {"detail": detail})
        return _reply(422, {"detail": jsonable_encoder([without_input(e) for e in errors])})


def without_input(error: Mapping[str, object]) -> dict[str, object]:
    """A validation error without the rejected value (its size is the client's to choose)."""
    return {key: value for key, value in error.items() if key != "input"}


def _reply(status: int, content: object) -> Response:
    body = json.dumps(content, ensure_ascii=True, default=str)
    return Response(body, status_code=status, media_type="application/json")
