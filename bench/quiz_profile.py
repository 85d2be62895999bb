"""Where a Quiz recommendation's CPU goes, without HTTP: read, parse, align, rank per request.

Restores the seed dump into a private PostgreSQL (or uses ``--url``), builds the service as the
app does, and times, for each learner in turn, the prepared history read (``fetch``: psycopg2's
share), ``read_history``'s parsing of its rows, ``QuizService.align`` (and inside it the FSRS
replay and the memory-scale fit) and ``QuizService.rank``, with ``time.process_time``. The
machine is shared: each figure is the minimum over ``--passes`` passes. Usage:
``.venv/bin/python bench/quiz_profile.py [--passes 8] [--reps 4]``; copied into an older tree
(``git archive``), it measures that version the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from sqlalchemy import create_engine, text  # noqa: E402

from apps.quiz import history  # noqa: E402
from apps.quiz.dictionary import load_dictionary  # noqa: E402
from apps.quiz.model import QuizModel  # noqa: E402
from apps.quiz.reader import AsyncReader  # noqa: E402
from apps.quiz.service import QuizService  # noqa: E402
from scripts.pgserver import LocalPostgres, restore_dump  # noqa: E402

DUMP = ROOT / "data" / "lsf_app_dump.sql.gz"


class Rows:
    """A reader that hands back rows already fetched (to time the parsing alone)."""

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []

    async def fetchall(self, name: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return self.rows


def timed(spent: dict[str, float], name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, adding its CPU time to ``spent[name]``."""

    def run(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.process_time() - start

    return run


async def profile(db_url: str, passes: int, reps: int) -> dict[str, float]:
    """ms of CPU per request for each piece, the minimum over ``passes``."""
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg2://"))
    with engine.connect() as conn:
        users = [r[0] for r in conn.execute(text("SELECT user_id FROM authentication"))]
    reads = AsyncReader(db_url, history.READ_STATEMENTS, size=1)
    svc = QuizService(engine, reads, load_dictionary(engine), QuizModel())
    spent: dict[str, float] = {}
    try:  # older versions (copy this script into their tree to compare) have no memory model
        from apps.quiz import memory
    except ImportError:
        pass
    else:
        memory.replay = timed(spent, "replay", memory.replay)
        memory.memory_scales = timed(spent, "scale fit", memory.memory_scales)
    align = timed(spent, "align", svc.align)
    rank = timed(spent, "rank", svc.rank)
    rows = Rows()
    for user in users * 2:  # warm-up
        await svc.recommend(user, 10)
    best: dict[str, float] = {}
    try:
        for _ in range(passes):
            spent.clear()
            start = time.process_time()
            for _ in range(reps):
                for user in users:
                    t = time.process_time()
                    rows.rows = await reads.fetchall("quiz_history", (str(user),))
                    spent["fetch"] = spent.get("fetch", 0.0) + time.process_time() - t
                    t = time.process_time()
                    h = await history.read_history(rows, user)  # type: ignore[arg-type]
                    spent["parse"] = spent.get("parse", 0.0) + time.process_time() - t
                    assert h is not None
                    rank(align(h, time.time() // 60 * 60), 10)
            spent["total"] = time.process_time() - start
            n = reps * len(users)
            for name, seconds in spent.items():
                best[name] = min(best.get(name, float("inf")), 1000.0 * seconds / n)
    finally:
        reads.close()
        engine.dispose()
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="a database holding the seed dump (default: restore one)")
    ap.add_argument("--passes", type=int, default=8)
    ap.add_argument("--reps", type=int, default=4, help="rounds over the learners per pass")
    args = ap.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="quiz-profile-"))
    server = None
    try:
        if args.url:
            db_url = args.url
        else:
            server = LocalPostgres(workdir / "pg")
            server.start()
            db_url = restore_dump(server, DUMP)
        best = asyncio.run(profile(db_url, args.passes, args.reps))
    finally:
        if server is not None:
            server.stop("fast")
        shutil.rmtree(workdir, ignore_errors=True)
    order = ["fetch", "parse", "align", "replay", "scale fit", "rank", "total"]
    print("ms CPU per request (minimum over passes):")
    for name in order:
        if name in best:
            print(f"  {name:<10} {best[name]:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
