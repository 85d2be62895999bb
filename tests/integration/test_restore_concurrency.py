"""Two restores at once: the advisory lock makes the second wait, then find the dump restored."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the fixtures package
from db_restore.restore import LOCK_KEY
from fixtures import dumps
from fixtures.cli import command, query, restore_env, run_restore, snapshot


def _hold_lock(url: str) -> psycopg2.extensions.connection:
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
    return conn


def test_two_concurrent_restores_one_restores_one_waits(fresh_db: str, tmp_path: Path) -> None:
    dump = dumps.fixture_dump(tmp_path)
    holder = _hold_lock(fresh_db)  # as if a third restore were running: both must wait
    procs = [
        subprocess.Popen(
            command("--dump", str(dump)),
            env=restore_env(fresh_db),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        time.sleep(2.0)
        assert [p.poll() for p in procs] == [None, None], "both wait for the lock"
        assert snapshot(fresh_db) == {}
    finally:
        holder.close()
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    outcomes = sorted("done: restored" in err for _, err in outputs)
    assert outcomes == [False, True], "exactly one restored"
    assert any("already restored" in err for _, err in outputs)
    assert all("another restore is running" in err for _, err in outputs)
    assert query(fresh_db, "SELECT count(*) FROM vocabulo_meta.restores") == [(1,)]


def test_lock_wait_is_bounded(fresh_db: str, tmp_path: Path) -> None:
    holder = _hold_lock(fresh_db)
    try:
        result = run_restore(
            fresh_db, "--dump", str(dumps.fixture_dump(tmp_path)), "--lock-wait", "1"
        )
    finally:
        holder.close()
    assert result.returncode == 1
    assert "another restore still holds the lock" in result.stderr
    assert snapshot(fresh_db) == {}
