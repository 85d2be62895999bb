"""The shared body-size cap (declared and chunked uploads) and the surrogate-safe 422."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fastapi.testclient import TestClient
from guarded_app import LIMIT, app


def test_small_upload_passes_and_declared_oversize_is_413() -> None:
    client = TestClient(app)
    ok = client.post("/upload", files={"file": ("a.bin", b"x" * 1000)})
    assert ok.json() == {"bytes": 1000}
    big = client.post("/upload", files={"file": ("a.bin", b"x" * (LIMIT + 1))})
    assert big.status_code == 413
    assert big.json() == {"detail": f"Request body too large (limit {LIMIT} bytes)"}


def test_lone_surrogate_gives_422_not_500() -> None:
    client = TestClient(app, raise_server_exceptions=False)
    res = client.post("/text", content=b'{"text": 5}', headers={"content-type": "application/json"})
    assert res.status_code == 422
    # "\ud800" is valid JSON text but not encodable as UTF-8: FastAPI's default handler
    # echoed it back and crashed while encoding the reply.
    res = client.post(
        "/text", content=b'{"text": ["\\ud800"]}', headers={"content-type": "application/json"}
    )
    assert res.status_code == 422
    assert "ud800" not in res.text  # not echoed at all (issue 16 item 10)


def test_422_never_echoes_the_input() -> None:
    """A large invalid value must not come back in the reply (a 15 MB text gave 45 MB)."""
    client = TestClient(app)
    res = client.post("/text", json={"text": ["y" * 12_000]})
    assert res.status_code == 422
    assert len(res.content) < 2_000
    assert "yyyy" not in res.text
    (error,) = res.json()["detail"]
    assert error["loc"] == ["body", "text"]
    assert "input" not in error
    assert error["msg"]


def test_a_path_can_have_its_own_smaller_limit() -> None:
    client = TestClient(app)
    padded = b'{"text": "a"' + b" " * 20_000 + b"}"
    assert client.post("/text", content=padded).status_code == 413  # TEXT_LIMIT, not LIMIT
    assert client.post("/text", json={"text": "a"}).json() == {"chars": 1}
    ok = client.post("/upload", files={"file": ("a.bin", b"x" * 30_000)})
    assert ok.json() == {"bytes": 30_000}  # other paths keep the general limit


def test_chunked_upload_is_cut_at_the_limit() -> None:
    """No Content-Length: the body is counted as it streams; reading stops past the limit."""
    chunk = b"x" * 16384
    head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\n'
    consumed = 0
    replies: list[dict] = []

    async def receive() -> dict:
        nonlocal consumed
        consumed += 1
        body = head if consumed == 1 else chunk
        return {"type": "http.request", "body": body, "more_body": consumed < 4096}

    async def send(message: dict) -> None:
        replies.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/upload",
        "raw_path": b"/upload",
        "query_string": b"",
        "root_path": "",
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 1),
        "headers": [
            (b"content-type", b"multipart/form-data; boundary=b"),
            (b"transfer-encoding", b"chunked"),
        ],
    }
    asyncio.run(app(scope, receive, send))
    assert replies[0]["status"] == 413
    assert b"Request body too large" in replies[1]["body"]
    assert (consumed - 1) * len(chunk) <= LIMIT + len(chunk)  # not the 64 MiB offered
