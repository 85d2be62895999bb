"""CPU cost of the JWT auth dependencies per request (in-process ASGI, no network, no database).

Run: ``.venv/bin/python bench/auth_overhead.py``. A trivial POST route with a ``user_id`` body is
called 1000 times per round, 8 rounds interleaved, for three apps: no auth dependencies, mode
none (dependencies present, no token) and mode jwt with an HS256 token for that learner. The best
round's CPU time (``time.process_time``) is kept, which is robust on a busy machine.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from pathlib import Path

import httpx
import jwt
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from apps.common.auth import LearnerGuard, install_auth
from apps.quiz.settings import QuizSettings

SECRET = "bench-only-secret-" + "x" * 32
ROUNDS, CALLS = 8, 1000


class Body(BaseModel):
    user_id: str


def make_app(guarded: bool, mode: str) -> FastAPI:
    """A one-route app, with or without the learner guard, in auth mode ``mode``."""
    app = FastAPI()
    router = APIRouter()

    @router.post("/x")
    async def x(body: Body) -> dict[str, bool]:
        return {"ok": True}

    app.include_router(router, dependencies=[LearnerGuard] if guarded else [])
    secret = SECRET if mode == "jwt" else None
    settings = QuizSettings(
        DATABASE_URL="postgresql://bench@localhost/none", auth_mode=mode, jwt_secret=secret
    )
    install_auth(app, settings, "quiz")
    return app


async def main() -> None:
    learner = str(uuid.uuid4())
    token = jwt.encode({"sub": learner, "exp": int(time.time()) + 3600}, SECRET, "HS256")
    variants = {
        "no auth dependencies": (make_app(False, "none"), {}),
        "mode none": (make_app(True, "none"), {}),
        "mode jwt (HS256)": (make_app(True, "jwt"), {"Authorization": f"Bearer {token}"}),
    }
    best = dict.fromkeys(variants, float("inf"))
    clients = {
        name: httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
        for name, (app, _) in variants.items()
    }
    body = {"user_id": learner}
    for _ in range(ROUNDS):
        for name, (_, headers) in variants.items():
            client = clients[name]
            assert (await client.post("/x", json=body, headers=headers)).status_code == 200
            started = time.process_time()
            for _ in range(CALLS):
                await client.post("/x", json=body, headers=headers)
            best[name] = min(best[name], (time.process_time() - started) / CALLS * 1e6)
    for client in clients.values():
        await client.aclose()
    base = best["no auth dependencies"]
    for name, micros in best.items():
        print(f"{name:24s} {micros:6.0f} µs CPU/request (+{micros - base:.0f})")


if __name__ == "__main__":
    asyncio.run(main())
