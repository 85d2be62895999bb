"""The hot read path (apps.quiz.reader): prepared statements on a bounded pool of
non-blocking connections, one retry after a lost connection, faults mapped for the 503 handler."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import psycopg2
import pytest
from sqlalchemy.exc import DBAPIError, OperationalError

from apps.common.db import is_connection_fault
from apps.quiz.reader import AsyncReader

STATEMENTS = {
    "double": "SELECT $1::int * 2, pg_backend_pid()",
    "nap": "SELECT pg_sleep($1::float8)",
    "ratio": "SELECT 1 / $1::int",
}


def reader(url: str, **kw: Any) -> AsyncReader:
    return AsyncReader(url, STATEMENTS, application_name="quiz-reader-test", **kw)


def backends(url: str) -> int:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'quiz-reader-test'"
            )
            return int(cur.fetchone()[0])
    finally:
        conn.close()


def test_reads_reuse_a_bounded_pool(fresh_db: str) -> None:
    r = reader(fresh_db, size=3)

    async def scenario() -> list[list[tuple[Any, ...]]]:
        first = [await r.fetchall("double", (i,)) for i in range(5)]
        many = await asyncio.gather(*(r.fetchall("double", (i,)) for i in range(30)))
        return first + list(many)

    results = asyncio.run(scenario())
    try:
        assert [rows[0][0] for rows in results[:5]] == [0, 2, 4, 6, 8]
        assert len({rows[0][1] for rows in results[:5]}) == 1  # sequential reads: one connection
        assert len({rows[0][1] for rows in results}) <= 3  # never more than `size`
        assert backends(fresh_db) <= 3
    finally:
        r.close()
    assert wait_until(lambda: backends(fresh_db) == 0)


def test_unknown_statement_is_a_key_error(fresh_db: str) -> None:
    with pytest.raises(KeyError):
        asyncio.run(reader(fresh_db).fetchall("nope", ()))


def test_query_error_is_wrapped_and_the_pool_recovers(fresh_db: str) -> None:
    r = reader(fresh_db)

    async def scenario() -> list[tuple[Any, ...]]:
        with pytest.raises(DBAPIError) as err:
            await r.fetchall("ratio", (0,))
        assert isinstance(err.value.orig, psycopg2.errors.DivisionByZero)
        assert not is_connection_fault(err.value)  # a bad query is a 500, not "unavailable"
        return await r.fetchall("ratio", (1,))

    assert asyncio.run(scenario()) == [(1,)]
    r.close()


def test_statement_timeout_is_not_retried(fresh_db: str) -> None:
    r = reader(fresh_db, statement_timeout_ms=200)
    started = time.monotonic()
    with pytest.raises(OperationalError) as err:
        asyncio.run(r.fetchall("nap", (5,)))
    assert isinstance(err.value.orig, psycopg2.errors.QueryCanceled)
    assert time.monotonic() - started < 2.0  # one attempt, stopped by the server
    r.close()


def test_lost_connections_are_replaced_transparently(fresh_db: str, admin_url: str) -> None:
    r = reader(fresh_db, size=2)

    async def warm() -> set[int]:
        rows = await asyncio.gather(*(r.fetchall("double", (1,)) for _ in range(4)))
        return {x[0][1] for x in rows}

    async def after() -> list[tuple[Any, ...]]:
        return await r.fetchall("double", (21,))

    pids = asyncio.run(warm())
    admin = psycopg2.connect(admin_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(p) FROM unnest(%s) AS p", (list(pids),))
    admin.close()
    rows = asyncio.run(after())  # the dead pooled connection is dropped, the read retried
    assert rows[0][0] == 42
    assert rows[0][1] not in pids
    r.close()


@pytest.mark.parametrize(
    "url", ["postgresql://nobody@127.0.0.1:9/none", "postgresql://nobody@no-such-host.invalid/none"]
)
def test_unreachable_database_is_a_connection_fault(url: str) -> None:
    r = AsyncReader(url, STATEMENTS, connect_timeout_s=2)
    started = time.monotonic()
    with pytest.raises(DBAPIError) as err:
        asyncio.run(r.fetchall("double", (1,)))
    assert is_connection_fault(err.value)  # → 503 "Database unavailable"
    assert time.monotonic() - started < 3.0


def wait_until(check: Any, timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_a_silent_server_times_out_without_blocking_the_loop() -> None:
    """A host that accepts but never answers: 503-class fault after connect_timeout_s, and the
    event loop keeps serving other work meanwhile (no blocking call on the loop)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        r = AsyncReader(
            f"postgresql://nobody@127.0.0.1:{port}/none", STATEMENTS, connect_timeout_s=1
        )

        async def scenario() -> tuple[BaseException | None, int]:
            ticks = 0

            async def ticker() -> None:
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.05)
                    ticks += 1

            task = asyncio.create_task(ticker())
            try:
                await r.fetchall("double", (1,))
            except DBAPIError as exc:
                return exc, ticks
            finally:
                task.cancel()
            return None, ticks

        started = time.monotonic()
        err, ticks = asyncio.run(scenario())
    assert isinstance(err, DBAPIError)
    assert is_connection_fault(err)
    assert 0.9 < time.monotonic() - started < 2.5
    assert ticks >= 10  # the loop ran other tasks while the connection waited
