"""Concurrent quiz writes for ONE learner, the same words in opposite orders (issue 16 item 4).

Run under a throwaway PostgreSQL (bounded: 80 requests, 127.0.0.1 only):

    .venv/bin/python scripts/pgserver.py run -- .venv/bin/python bench/quiz_write_race.py

Makes a scratch database with the quiz test fixture, starts the Quiz API under uvicorn on a
free 127.0.0.1 port (2 workers, like ``make dev``), posts ``--requests`` quizzes at once (half
with the words ascending, half descending), and prints the status counts and the rows written
as one JSON line. Every 2xx must have written its quiz; a 503 means "database unavailable".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "quiz"))
from quiz_fixture import add_learner, load_fixture  # noqa: E402

from apps.common.settings import libpq_url  # noqa: E402
from scripts.pgserver import free_port  # noqa: E402


def admin(url: str, statement: sql.Composable) -> None:
    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


async def fire(base: str, user: uuid.UUID, n: int, words: list[int]) -> Counter[int]:
    """``n`` concurrent POST /v1/quizzes, alternating ascending and descending word order."""
    limits = httpx.Limits(max_connections=n)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:

        async def one(i: int) -> int:
            order = words if i % 2 == 0 else list(reversed(words))
            body = {
                "user_id": str(user),
                "answers": [{"mot_id": m, "correct": True} for m in order],
            }
            return (await client.post("/v1/quizzes", json=body)).status_code

        return Counter(await asyncio.gather(*(one(i) for i in range(n))))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=80, choices=range(2, 201), metavar="N")
    parser.add_argument("--words", type=int, default=20, choices=range(2, 51), metavar="N")
    parser.add_argument("--workers", type=int, default=2, choices=range(1, 5), metavar="N")
    args = parser.parse_args()
    admin_url = libpq_url(os.environ["DATABASE_URL"])
    name = f"race_{uuid.uuid4().hex[:8]}"
    admin(admin_url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    proc = None
    try:
        load_fixture(url)
        user = add_learner(url)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url}
        proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "apps.quiz.app:app", "--host", "127.0.0.1"),
                *("--port", str(port), "--workers", str(args.workers), "--log-level", "warning"),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            raise SystemExit("the quiz API did not become ready in 60 s")
        started = time.monotonic()
        statuses = asyncio.run(fire(base, user, args.requests, list(range(11, 11 + args.words))))
        seconds = time.monotonic() - started
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM quiz WHERE user_id = %s", (str(user),))
            quizzes = cur.fetchone()[0]
            cur.execute(
                "SELECT min(times_seen) FROM user_word_history WHERE user_id = %s", (str(user),)
            )
            seen = cur.fetchone()[0]
            cur.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
            deadlocks = cur.fetchone()[0]
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        admin(
            admin_url,
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)),
        )
    print(
        json.dumps(
            {
                "requests": args.requests,
                "statuses": dict(sorted(statuses.items())),
                "quizzes_written": quizzes,
                "min_times_seen": seen,
                "deadlocks": deadlocks,
                "seconds": round(seconds, 2),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
