"""RSS of the Junior API before and after one crafted ``/v1/process-text`` body (issue 16 item 1).

The body is one long unpunctuated sentence plus many short ones, every sentence holding an
ambiguous word so each goes to the sentence encoder. Run (a throwaway PostgreSQL is started):

    .venv/bin/python scripts/pgserver.py run -- .venv/bin/python bench/junior_text_memory.py --kb 11 19
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from apps.common.settings import database_url_from_env, libpq_url  # noqa: E402
from apps.junior.tooling.dev_dictionary import build_dictionary  # noqa: E402
from apps.junior.tooling.model_files import DEFAULT_TARGET, fetch  # noqa: E402
from apps.junior.tooling.quality_report import drop_database, scratch_database  # noqa: E402
from bench.junior_bench import free_port, memory_mb  # noqa: E402

LONG_WORDS = "le renard regarde la glace du lac et la carte du trésor dans la forêt"
SHORT = "Zoé se regarde dans la glace. "


def crafted_body(kb: int) -> bytes:
    """A JSON body of about ``kb`` KB: 70 % one long sentence, the rest short sentences."""
    target = kb * 1024
    long_part = ""
    while len(long_part) < target * 0.7:
        long_part += LONG_WORDS + " "
    short_part = SHORT * int((target * 0.3 - 40) // len(SHORT))
    text = long_part.strip() + ". " + short_part
    return json.dumps({"text": text, "target_difficulty": 1}, ensure_ascii=False).encode()


@contextmanager
def junior_server(code_root: Path, **extra_env: str) -> Iterator[tuple[httpx.Client, int]]:
    """A warm uvicorn Junior (code from ``code_root``) on a scratch dictionary: (client, pid)."""
    admin = libpq_url(database_url_from_env())
    scratch, url = scratch_database(admin)
    build_dictionary(url)
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(code_root),
        "DATABASE_URL": url,
        "JUNIOR_LOG_LEVEL": "WARNING",
        "JUNIOR_USE_MODEL_PATH": str(fetch(DEFAULT_TARGET)),
        **extra_env,
    }
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "apps.junior.app:app", "--port", str(port)),
            *("--host", "127.0.0.1", "--log-level", "warning", "--no-access-log"),
        ],
        cwd=code_root,
        env=env,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline and server.poll() is None:
                try:
                    if client.get("/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.5)
            else:
                raise SystemExit("junior did not become ready")
            yield client, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)
        drop_database(admin, scratch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kb", type=int, nargs="+", default=[11, 19])
    parser.add_argument("--code-root", type=Path, default=ROOT, help="measure another checkout")
    args = parser.parse_args()
    with junior_server(args.code_root, JUNIOR_OCR="false") as (client, pid):
        rss, _ = memory_mb(pid)
        print(f"idle (warm): RSS {rss:.0f} MB")
        for kb in args.kb:
            body = crafted_body(kb)
            started = time.perf_counter()
            res = client.post(
                "/v1/process-text",
                content=body,
                headers={"content-type": "application/json"},
            )
            took = time.perf_counter() - started
            rss, peak = memory_mb(pid)
            print(
                f"{len(body) / 1024:.1f} KB body: HTTP {res.status_code} in {took:.1f} s; "
                f"RSS after {rss:.0f} MB, peak {peak:.0f} MB"
            )


if __name__ == "__main__":
    main()
